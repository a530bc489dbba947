// The back office: operators see health, sagas by state, charts, sagas to act on, dead letters,
// agencies and users; hotel managers see their hotels' calendars and bookings. Each person sees
// the sections of their role only.
import { el } from "/shared/dom.js";
import { readableDetail } from "/shared/errors.js";
import { englishPasswordText, openPasswordDialog } from "/shared/password.js";
import { hotelBookings } from "./bookings.js";
import { drawBars, drawLines } from "./charts.js";
import { hotelCalendar } from "./hotels.js";
import { agencies, users } from "./people.js";

const STATES = ["PENDING", "ROOM_HELD", "CLIENT_VERIFIED", "RESERVED", "CONFIRMED",
  "COMPENSATING", "FAILED", "CANCELLING", "CANCELLED", "STUCK"];
const FAST_REFRESH_MS = 5000;
const SLOW_REFRESH_MS = 10000;

const state = {
  token: sessionStorage.getItem("ops-token"),
  me: null, // who is signed in (GET /api/me)
  view: null,
  sections: {}, // the sections shown to this person, each {show()} by name
  filters: new Set(["FAILED", "STUCK"]),
  selected: null,
  timers: [],
};
const $ = (selector) => document.querySelector(selector);

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString("en-GB") : "—");
const stamp = (iso) => (iso ? new Date(iso).toLocaleString("en-GB") : "—");

// ---- HTTP ---------------------------------------------------------------------------------

