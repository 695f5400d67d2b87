// The playground's page: sends the settings and controls as JSON, draws
// every snapshot the server streams. No library, no network but this server.
"use strict";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const form = document.querySelectorAll("#controls [name]");
let config = null;          // the server's configuration
let snapshot = null;        // the latest snapshot
let pointsRun = -1;         // the run whose points are drawn
let points = null;
let backprop = null;        // the last backward pass, and where we are in it
let current = 0;
let selected = null;        // the weight clicked in the network: {layer, row, col}
let edgeLines = [];         // the drawn edges: [x1, y1, x2, y2, layer, row, col]
// Updates received: the browser test reads this to measure the rate.
window.playgroundUpdates = 0;

function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

function showError(message) { $("error").textContent = message || ""; }

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  showError("");
  return json;
}

// ---- settings <-> form <-> address ----

function readForm() {
  const next = Object.assign({}, config);
  for (const el of form) {
    const old = config[el.name];
    if (el.name === "hidden") {
      next.hidden = el.value.trim() === "" ? [] : el.value.split(",").map((s) => Number(s.trim()));
    } else if (typeof old === "number") {
      next[el.name] = Number(el.value);
    } else {
      next[el.name] = el.value;
    }
  }
  return next;
}

function fillForm(c) {
  for (const el of form) {
    el.value = el.name === "hidden" ? c.hidden.join(",") : c[el.name];
    const out = document.querySelector(`output[data-for="${el.name}"]`);
    if (out) out.textContent = el.value;
  }
}

function configToAddress(c) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(c)) params.set(k, Array.isArray(v) ? v.join(",") : v);
  history.replaceState(null, "", "?" + params.toString());
}

function configFromAddress(base) {
  const params = new URLSearchParams(location.search);
  const c = Object.assign({}, base);
  for (const [k, v] of params) {
    if (!(k in base)) continue;
    if (k === "hidden") c.hidden = v === "" ? [] : v.split(",").map(Number);
    else if (typeof base[k] === "number") c[k] = Number(v);
    else c[k] = v;
  }
  return c;
}

async function applyConfig(c) {
  try {
    await post("/api/config", c);
    config = c;
    configToAddress(c);
  } catch (e) {
    showError(e.message);
    fillForm(config);
  }
}

for (const el of form) {
  el.addEventListener("change", () => applyConfig(readForm()));
  el.addEventListener("input", () => {
    const out = document.querySelector(`output[data-for="${el.name}"]`);
    if (out) out.textContent = el.value;
  });
}

$("csv-file").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    await post("/api/upload", { csv: await file.text(), task: $("csv-task").value });
  } catch (e) { showError(e.message); }
});

const control = (action) => post("/api/control", { action }).catch((e) => showError(e.message));
$("play").addEventListener("click", () => control(snapshot && snapshot.playing ? "pause" : "play"));
$("step").addEventListener("click", () => control("step"));
$("reset").addEventListener("click", () => control("reset"));
$("backprop").addEventListener("click", stepIntoBackprop);
$("bp-prev").addEventListener("click", () => showStep(current - 1));
$("bp-next").addEventListener("click", () => showStep(current + 1));
$("bp-close").addEventListener("click", () => { $("backprop-panel").hidden = true; });

// ---- colours ----

// v in [-1, 1]: orange below 0, white at 0, blue above.
function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  const [r, g, b] = t >= 0 ? [21, 101, 192] : [230, 81, 0];
  const a = Math.abs(t);
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

function paint(canvas, cells) {
  const n = Math.round(Math.sqrt(cells.length));
  canvas.width = n; canvas.height = n;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(n, n);
  cells.forEach((c, i) => {
    const [r, g, b] = diverging(c / 100);
    image.data.set([r, g, b, 255], 4 * i);
  });
  ctx.putImageData(image, 0, 0);
}

// ---- the network ----

const BOX = 36;

function layout(sizes, width, height) {
  // x of each layer, y of each neuron: evenly spaced.
  const columns = sizes.length;
  return sizes.map((n, l) => {
    const x = 70 + (width - 70 - BOX - 10) * (l / (columns - 1));
    const gap = Math.min(46, (height - 20) / Math.max(n, 1));
    const top = (height - gap * (n - 1) - BOX) / 2;
    return Array.from({ length: n }, (_, j) => ({ x, y: top + gap * j }));
  });
}

let networkShape = "";

