// Progressive enhancement for "the area I consider my community": draw a polygon on a
// Leaflet map. Without this script the drawing section stays hidden and the neighbourhood
// checkboxes work on their own. The shape goes into a hidden field as a GeoJSON Polygon
// (one closed ring, [longitude, latitude]); the server checks it again whatever we send.
const DIGITS = 5;
const MAX_POINTS = 200;

function round(value) {
  const factor = 10 ** DIGITS;
  return Math.round(value * factor) / factor;
}

function restore(input) {
  // A form re-shown after an error keeps what was drawn.
  try {
    const ring = JSON.parse(input.value).coordinates[0];
    return ring.slice(0, -1).map(([lng, lat]) => [lat, lng]);
  } catch {
    return [];
  }
}

function start() {
  const section = document.getElementById("id_drawn");
  const el = document.getElementById("community-map");
  const input = document.getElementById("drawn-value");
  const outlinesData = document.getElementById("community-outlines");
  const status = document.getElementById("draw-status");
  const L = window.L;
  if (!section || !el || !input || !outlinesData || !L) return;
  section.hidden = false;

  const map = L.map(el, { scrollWheelZoom: false });
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  const outlines = L.geoJSON(JSON.parse(outlinesData.textContent), {
    style: { weight: 1, color: "#505a5f", fillOpacity: 0.05 },
    interactive: false,
  }).addTo(map);
  if (outlines.getBounds().isValid()) map.fitBounds(outlines.getBounds());
  else map.setView([54.5, -2.5], 6);

  const shape = L.polygon([], { color: "#1d70b8", weight: 3, interactive: false }).addTo(map);
  const corners = L.layerGroup().addTo(map);
  let points = restore(input);

  function redraw() {
    shape.setLatLngs(points);
    corners.clearLayers();
    for (const point of points) {
      L.circleMarker(point, { radius: 4, weight: 2, interactive: false }).addTo(corners);
    }
    if (points.length >= 3) {
      const ring = points.map(([lat, lng]) => [round(lng), round(lat)]);
      ring.push(ring[0]);
      input.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      status.textContent = `Your area has ${points.length} points. Send it when you are ready.`;
    } else {
      input.value = "";
      status.textContent = points.length
        ? `${points.length} point${points.length === 1 ? "" : "s"}: add at least 3 to make an area.`
        : "";
    }
  }

  function add(latlng) {
    if (points.length >= MAX_POINTS) {
      status.textContent = `You have used all ${MAX_POINTS} points.`;
      return;
    }
    points.push([latlng.lat, latlng.lng]);
    redraw();
  }

  map.on("click", (event) => add(event.latlng));
  section.addEventListener("click", (event) => {
    const action = event.target.closest("[data-draw]")?.dataset.draw;
    if (action === "centre") add(map.getCenter());
    else if (action === "undo") points.pop();
    else if (action === "clear") points = [];
    if (action === "undo" || action === "clear") redraw();
  });
  redraw();
}

if (window.L) start();
else window.addEventListener("load", start);
