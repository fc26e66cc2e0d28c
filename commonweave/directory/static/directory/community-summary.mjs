// Progressive enhancement: the summary's table works without this. Shows, per grid cell,
// how many drawn areas include it (cells below the place's threshold are never sent).
function start() {
  const el = document.getElementById("community-grid-map");
  const data = document.getElementById("community-grid");
  const L = window.L;
  if (!el || !data || !L) return;
  const grid = JSON.parse(data.textContent);
  if (!grid.features.length) return;
  el.hidden = false;
  const map = L.map(el, { scrollWheelZoom: false });
  if (el.dataset.tileUrl) L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  const most = Math.max(...grid.features.map((f) => f.properties.people));
  const layer = L.geoJSON(grid, {
    style: (feature) => ({
      weight: 0,
      fillColor: "#1d70b8",
      fillOpacity: 0.15 + 0.6 * (feature.properties.people / most),
    }),
    onEachFeature: (feature, cell) => cell.bindTooltip(`${feature.properties.label} people`),
  }).addTo(map);
  map.fitBounds(layer.getBounds());
}

if (window.L) start();
else window.addEventListener("load", start);
