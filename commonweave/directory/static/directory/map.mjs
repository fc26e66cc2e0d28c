// Progressive enhancement: the list works without this. Points come from a json_script
// block; the tile server (if any) from data-tile-url. No tiles: markers on a blank map.
function start() {
  const el = document.getElementById("directory-map");
  const data = document.getElementById("directory-map-points");
  if (!el || !data || !window.L) return;
  const points = JSON.parse(data.textContent);
  if (!points.length) return;
  el.hidden = false;
  const map = window.L.map(el, { scrollWheelZoom: false });
  const tiles = el.dataset.tileUrl;
  if (tiles) {
    window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  const bounds = [];
  for (const p of points) {
    const marker = window.L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2 }).addTo(map);
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.name;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lon]);
  }
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
}

if (window.L) start();
else window.addEventListener("load", start);