async function api(path, { method = "GET", form, json } = {}) {
  const init = { method, headers: { Accept: "application/json" } };
  if (state.token) init.headers.Authorization = `Bearer ${state.token}`;
  if (form) init.body = new URLSearchParams(form);
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (failure) {
    const error = new Error(failure.message || "network error");
    error.status = 0;
    throw error;
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 && state.token) signOut("Your session has ended; sign in again.");
  if (!response.ok) {
    const error = new Error(readableDetail(body.detail ?? response.statusText));
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---- sign in ------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  $("#login-error").hidden = true;
  try {
    const body = await api("/api/auth/token", {
      method: "POST",
      form: { username: form.get("username"), password: form.get("password") },
    });
    state.token = body.access_token;
    sessionStorage.setItem("ops-token", state.token);
    await showBoard();
  } catch (error) {
    if (state.token) signOut();
    const message = error.status === 401 ? "Wrong username or password."
      : error.status === 429 ? `Too many failed attempts: ${error.message}` : error.message;
    $("#login-error").textContent = message;
    $("#login-error").hidden = false;
  }
}

function signOut(message) {
  if (state.token) {
    // The token is revoked on the server, not only forgotten here.
    fetch("/api/auth/sign-out", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  }
  state.token = null;
  state.me = null;
  sessionStorage.removeItem("ops-token");
  state.timers.forEach(clearInterval);
  state.timers = [];
  for (const view of document.querySelectorAll(".view")) view.hidden = true;
  document.querySelector("dialog[open]")?.close();
  $("#sections").hidden = true;
  $("#login-view").hidden = false;
  $("#logout").hidden = true;
  $("#password-button").hidden = true;
  $("#whoami").hidden = true;
  $("#login-error").hidden = true;
  if (message) {
    $("#login-error").textContent = message;
    $("#login-error").hidden = false;
  }
}

// The sections of each role, the first one opening on sign-in; agents have another app.
const SECTIONS_BY_ROLE = {
  operator: ["operations", "agencies", "users", "hotels"],
  hotel_manager: ["hotels", "bookings"],
};
const ELSEWHERE = "This back office is for operators and hotel managers. Agents and agency managers "
  + "book, follow their bookings and manage their team in the agents' app (the booking desk).";

async function showBoard() {
  state.me = await api("/api/me");
  const names = SECTIONS_BY_ROLE[state.me.role];
  if (!names) {
    signOut(ELSEWHERE);
    $("#login-error").dataset.reason = "elsewhere";
    return;
  }
  const context = { api, me: state.me, open: showSection };
  const makers = {
    operations: () => ({ show() {} }),
    agencies: () => agencies(context),
    users: () => users(context),
    hotels: () => hotelCalendar(context),
    bookings: () => hotelBookings(context),
  };
  state.sections = Object.fromEntries(names.map((name) => [name, makers[name]()]));
  for (const button of document.querySelectorAll("#sections [data-view]")) {
    button.hidden = !names.includes(button.dataset.view);
    if (button.dataset.view === "hotels") button.textContent = state.me.role === "operator" ? "Hotels" : "My hotels";
  }
  $("#login-view").hidden = true;
  $("#sections").hidden = names.length < 2;
  $("#logout").hidden = false;
  $("#password-button").hidden = false;
  $("#whoami").hidden = false;
  $("#whoami").textContent = `${state.me.display_name || state.me.username} (${state.me.role.replace("_", " ")})`;
  showSection(names[0]);
  if (state.me.role === "operator") {
    refreshFast();
    refreshSlow();
    state.timers.push(setInterval(refreshFast, FAST_REFRESH_MS), setInterval(refreshSlow, SLOW_REFRESH_MS));
  }
}

// Opens one section (`options` go to it: a filter, say) and hides the others.
function showSection(name, options = {}) {
  if (!state.sections[name]) return;
  state.view = name;
  for (const view of document.querySelectorAll(".view")) view.hidden = view.dataset.view !== name;
  for (const button of document.querySelectorAll("#sections [data-view]")) {
    if (button.dataset.view === name) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  state.sections[name].show(options);
}

async function refreshFast() {
  await Promise.allSettled([loadHealth(), loadStats()]);
  $("#refreshed").textContent = `Updated ${new Date().toLocaleTimeString("en-GB")}`;
}

async function refreshSlow() {
  await Promise.allSettled([loadSagas(), loadDeadLetters(), loadPersonalDataReads()]);
}

// ---- health and figures -------------------------------------------------------------------

async function loadHealth() {
  try {
    const report = await api("/api/ops/health");
    $("#health").replaceChildren(...report.services.map((service) => {
      const failing = Object.entries(service.checks || {}).filter(([, result]) => result !== "ok");
      return el("li", { class: `service ${service.status}`, "data-service": service.name },
        el("span", { class: "dot", "aria-hidden": "true" }),
        el("div", {},
          el("strong", {}, service.name),
          el("p", { class: "muted" }, service.status === "ok" ? `ok · ${service.latency_ms} ms` : service.status),
          failing.map(([name, result]) => el("p", { class: "check" }, `${name}: ${result}`))));
    }));
  } catch (error) {
    $("#health").replaceChildren(el("li", { class: "service unreachable" }, error.message));
  }
}

async function loadStats() {
  let stats;
  try {
    stats = await api("/api/ops/stats?minutes=15");
  } catch (error) {
    $("#states").replaceChildren(el("li", { class: "error" }, error.message));
    return;
  }
  $("#states").replaceChildren(...STATES.map((name) =>
    el("li", { class: `tile state-${name}`, "data-state": name },
      el("span", { class: "count" }, String(stats.counts?.[name] ?? 0)),
      el("span", { class: "label" }, name.replace("_", " ").toLowerCase()))));
  const minutes = stats.minutes || [];
  const labels = minutes.map((m) => time(m.minute).slice(0, 5));
  $("#throughput-now").textContent = `(${stats.bookings_per_second ?? 0}/s over ${stats.window_minutes} min)`;
  $("#latency-now").textContent = stats.latency_p95_ms != null
    ? `(p50 ${stats.latency_p50_ms} ms, p95 ${stats.latency_p95_ms} ms)` : "";
  drawBars($("#throughput-chart"), labels, minutes.map((m) => m.bookings_per_second));
  drawLines($("#latency-chart"), labels, [
    { name: "p50", values: minutes.map((m) => m.latency_p50_ms), css: "p50" },
    { name: "p95", values: minutes.map((m) => m.latency_p95_ms), css: "p95" },
  ]);
}

// ---- sagas --------------------------------------------------------------------------------

async function loadSagas() {
  const states = [...state.filters];
  try {
    const pages = await Promise.all(states.map((s) => api(`/api/ops/sagas?state=${s}&limit=50`)));
    const sagas = pages.flatMap((page) => page.items || [])
      .sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
    $("#sagas-status").textContent = sagas.length ? "" : "Nothing needs attention.";
    $("#sagas tbody").replaceChildren(...sagas.map(sagaRow));
  } catch (error) {
    $("#sagas-status").textContent = error.message;
  }
}

function sagaRow(saga) {
  const data = saga.data || {};
  const open = () => showSaga(saga.saga_id);
  const kind = saga.kind || "booking";
  return el("tr", {
    class: `clickable${state.selected === saga.saga_id ? " selected" : ""}`,
    tabindex: "0",
    "data-saga": saga.saga_id,
    "data-kind": kind,
    onclick: open,
    onkeydown: (event) => { if (event.key === "Enter") open(); },
  },
  el("td", { class: "mono" }, saga.saga_id.slice(0, 8),
    kind !== "booking" ? [" ", el("span", { class: `badge kind-${kind}`, "data-testid": "saga-kind" }, kind)] : null),
  el("td", {}, el("span", { class: `badge state-${saga.state}` }, saga.state)),
  el("td", {}, data.hotel_name || data.hotel_id || saga.hotel_id || "—"),
  el("td", { class: "reason" }, saga.failure_reason || ""),
  el("td", {}, stamp(saga.updated_at)));
}

async function showSaga(sagaId) {
  state.selected = sagaId;
  for (const row of document.querySelectorAll("#sagas tbody tr")) row.classList.toggle("selected", row.dataset.saga === sagaId);
  let saga;
  try {
    saga = await api(`/api/ops/sagas/${encodeURIComponent(sagaId)}`);
  } catch (error) {
    $("#detail-body").replaceChildren(el("p", { class: "error" }, error.message));
    return;
  }
  const data = saga.data || {};
  const stay = data.stay || {};
  const kind = saga.kind || "booking";
  const ended = saga.terminal;  // the orchestrator says which states end a saga
  const actionStatus = el("p", { class: "status", role: "status" });
  const act = (action) => async (event) => {
    event.target.disabled = true;
    try {
      await api(`/api/ops/sagas/${encodeURIComponent(sagaId)}/${action}`, { method: "POST" });
      actionStatus.textContent = `${action === "retry" ? "Retry" : "Compensation"} requested.`;
      setTimeout(() => { showSaga(sagaId); loadSagas(); }, 1500);
    } catch (error) {
      actionStatus.textContent = error.message;
      event.target.disabled = false;
    }
  };
  $("#detail-empty").hidden = true;
  $("#detail-body").hidden = false;
  $("#detail-body").replaceChildren(
    el("dl", { class: "facts" },
      fact("Saga", el("span", { class: "mono" }, saga.saga_id), " ",
        el("span", { class: `badge kind-${kind}`, "data-testid": "detail-kind" }, kind)),
      kind === "change" ? changeFacts(data) : bookingChanges(data),
      fact("State", el("span", { class: `badge state-${saga.state}`, "data-testid": "detail-state" }, saga.state)),
      fact("Reason", saga.failure_reason || "—"),
      fact("Hotel", `${data.hotel_name || data.hotel_id || "—"} · ${data.room_type_name || data.room_type_id || ""}`),
      kind === "change" ? null : fact("Stay", `${stay.check_in || "?"} → ${stay.check_out || "?"}, ${data.guests ?? "?"} guest(s)`),
      fact("Agency", `${data.agency_id || "—"} (${data.agent_id || "—"})`),
      fact("Client id", el("span", { class: "mono" }, data.client_id || "—"))),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "primary", disabled: ended, onclick: act("retry") }, "Retry"),
      el("button", { type: "button", class: "danger", disabled: ended, onclick: act("compensate") }, "Compensate"),
      ended ? el("span", { class: "muted" }, "This saga has ended; nothing is left to retry.") : null),
    actionStatus,
    el("h3", {}, "Steps"),
    stepsTable(saga.steps),
    el("h3", {}, "History"),
    el("ol", { class: "history" }, (saga.history || []).map(historyItem)));
}

