// Progressive enhancement: the list works without this. Points come from the search's
// map-points URL (data-points-url: every result, fetched after the list has loaded) or a
// json_script block (one entry); the tile server (if any) from data-tile-url. No tile
// server: the place's own neighbourhoods, drawn from its boundaries with their names, are
// the base layer.
function inline(id) {
  const data = document.getElementById(id);
  return data ? JSON.parse(data.textContent) : null;
}

async function start() {
  const el = document.getElementById("directory-map");
  if (!el || !window.L) return;
  let points = inline("directory-map-points");
  let outlines = inline("directory-map-outlines");
  if (el.dataset.pointsUrl) {
    const response = await fetch(el.dataset.pointsUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    ({ points, outlines } = await response.json());
  }
  if (!points || !points.length) return;
  el.hidden = false;
  const map = window.L.map(el, { scrollWheelZoom: false, maxZoom: 18 });
  const tiles = el.dataset.tileUrl;
  if (tiles) {
    window.L.tileLayer(tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  } else if (outlines) {
    el.classList.add("cw-directory-map--outlines");
    window.L.geoJSON(outlines, {
      style: { color: "#505a5f", weight: 1, fillColor: "#f3f2f1", fillOpacity: 1 },
      interactive: false,
      onEachFeature: (feature, layer) =>
        layer.bindTooltip(feature.properties.name, {
          permanent: true,
          direction: "center",
          className: "cw-area-label",
        }),
    }).addTo(map);
  }
  // Every result is on the map; close ones gather into a numbered cluster.
  const layer = window.L.markerClusterGroup
    ? window.L.markerClusterGroup({ showCoverageOnHover: false })
    : window.L.layerGroup();
  layer.addTo(map);
  const bounds = [];
  for (const p of points) {
    const marker = window.L.circleMarker([p.lat, p.lon], { radius: 7, weight: 2 }).addTo(layer);
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
