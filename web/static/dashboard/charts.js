// The dashboard's two charts, drawn as inline SVG: bars (bookings per second) and lines
// (latency percentiles), one point per minute.
import { el } from "/shared/dom.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const W = 560, H = 200, PAD = { left: 46, right: 10, top: 12, bottom: 26 };

function frame(container, maxValue, labels) {
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", class: "plot" });
  const top = niceMax(maxValue);
  for (let i = 0; i <= 4; i += 1) {
    const value = (top * i) / 4;
    const y = yOf(value, top);
    chart.append(svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: "grid" }));
    chart.append(svg("text", { x: PAD.left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, fmt(value)));
  }
  const step = Math.max(1, Math.ceil(labels.length / 6));
  labels.forEach((label, i) => {
    if (i % step === 0) chart.append(svg("text", { x: xOf(i, labels.length) , y: H - 8, class: "axis", "text-anchor": "middle" }, label));
  });
  container.replaceChildren(chart);
  return { chart, top };
}

function niceMax(value) {
  if (!value || value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value);
}
const fmt = (v) => (v >= 100 ? Math.round(v) : Number(v.toFixed(2))).toLocaleString("en-GB");
const xOf = (i, n) => PAD.left + ((W - PAD.left - PAD.right) * (i + 0.5)) / Math.max(n, 1);
const yOf = (v, top) => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * v) / top;

export function drawBars(container, labels, values) {
  const { chart, top } = frame(container, Math.max(0, ...values), labels);
  const width = ((W - PAD.left - PAD.right) / Math.max(values.length, 1)) * 0.7;
  values.forEach((value, i) => {
    const y = yOf(value || 0, top);
    const bar = svg("rect", { x: xOf(i, values.length) - width / 2, y, width, height: H - PAD.bottom - y, class: "bar" });
    bar.append(svg("title", {}, `${labels[i]}: ${value}/s`));
    chart.append(bar);
  });
}

export function drawLines(container, labels, series) {
  const all = series.flatMap((s) => s.values).filter((v) => v != null);
  const { chart, top } = frame(container, Math.max(0, ...all), labels);
  for (const line of series) {
    const points = line.values.map((v, i) => (v == null ? null : `${xOf(i, labels.length)},${yOf(v, top)}`));
    const segments = points.join(" ").split(/\s*null\s*/).map((s) => s.trim()).filter(Boolean);
    for (const segment of segments) chart.append(svg("polyline", { points: segment, class: `line ${line.css}` }));
    line.values.forEach((v, i) => {
      if (v != null) chart.append(svg("circle", { cx: xOf(i, labels.length), cy: yOf(v, top), r: 2.5, class: `line ${line.css}` }));
    });
  }
  const legend = el("p", { class: "legend" }, series.map((s) => el("span", { class: `key ${s.css}` }, s.name)), " ms");
  container.append(legend);
}

