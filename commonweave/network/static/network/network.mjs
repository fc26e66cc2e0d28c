// Progressive enhancement: the table on the page holds the same data and works without
// this. Reads JSON from the element's data-url (same origin; CSP allows no inline code),
// places each community around a circle with its members clustered near its centre,
// colours by community and sizes by the chosen metric, and draws with sigma.js (WebGL).
const PALETTE = [
  "#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#b58840",
  "#5694ca", "#912b88", "#28a197", "#6f72af", "#f499be", "#85994b",
];

function hash(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) / 4294967296;
}

function layout(nodes) {
  const sizes = new Map();
  for (const n of nodes) sizes.set(n.community, (sizes.get(n.community) || 0) + 1);
  const order = [...sizes.keys()].sort((a, b) => sizes.get(b) - sizes.get(a));
  const ring = Math.max(1, Math.sqrt(nodes.length)) * 2;
  const centre = new Map();
  order.forEach((c, i) => {
    const angle = (2 * Math.PI * i) / order.length;
    const r = order.length > 1 ? ring : 0;
    centre.set(c, [r * Math.cos(angle), r * Math.sin(angle)]);
  });
  for (const n of nodes) {
    const [cx, cy] = centre.get(n.community);
    const spread = Math.sqrt(sizes.get(n.community)) * 1.2;
    const a = 2 * Math.PI * hash(n.id);
    const d = spread * Math.sqrt(hash(n.id + "r"));
    n.x = cx + d * Math.cos(a);
    n.y = cy + d * Math.sin(a);
  }
}

async function draw(el) {
  if (!window.Sigma || !window.graphology) return;
  const response = await fetch(el.dataset.url, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  if (!data.nodes.length) return;
  layout(data.nodes);
  const Graph = window.graphology.MultiGraph || window.graphology;
  const graph = new Graph();
  const max = Math.max(...data.nodes.map((n) => n.size || 0), 1);
  for (const n of data.nodes) {
    const colour = n.community >= 0 ? PALETTE[n.community % PALETTE.length] : "#505a5f";
    graph.addNode(n.id, {
      x: n.x,
      y: n.y,
      label: n.label,
      size: 3 + 12 * Math.sqrt((n.size || 0) / max),
      color: n.ego ? "#0b0c0c" : colour,
    });
  }
  for (const e of data.edges) {
    if (graph.hasNode(e.source) && graph.hasNode(e.target)) {
      graph.addEdgeWithKey(e.id, e.source, e.target, {
        size: Math.min(4, 0.5 + (e.strength || 1) / 2),
        color: "#b1b4b6",
        type: e.directed ? "arrow" : "line",
      });
    }
  }
  el.hidden = false;
  // eslint-disable-next-line no-new
  new window.Sigma(graph, el, { renderEdgeLabels: false, labelRenderedSizeThreshold: 8 });
  el.dataset.drawn = String(graph.order);
}

function start() {
  for (const el of document.querySelectorAll("[data-network-picture]")) {
    draw(el).catch(() => {
      el.hidden = true;
    });
  }
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