function drawNetwork(s) {
  const host = $("network");
  const width = host.clientWidth, height = host.clientHeight;
  const shape = s.sizes.join("-") + "/" + width + "/" + s.features.join(",");
  const places = layout(s.sizes, width, height);
  if (shape !== networkShape) {
    // Rebuild the boxes only when the architecture or the size changes.
    networkShape = shape;
    host.querySelectorAll(".neuron, .input-label").forEach((el) => el.remove());
    places.forEach((layer, l) => layer.forEach((p, j) => {
      const box = document.createElement(l === 0 ? "div" : "canvas");
      box.className = "neuron" + (l === 0 ? " input" : "");
      box.dataset.layer = l; box.dataset.index = j;
      if (l === 0) box.dataset.feature = s.features[j];
      box.style.left = p.x + "px"; box.style.top = p.y + "px";
      host.appendChild(box);
      if (l === 0) {
        const label = document.createElement("div");
        label.className = "input-label"; label.textContent = s.features[j];
        label.style.left = (p.x - 58) + "px"; label.style.top = (p.y + 10) + "px";
        host.appendChild(label);
      }
    }));
  }
  const edges = $("edges");
  edges.replaceChildren();
  edgeLines = [];
  let largest = 1e-12;
  for (const layer of s.layers) for (const row of layer.weight) for (const w of row) largest = Math.max(largest, Math.abs(w));
  s.layers.forEach((layer, l) => layer.weight.forEach((row, o) => row.forEach((w, i) => {
    if (w === 0) return; // exactly zero: no edge
    const a = places[l][i], b = places[l + 1][o];
    const line = [a.x + BOX, a.y + BOX / 2, b.x, b.y + BOX / 2, l, o, i];
    edgeLines.push(line);
    const chosen = selected && selected.layer === l && selected.row === o && selected.col === i;
    svg("line", {
      x1: line[0], y1: line[1], x2: line[2], y2: line[3],
      stroke: w > 0 ? "#1565c0" : "#e65100", "stroke-width": 0.4 + 5 * Math.abs(w) / largest,
      "stroke-opacity": 0.75, "data-weight": `${l}:${o}:${i}`, ...(chosen ? { class: "selected" } : {}),
    }, edges);
  })));
  host.querySelectorAll(".input-label").forEach((el, j) => el.classList.toggle("removed", s.removed_inputs[j]));
  host.querySelectorAll(".neuron").forEach((el) => {
    const l = Number(el.dataset.layer), j = Number(el.dataset.index);
    if (l === 0) {
      el.classList.toggle("removed", s.removed_inputs[j]);
      el.style.background = j < 2 ? (j === 0 ? "linear-gradient(90deg,#e65100,#fff,#1565c0)" : "linear-gradient(0deg,#e65100,#fff,#1565c0)") : "repeating-linear-gradient(45deg,#ccc 0 3px,#fff 3px 6px)";
    } else if (l < s.sizes.length - 1) {
      el.classList.toggle("dead", s.dead_neurons[l - 1][j]);
      paint(el, s.neuron_maps[l - 1][j].cells);
    } else {
      paint(el, s.output_map.cells);
    }
  });
}

// A click on the network picks the edge nearest to it (within 6 px: most
// edges are too thin to hit) and shows that weight's update.
$("network").addEventListener("click", (event) => {
  const box = $("network").getBoundingClientRect();
  const [x, y] = [event.clientX - box.left, event.clientY - box.top];
  let best = null, bestDistance = 6;
  for (const line of edgeLines) {
    const distance = segmentDistance(x, y, line);
    if (distance <= bestDistance) { best = line; bestDistance = distance; }
  }
  if (best) selectWeight({ layer: best[4], row: best[5], col: best[6] });
});

// The distance from (x, y) to the segment [x1, y1]–[x2, y2].
function segmentDistance(x, y, [x1, y1, x2, y2]) {
  const [dx, dy] = [x2 - x1, y2 - y1];
  const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - x1 - t * dx, y - y1 - t * dy);
}

// Shows the update of one weight: in the open backward pass, or in a new
// one (which pauses and takes one step, as the button does), at the trace
// step that sends the weight its gradient.
async function selectWeight(weight) {
  selected = weight;
  if (snapshot) drawNetwork(snapshot);
  if (!backprop || $("backprop-panel").hidden) await stepIntoBackprop();
  if (!backprop) return;
  const split = backprop.updates.find((u) => u.layer === weight.layer);
  const node = backprop.nodes.findIndex((n) => n.name === split.name);
  const at = backprop.steps.findIndex((step) => step.inputs.includes(node));
  showStep(at >= 0 ? at : current);
}

// ---- output, points, curves, histogram ----