const fact = (name, ...value) => [el("dt", {}, name), el("dd", {}, ...value)];

// A saga named in another's detail: opens it in its place.
const sagaLink = (sagaId, text = sagaId, testId = null) => el("button", {
  type: "button", class: "link mono", "data-testid": testId, onclick: () => showSaga(sagaId),
}, text);

// A booking's stay as a change saga records it: dates, room type, guests, price (if known).
function stayText(part) {
  const stay = part.stay || {};
  const price = part.total != null ? `, ${part.total} ${part.currency || ""}`.trimEnd() : "";
  return `${stay.check_in || "?"} → ${stay.check_out || "?"}, ${part.room_type_name || part.room_type_id || "?"}, `
    + `${part.guests ?? "?"} guest(s)${price}`;
}

// A change: the booking it changes (opens its saga), that booking before, and as it is asked.
function changeFacts(data) {
  const before = data.before;
  const difference = before && data.total != null && before.currency === data.currency
    ? Number(data.total) - Number(before.total) : null;
  return [
    data.booking_id ? fact("Changes booking", sagaLink(data.booking_id, data.booking_id, "changed-booking")) : null,
    fact("Before", before ? el("span", { "data-testid": "change-before" }, stayText(before))
      : el("span", { class: "muted" }, "not read yet (the booking is read when the change locks it)")),
    fact("After", el("span", { "data-testid": "change-after" }, stayText(data))),
    difference !== null ? fact("Difference", `${difference > 0 ? "+" : ""}${difference.toFixed(2)} ${data.currency}`) : null,
  ].flat(); // facts, each a term and its description, in the list
}

// A booking: the change working on it now, and the changes made to it.
function bookingChanges(data) {
  return [
    data.locked_by ? fact("Being changed by", sagaLink(data.locked_by, data.locked_by, "changed-by")) : null,
    (data.changes || []).length ? fact("Changes made", data.changes.map((id) => sagaLink(id, id.slice(0, 8)))) : null,
  ].flat();
}

