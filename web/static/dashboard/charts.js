// The dashboard's two charts, drawn as inline SVG: bars (bookings per second) and lines
// (latency percentiles), one point per minute. Each is drawn at the width its card has, one
// SVG unit a pixel, so the text is never stretched; the left margin fits the widest value.
import { el } from "/shared/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 200;
const PAD = { right: 16, top: 12, bottom: 26 };
const CHAR_PX = 7; // an axis digit at 11px, generously
const DEFAULT_WIDTH = 560;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (!value || value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 4, 8, 10].map((m) => m * magnitude).find((m) => m >= value); // quarters stay round
}

// The plot's frame: grid lines and the values on the left, minutes along the bottom.
// `format` writes a value in the reader's language.
function frame(container, maxValue, labels, format) {
  const width = container.clientWidth || DEFAULT_WIDTH; // hidden: scaled to fit once shown
  const top = niceMax(maxValue);
  const ticks = [0, 1, 2, 3, 4].map((i) => (top * i) / 4);
  const left = Math.max(...ticks.map((value) => format(value).length)) * CHAR_PX + 12;
  const plot = { width, left, top };
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${HEIGHT}`, class: "plot", "aria-hidden": "true",
  });
  for (const value of ticks) {
    const y = yOf(value, top);
    chart.append(svg("line", { x1: left, x2: width - PAD.right, y1: y, y2: y, class: "grid" }));
    chart.append(svg("text", { x: left - 6, y: y + 4, class: "axis y", "text-anchor": "end" }, format(value)));
  }
  const step = Math.max(1, Math.ceil(labels.length / Math.max(2, Math.floor((width - left) / 60))));
  labels.forEach((label, i) => {
    if (i % step === 0) {
      chart.append(svg("text", { x: xOf(plot, i, labels.length), y: HEIGHT - 8, class: "axis x", "text-anchor": "middle" }, label));
    }
  });
  container.replaceChildren(chart);
  return { chart, plot };
}

const xOf = (plot, i, n) => plot.left + ((plot.width - plot.left - PAD.right) * (i + 0.5)) / Math.max(n, 1);
const yOf = (v, top) => HEIGHT - PAD.bottom - ((HEIGHT - PAD.top - PAD.bottom) * v) / top;

// `title(i)` says what bar i shows (a tooltip).
export function drawBars(container, labels, values, { format, title }) {
  const { chart, plot } = frame(container, Math.max(0, ...values), labels, format);
  const width = ((plot.width - plot.left - PAD.right) / Math.max(values.length, 1)) * 0.7;
  values.forEach((value, i) => {
    const y = yOf(value || 0, plot.top);
    const bar = svg("rect", { x: xOf(plot, i, values.length) - width / 2, y, width, height: HEIGHT - PAD.bottom - y, class: "bar" });
    bar.append(svg("title", {}, title(i)));
    chart.append(bar);
  });
}

// `series`: [{name, values, css}], values null where a minute has none; `unit` after the legend.
export function drawLines(container, labels, series, { format, unit }) {
  const all = series.flatMap((s) => s.values).filter((v) => v != null);
  const { chart, plot } = frame(container, Math.max(0, ...all), labels, format);
  for (const line of series) {
    const points = line.values.map((v, i) => (v == null ? null : `${xOf(plot, i, labels.length)},${yOf(v, plot.top)}`));
    const segments = points.join(" ").split(/\s*null\s*/).map((s) => s.trim()).filter(Boolean);
    for (const segment of segments) chart.append(svg("polyline", { points: segment, class: `line ${line.css}` }));
    line.values.forEach((v, i) => {
      if (v != null) chart.append(svg("circle", { cx: xOf(plot, i, labels.length), cy: yOf(v, plot.top), r: 2.5, class: `line ${line.css}` }));
    });
  }
  container.append(el("p", { class: "legend" }, series.map((s) => el("span", { class: `key ${s.css}` }, s.name)), ` ${unit}`));
}