function drawOutput(s) {
  paint($("output-map"), s.output_map.cells);
  const canvas = $("points"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!points) return;
  const [low, high] = s.extent, size = canvas.width;
  const at = (v) => (v - low) / (high - low) * size;
  let lo = Infinity, hi = -Infinity;
  if (s.task === "regression") for (const set of [points.train, points.test]) for (const p of set) { lo = Math.min(lo, p[2]); hi = Math.max(hi, p[2]); }
  for (const [set, stroke] of [[points.train, "#fff"], [points.test, "#000"]]) {
    for (const [x0, x1, y] of set) {
      const v = s.task === "regression" ? (2 * (y - lo) / Math.max(hi - lo, 1e-12) - 1) : (y === 1 ? 1 : -1);
      const [r, g, b] = diverging(v);
      ctx.fillStyle = `rgb(${r},${g},${b})`;
      ctx.strokeStyle = stroke;
      ctx.beginPath(); ctx.arc(at(x0), size - at(x1), 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
  }
}

function drawLosses(s) {
  const chart = $("loss");
  chart.replaceChildren();
  const { step, train, test } = s.losses;
  if (step.length < 2) return;
  const all = train.concat(test).filter(Number.isFinite);
  const top = Math.max(...all, 1e-12);
  const x = (i) => 4 + 312 * (step[i] - step[0]) / Math.max(step[step.length - 1] - step[0], 1);
  const y = (v) => 116 - 110 * Math.min(v, top) / top;
  for (const [values, colour] of [[train, "#1565c0"], [test, "#e65100"]]) {
    svg("polyline", { points: values.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: colour, "stroke-width": 1.5 }, chart);
  }
  svg("text", { x: 6, y: 12, "font-size": 10 }, chart).textContent = top.toPrecision(3);
}

function drawHistogram(s) {
  const chart = $("histogram");
  chart.replaceChildren();
  const h = s.histogram;
  const bars = [h.zero].concat(h.counts);
  const top = Math.max(...bars, 1);
  const width = 300 / bars.length;
  bars.forEach((count, i) => {
    const height = 90 * count / top;
    svg("rect", {
      x: 10 + i * width, y: 96 - height, width: width - 2, height,
      fill: i === 0 ? "#c62828" : "#78909c", "data-bin": i === 0 ? "zero" : i - 1,
    }, chart);
  });
  svg("text", { x: 10, y: 107, "font-size": 9, fill: "#c62828" }, chart).textContent = `exactly 0: ${h.zero}`;
  svg("text", { x: 310, y: 107, "font-size": 9, "text-anchor": "end" }, chart).textContent = `|w| ≤ ${(h.width * h.counts.length).toPrecision(3)}`;
}

function drawCounts(s) {
  const c = s.counts;
  $("zero-count").textContent = c.zeros;
  $("weight-count").textContent = c.weights;
  $("features-kept").textContent = c.features_kept;
  $("feature-count").textContent = c.features;
  $("neurons-kept").textContent = c.neurons_kept;
  $("neuron-count").textContent = c.neurons;
  const last = s.losses.train.length - 1;
  $("train-loss").textContent = last >= 0 ? s.losses.train[last].toFixed(4) : "–";
  $("test-loss").textContent = last >= 0 ? s.losses.test[last].toFixed(4) : "–";
  $("penalty-value").textContent = s.penalty.toPrecision(4);
  $("step-count").textContent = s.step;
  $("play").textContent = s.playing ? "❚❚ Pause" : "▶ Play";
}

async function draw(s) {
  snapshot = s;
  if (config === null) {
    config = s.config;
    const wanted = configFromAddress(s.config);
    fillForm(wanted);
    if (JSON.stringify(wanted) !== JSON.stringify(s.config)) await applyConfig(wanted);
    else configToAddress(s.config);
  }
  if (s.run !== pointsRun) {
    pointsRun = s.run;
    points = await (await fetch("/api/points")).json();
  }
  drawCounts(s);
  drawNetwork(s);
  drawOutput(s);
  drawLosses(s);
  drawHistogram(s);
}

// ---- one backward pass ----

async function stepIntoBackprop() {
  try {
    const response = await fetch("/api/backprop", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    const json = await response.json();
    if (!response.ok) throw new Error(json.error);
    backprop = json;
    $("backprop-panel").hidden = false;
    $("bp-loss").textContent = json.loss.toFixed(5);
    drawGraph(json);
    const list = $("trace-list");
    list.replaceChildren();
    json.steps.forEach((step, k) => {
      const li = document.createElement("li");
      li.dataset.op = step.op;
      li.textContent = `${step.op}  ‖g‖=${step.grad_in.norm.toPrecision(3)}`;
      li.addEventListener("click", () => showStep(k));
      list.appendChild(li);
    });
    showStep(0);
  } catch (e) { showError(e.message); }
}

function nodeLabel(node) {
  if (!node.name) return node.op;
  return node.op === "leaf" ? node.name : `${node.op} (${node.name})`;
}

function drawGraph(view) {
  const graph = $("graph");
  graph.replaceChildren();
  const columns = Math.max(...view.nodes.map((n) => n.column)) + 1;
  const rows = {};
  const width = graph.clientWidth || 1000, height = 260;
  const places = view.nodes.map((n) => {
    const row = rows[n.column] = (rows[n.column] || 0) + 1;
    return { column: n.column, row: row - 1 };
  });
  const perColumn = (c) => rows[c];
  const at = places.map((p) => ({
    x: 10 + (width - 175) * p.column / Math.max(columns - 1, 1),
    y: 20 + (height - 60) * (p.row + 0.5) / perColumn(p.column),
  }));
  view.edges.forEach(([from, to]) => {
    svg("line", { x1: at[from].x + 155, y1: at[from].y + 14, x2: at[to].x, y2: at[to].y + 14, "data-edge": `${from}-${to}` }, graph);
  });
  view.nodes.forEach((node, i) => {
    const g = svg("g", { class: "node" + (node.op === "leaf" ? " leaf" : ""), "data-node": i, transform: `translate(${at[i].x},${at[i].y})` }, graph);
    svg("rect", { width: 155, height: 28, rx: 4 }, g);
    svg("text", { x: 4, y: 12 }, g).textContent = nodeLabel(node);
    svg("text", { x: 4, y: 24, fill: "#555" }, g).textContent = `[${node.shape.join(", ")}]`;
  });
}

const fmt = (v) => (v === 0 ? "0" : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(3) : v.toFixed(5));
const summary = (s) => (s.values ? `[${s.values.map(fmt).join(", ")}]` : `‖g‖=${fmt(s.norm)} min=${fmt(s.min)} max=${fmt(s.max)}`);

function showStep(k) {
  if (!backprop) return;
  current = Math.max(0, Math.min(backprop.steps.length - 1, k));
  const step = backprop.steps[current];
  document.querySelectorAll("#trace-list li").forEach((li, i) => li.classList.toggle("current", i === current));
  document.querySelectorAll("#graph .node").forEach((g) => {
    const i = Number(g.dataset.node);
    g.classList.toggle("current", i === step.node);
    g.classList.toggle("receives", step.inputs.includes(i));
  });
  document.querySelectorAll("#graph line").forEach((line) => {
    const [from, to] = line.dataset.edge.split("-").map(Number);
    line.classList.toggle("active", to === step.node);
  });
  const node = backprop.nodes[step.node];
  let text = `step ${current + 1} of ${backprop.steps.length}: ${nodeLabel(node)}, output [${node.shape.join(", ")}]\n`;
  text += `gradient arriving ∂L/∂out: ${summary(step.grad_in)}\n`;
  step.inputs.forEach((input, k) => {
    const sent = step.grads_out[k];
    text += `→ input ${k}, ${nodeLabel(backprop.nodes[input])}: ${sent ? summary(sent) : "(needs no gradient)"}\n`;
  });
  const detail = $("bp-detail");
  detail.textContent = text;
  // A parameter among the inputs: its update, split into its parts.
  for (const input of step.inputs) {
    const name = backprop.nodes[input].name;
    const split = backprop.updates.find((u) => u.name === name);
    if (split) detail.appendChild(updateTable(split));
  }
}

function updateTable(split) {
  // The weight clicked in the network, else the element with the largest
  // data gradient, the one most worth reading.
  const cols = split.shape.length === 2 ? split.shape[1] : 1;
  let e = 0;
  if (selected && split.layer === selected.layer) e = selected.row * cols + selected.col;
  else split.data_grad.forEach((g, i) => { if (Math.abs(g) > Math.abs(split.data_grad[e])) e = i; });
  const table = document.createElement("table");
  const where = split.shape.length === 2 ? `[${Math.floor(e / cols)}, ${e % cols}]` : `[${e}]`;
  const rows = [
    ["w before", split.w[e]], ["data gradient ∂J/∂w", split.data_grad[e]],
    ["penalty term (added to the gradient)", split.penalty_grad[e]], ["decoupled decay", split.decay[e]],
    ["optimizer step", split.optimizer_step[e]], ["proximal step", split.prox_step[e]], ["w after", split.w_next[e]],
  ];
  table.innerHTML = `<caption>update of ${split.name}${where}</caption>`;
  for (const [label, value] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = label;
    const cell = tr.insertCell();
    cell.textContent = fmt(value);
    cell.dataset.value = value; // every digit, for the title and the tests
    cell.title = String(value);
  }
  return table;
}

// ---- the stream ----

let frames = [];
function connect() {
  const source = new EventSource("/api/events");
  source.onmessage = (event) => {
    window.playgroundUpdates += 1;
    const now = performance.now();
    frames.push(now);
    frames = frames.filter((t) => now - t < 1000);
    $("rate").textContent = frames.length;
    draw(JSON.parse(event.data));
  };
  source.onerror = () => showError("lost the server; retrying…");
  source.onopen = () => showError("");
}
connect();