function stepsTable(steps) {
  const list = Array.isArray(steps) ? steps : Object.entries(steps || {}).map(([name, s]) => ({ name, ...s }));
  if (!list.length) return el("p", { class: "muted" }, "No step started.");
  return el("table", { class: "compact" },
    el("thead", {}, el("tr", {}, ["Step", "Status", "Attempts", "Started", "Decided", "Outcome"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, list.map((s) => el("tr", {},
      el("td", {}, s.name), el("td", {}, s.status), el("td", {}, s.attempts ?? ""),
      el("td", {}, time(s.started_at)), el("td", {}, time(s.decided_at)), el("td", {}, s.outcome || "")))));
}

function historyItem(entry) {
  const direction = entry.direction || "";
  const payload = entry.payload && Object.keys(entry.payload).length ? JSON.stringify(entry.payload, null, 1) : null;
  return el("li", { class: `history-${direction}` },
    el("span", { class: "when" }, time(entry.at || entry.recorded_at || entry.occurred_at)),
    el("span", { class: "direction" }, direction),
    el("strong", {}, entry.message_type || ""),
    entry.attempt ? el("span", { class: "muted" }, ` attempt ${entry.attempt}`) : null,
    entry.note ? el("span", { class: "note" }, ` — ${entry.note}`) : null,
    payload ? el("details", {}, el("summary", {}, "payload"), el("pre", {}, payload)) : null);
}

// ---- dead letters -------------------------------------------------------------------------

async function loadDeadLetters() {
  try {
    const body = await api("/api/ops/dead-letters");
    $("#dlq-status").textContent = "";
    $("#dead-letters tbody").replaceChildren(...body.queues.map(deadLetterRow));
  } catch (error) {
    $("#dlq-status").textContent = error.message;
  }
}

function deadLetterRow(queue) {
  const head = queue.head;
  const act = (action) => async (event) => {
    event.target.disabled = true;
    const query = head?.message_id ? `?message_id=${encodeURIComponent(head.message_id)}` : "";
    try {
      await api(`/api/ops/dead-letters/${encodeURIComponent(queue.name)}/${action}${query}`, { method: "POST" });
      $("#dlq-status").textContent = `Message ${action === "requeue" ? "requeued to" : "discarded from"} ${queue.source_queue}.`;
    } catch (error) {
      $("#dlq-status").textContent = error.message;
    }
    loadDeadLetters();
  };
  return el("tr", { "data-queue": queue.name, class: queue.depth ? "has-messages" : "" },
    el("td", { class: "mono" }, queue.name),
    el("td", {}, el("span", { class: `depth${queue.depth ? " nonzero" : ""}` }, String(queue.depth))),
    el("td", {}, head
      ? [el("strong", {}, head.message_type || "unknown type"), el("br"),
         el("span", { class: "reason" }, head.reason || "no reason given"),
         el("details", {}, el("summary", {}, "body"), el("pre", {}, head.body_preview))]
      : el("span", { class: "muted" }, "empty")),
    el("td", { class: "actions" }, queue.depth
      ? [el("button", { type: "button", onclick: act("requeue") }, "Requeue"),
         el("button", { type: "button", class: "danger", onclick: act("discard") }, "Discard")]
      : null));
}

// ---- personal data reads ------------------------------------------------------------------

async function loadPersonalDataReads() {
  try {
    const page = await api("/api/ops/personal-data-reads?limit=20");
    $("#reads-status").textContent = page.total ? `${page.total} reads recorded; the 20 latest:` : "No read recorded yet.";
    $("#personal-data-reads tbody").replaceChildren(...page.items.map((read) =>
      el("tr", { "data-read": String(read.id) },
        el("td", {}, stamp(read.read_at)),
        el("td", {}, `${read.reader} (${read.reader_role})`),
        el("td", {}, read.reader_agency),
        el("td", { class: "mono" }, read.client_id),
        el("td", {}, read.reason))));
  } catch (error) {
    $("#reads-status").textContent = error.message;
  }
}

// ---- start --------------------------------------------------------------------------------

function start() {
  $("#login-form").addEventListener("submit", signIn);
  $("#logout").addEventListener("click", () => signOut());
  $("#password-button").addEventListener("click", () =>
    openPasswordDialog({ api, t: englishPasswordText, username: state.me?.username || "" }));
  for (const button of document.querySelectorAll("#sections [data-view]")) {
    button.addEventListener("click", () => showSection(button.dataset.view));
  }
  for (const button of document.querySelectorAll(".filter [data-state]")) {
    button.addEventListener("click", () => {
      const name = button.dataset.state;
      if (state.filters.has(name)) state.filters.delete(name); else state.filters.add(name);
      button.setAttribute("aria-pressed", String(state.filters.has(name)));
      loadSagas();
    });
  }
  if (state.token) showBoard().catch((error) => signOut(error.status === 401 ? null : error.message));
}

start();
