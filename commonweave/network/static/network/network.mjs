// Progressive enhancement: the tables on the page hold the same data and work without
// this. Reads JSON from the element's data-url (same origin; CSP allows no inline code).
//
// The network page ([data-network-map]) draws the positions stored with the analysis
// (network/layout.py: no layout work here) as SVG, with each community's colour and shape
// from the server's legend (network/picture.py), names on the most central nodes only,
// and a node's details on hover or keyboard focus. SVG rather than sigma.js here: shapes
// as well as colours, and named nodes that take keyboard focus.
//
// A node's own picture ([data-network-picture]) is small: it places each community
// around a circle with its members near its centre and draws it the same way, with the
// network page's legend (sent with the data); no graph library to download.
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

// A node's own picture: its neighbours placed by community (layout above), scaled into
// a box, then drawn as the network page draws.
async function drawEgo(el) {
  const response = await fetch(el.dataset.url, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  if (!data.nodes.length) return;
  layout(data.nodes);
  const xs = data.nodes.map((n) => n.x);
  const ys = data.nodes.map((n) => n.y);
  const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
  const spanX = Math.max(Math.max(...xs) - minX, 1);
  const spanY = Math.max(Math.max(...ys) - minY, 1);
  const width = 800;
  const margin = 60;
  const scale = (width - 2 * margin - 160) / spanX; // room on the right for names
  const height = Math.max(240, Math.min(800, spanY * scale + 2 * margin));
  const fit = Math.min(scale, (height - 2 * margin) / spanY);
  for (const n of data.nodes) {
    n.x = Math.round(margin + (n.x - minX) * fit);
    n.y = Math.round(margin + (n.y - minY) * fit);
  }
  render(el, data, data.nodes, { width, height, isolates_top: null });
}

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

function figure(value) {
  const text = Number(value || 0).toPrecision(2);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

async function drawMap(el) {
  const response = await fetch(el.dataset.url, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  const box = data.box;
  const placed = data.nodes.filter((n) => n.x !== null && n.y !== null);
  if (!box || !placed.length) return;
  render(el, data, placed, box);
}

function render(el, data, placed, box) {
  const text = JSON.parse(document.getElementById("network-picture-text").textContent);
  const groups = new Map(data.legend.groups.map((g) => [g.key, g]));
  const other = data.legend.other_mark;
  const details = document.getElementById("network-details");
  const at = new Map(placed.map((n) => [n.id, n]));
  const max = Math.max(...placed.map((n) => n.size || 0), 1);
  const radius = (n) => 4 + 10 * Math.sqrt((n.size || 0) / max);

  const root = svg("svg", {
    viewBox: `0 0 ${box.width} ${box.height}`,
    role: "group",
    "aria-labelledby": el.dataset.caption,
    focusable: "false",
  });
  const ties = svg("g", { "aria-hidden": "true" });
  for (const e of data.edges) {
    const a = at.get(e.source);
    const b = at.get(e.target);
    if (a && b) {
      ties.append(svg("line", {
        class: "cw-network-tie", x1: a.x, y1: a.y, x2: b.x, y2: b.y,
        "stroke-width": Math.min(4, 0.5 + (e.strength || 1) / 2),
      }));
    }
  }
  root.append(ties);
  if (box.isolates_top !== null && placed.some((n) => n.y >= box.isolates_top)) {
    const label = svg("text", {
      class: "cw-network-isolates-label", x: 20, y: box.isolates_top - 20, "font-size": 18,
      "aria-hidden": "true",
    });
    label.textContent = text.isolates;
    root.append(label);
  }

  const mark = (n) => {
    const group = groups.get(n.group);
    const r = radius(n);
    const shape = svg("path", {
      d: (group || other).path,
      transform: `translate(${n.x} ${n.y}) scale(${r})`,
      "vector-effect": "non-scaling-stroke",
      "stroke-width": 1.5,
      class: `cw-network-node${group ? "" : " cw-network-node--other"}${n.ego ? " cw-network-node--ego" : ""}`,
      "data-node": n.id,
    });
    if (group) shape.setAttribute("fill", group.colour);
    return shape;
  };
  const describe = (n) => {
    const group = groups.get(n.group);
    return `${n.label}: ${n.degree} ${text.ties}, ${text.betweenness} ${figure(n.betweenness)}, `
      + `${text.community} ${group ? group.label : text.other}`;
  };
  const show = (n) => {
    details.textContent = describe(n);
    details.hidden = false;
  };

  const unnamed = svg("g", { "aria-hidden": "true" });
  const named = svg("g");
  for (const n of placed) {
    if (!n.labelled) {
      unnamed.append(mark(n));
      continue;
    }
    const link = svg("a", {
      href: el.dataset.nodeUrl.replace("__id__", encodeURIComponent(n.id)),
      class: "cw-network-named",
      "aria-label": describe(n),
      "data-node": n.id,
    });
    link.append(svg("circle", { class: "cw-network-ring", cx: n.x, cy: n.y, r: radius(n) + 6 }));
    link.append(mark(n));
    const label = svg("text", {
      class: "cw-network-label", x: n.x + radius(n) + 4, y: n.y + 6, "font-size": 18,
      "aria-hidden": "true",
    });
    label.textContent = n.label;
    link.append(label);
    named.append(link);
  }
  root.append(unnamed, named);

  const nodeOf = (target) => {
    const hit = target.closest && target.closest("[data-node]");
    return hit ? at.get(hit.dataset.node) : undefined;
  };
  root.addEventListener("mouseover", (event) => {
    const n = nodeOf(event.target);
    if (n) show(n);
  });
  root.addEventListener("focusin", (event) => {
    const n = nodeOf(event.target);
    if (n) show(n);
  });

  el.replaceChildren(root);
  el.hidden = false;
  details.textContent = text.hint;
  details.hidden = false;
  el.dataset.drawn = String(placed.length);
  el.dataset.named = String(named.childElementCount);
}

function start() {
  for (const el of document.querySelectorAll("[data-network-picture]")) {
    drawEgo(el).catch(() => {
      el.hidden = true;
    });
  }
  for (const el of document.querySelectorAll("[data-network-map]")) {
    drawMap(el).catch(() => {
      el.hidden = true;
    });
  }
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
