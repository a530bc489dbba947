// The operators' board at a glance: each service's health, sagas by state, the two charts
// (bookings confirmed per second; latency from submission to a booking's first outcome), and
// who read which client's personal data. Each part keeps what it read, so a change of
// language redraws it without asking again.
import { el } from "/shared/dom.js";
import { drawBars, drawLines } from "./charts.js";
import { clock, counted, instant, label, number, significant, t, zoneOf } from "./i18n.js";

const STATES = ["PENDING", "ROOM_HELD", "CLIENT_VERIFIED", "RESERVED", "CONFIRMED",
  "COMPENSATING", "FAILED", "CANCELLING", "CANCELLED", "STUCK"];
const WINDOW_MINUTES = 15;
const $ = (selector) => document.querySelector(selector);

export function operations({ api, errorText }) {
  const shown = { health: null, stats: null, reads: null, errors: {} };

  async function load() {
    const [health, stats, reads] = await Promise.allSettled([
      api("/api/ops/health"), api(`/api/ops/stats?minutes=${WINDOW_MINUTES}`), api("/api/ops/personal-data-reads?limit=20"),
    ]);
    for (const [name, result] of Object.entries({ health, stats, reads })) {
      if (result.status === "fulfilled") shown[name] = result.value;
      shown.errors[name] = result.status === "rejected" ? result.reason : null;
    }
    render();
  }

  function render() {
    renderHealth();
    renderStats();
    renderReads();
  }

  function renderHealth() {
    if (shown.errors.health) {
      $("#health").replaceChildren(el("li", { class: "service unreachable" }, errorText(shown.errors.health)));
      return;
    }
    if (!shown.health) return;
    $("#health").replaceChildren(...shown.health.services.map((service) => {
      const failing = Object.entries(service.checks || {}).filter(([, result]) => result !== "ok");
      const status = service.status === "ok" ? t("health.ok", { ms: number(service.latency_ms, 1) })
        : t(`health.${service.status}`);
      return el("li", { class: `service ${service.status}`, "data-service": service.name },
        el("span", { class: "dot", "aria-hidden": "true" }),
        el("div", {},
          el("strong", {}, label(`service.${service.name}`, service.name)),
          el("p", { class: "muted" }, status),
          failing.map(([name, result]) => el("p", { class: "check" }, t("health.check", { name, result })))));
    }));
  }

  function renderStats() {
    const stats = shown.stats;
    if (shown.errors.stats) $("#states").replaceChildren(el("li", { class: "error" }, errorText(shown.errors.stats)));
    if (!stats) return;
    if (!shown.errors.stats) {
      $("#states").replaceChildren(...STATES.map((name) =>
        el("li", { class: `tile state-${name}`, "data-state": name },
          el("span", { class: "count" }, number(stats.counts?.[name] ?? 0)),
          el("span", { class: "label" }, label(`state.${name}`, name)))));
    }
    const minutes = stats.minutes || [];
    const labels = minutes.map((m) => clock(m.minute, { seconds: false, zone: false }));
    const confirmed = minutes.reduce((sum, m) => sum + (m.confirmed || 0), 0);
    $("#throughput-now").textContent = t("chart.throughput.now", {
      rate: number(stats.bookings_per_second ?? 0, 3), minutes: number(stats.window_minutes),
      confirmed: counted("chart.confirmed", confirmed),
    });
    $("#throughput-chart").dataset.confirmed = String(confirmed);
    $("#latency-now").textContent = stats.latency_p95_ms != null
      ? t("chart.latency.now", { p50: milliseconds(stats.latency_p50_ms), p95: milliseconds(stats.latency_p95_ms) })
      : t("chart.latency.none");
    for (const [name, value] of [["p50", stats.latency_p50_ms], ["p95", stats.latency_p95_ms]]) {
      if (value == null) delete $("#latency-chart").dataset[name];
      else $("#latency-chart").dataset[name] = String(value);
    }
    const format = significant;
    drawBars($("#throughput-chart"), labels, minutes.map((m) => m.bookings_per_second), {
      format, title: (i) => t("chart.bar", { minute: labels[i], value: format(minutes[i].bookings_per_second) }),
    });
    drawLines($("#latency-chart"), labels, [
      { name: "p50", values: minutes.map((m) => m.latency_p50_ms), css: "p50" },
      { name: "p95", values: minutes.map((m) => m.latency_p95_ms), css: "p95" },
    ], { format: significant, unit: t("chart.unit.ms") });
    for (const note of document.querySelectorAll(".chart-zone")) note.textContent = t("chart.times", { zone: zoneOf() });
  }

  function renderReads() {
    if (shown.errors.reads) {
      $("#reads-status").textContent = errorText(shown.errors.reads);
      return;
    }
    const page = shown.reads;
    if (!page) return;
    $("#reads-status").textContent = page.total ? t("reads.count", { count: number(page.total) }) : t("reads.none");
    $("#personal-data-reads tbody").replaceChildren(...page.items.map((read) =>
      el("tr", { "data-read": String(read.id) },
        el("td", { "data-label": t("reads.when") }, instant(read.read_at)),
        el("td", { "data-label": t("reads.who") }, t("reads.reader", { reader: read.reader, role: label(`role.${read.reader_role}.lower`, read.reader_role) })),
        el("td", { "data-label": t("reads.agency") }, read.reader_agency),
        el("td", { "data-label": t("reads.client"), class: "mono" }, read.client_id),
        el("td", { "data-label": t("reads.why") }, read.reason))));
  }

  return { load, render };
}

// A latency for the reader: milliseconds under ten seconds, seconds above.
function milliseconds(value) {
  if (value >= 10_000) return `${number(value / 1000, 1)} ${t("chart.unit.s")}`;
  return `${number(value, 0)} ${t("chart.unit.ms")}`;
}
