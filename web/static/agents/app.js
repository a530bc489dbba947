// The agents' desk: sign in, search, pick a client, book, follow the saga live, list, change
// and cancel; an agency manager also sees the agency's bookings and manages its team. Anyone
// signed in changes their own password here. This file holds what the desk's parts share (the
// state, the texts, the formats, the HTTP calls) and signing in; each part has its module.
import { openPasswordDialog } from "/shared/password.js";
import { problemText } from "/shared/problems.js";
import { bookingPanel } from "./book.js";
import { initBookings, loadBookings, renderBookings } from "./bookings.js";
import { clientsPanel } from "./clients.js";
import { LOCALES, MESSAGES } from "./i18n.js";
import { offersPanel } from "./search.js";
import { team } from "./team.js";

const BOOKING_ROLES = new Set(["agent", "agency_manager"]);

const state = {
  token: sessionStorage.getItem("token"),
  me: null, // who is signed in (GET /api/me): role, agency
  team: null, // an agency manager's team panel
  lang: localStorage.getItem("lang") || (navigator.language || "en").slice(0, 2),
  query: null, // the last search: {destination, check_in, check_out, guests}
  searchError: null, // why it was refused (an ApiError)
  offers: [],
  offer: null,
  clients: [],
  client: null,
  bookings: [],
  changes: new Set(), // the changes followed (their dialogs' handles), stopped on signing out
};
if (!MESSAGES[state.lang]) state.lang = "en";

const $ = (selector) => document.querySelector(selector);

function t(key, vars = {}) {
  const text = MESSAGES[state.lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// A text that says a number: its ".one" form where the language says so ("1 offer").
function tn(key, count, vars = {}) {
  const singular = MESSAGES[state.lang][`${key}.one`] ?? MESSAGES.en[`${key}.one`];
  const one = singular && new Intl.PluralRules(LOCALES[state.lang]).select(count) === "one";
  const number = new Intl.NumberFormat(LOCALES[state.lang]).format(count);
  return t(one ? `${key}.one` : key, { ...vars, count: number });
}

function money(amount, currency) {
  if (amount === null || amount === undefined || !currency) return "—";
  const locale = LOCALES[state.lang];
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

function day(isoDate) {
  if (!isoDate) return "—";
  const [y, m, d] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "medium", timeZone: "UTC" }).format(date);
}

// The day of an instant in the viewer's time zone (when an account was made, say).
function date(iso) {
  return new Intl.DateTimeFormat(LOCALES[state.lang], { dateStyle: "medium" }).format(new Date(iso));
}

// An event's instant in the viewer's time zone, saying which: "14:03:12 (UTC+01:00)".
function time(iso) {
  if (!iso) return "—";
  const instant = new Date(iso);
  const clock = new Intl.DateTimeFormat(LOCALES[state.lang], { timeStyle: "medium" }).format(instant);
  return `${clock} (${zone(instant)})`;
}

function zone(instant) {
  const minutes = -instant.getTimezoneOffset();
  const pad = (n) => String(Math.floor(n)).padStart(2, "0");
  return `UTC${minutes < 0 ? "-" : "+"}${pad(Math.abs(minutes) / 60)}:${pad(Math.abs(minutes) % 60)}`;
}

// What the server refused, in the agent's language (never its English detail as such).
function problem(error) {
  if (error.status === 0) return t("error.network");
  if (error.status >= 500 && !error.body?.code) return t("error.server");
  return problemText(error.body, state.lang);
}

// Why a booking failed, in words, from its reason's code.
function reason(view) {
  if (!view.reason_code && !view.reason) return "";
  return problemText({ code: view.reason_code, params: view.reason_params || {}, detail: view.reason || "" }, state.lang);
}

// ---- HTTP ---------------------------------------------------------------------------------

// `message`: the refusal in the agent's language, as it was when it came.
class ApiError extends Error {
  constructor(status, body = {}) {
    super("");
    this.status = status;
    this.body = body;
    this.code = body.code ?? (Array.isArray(body.detail) ? body.detail[0]?.type : undefined);
    this.message = problem(this);
  }
}

async function api(path, { method = "GET", json, form, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers } };
  if (state.token) init.headers.Authorization = `Bearer ${state.token}`;
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  if (form) init.body = new URLSearchParams(form);
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ApiError(0, { detail: error.message || "network error" });
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 && state.token) {
    signOut(t("error.session"));
  }
  if (!response.ok) throw new ApiError(response.status, body.detail === undefined ? { ...body, detail: response.statusText } : body);
  return body;
}

// ---- language -----------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.title = t("app.title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) {
    node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  renderWhoami();
  state.team?.render();
  panels.offers?.render();
  panels.clients?.render();
  panels.booking?.render();
  renderBookings();
}

// ---- sign in ------------------------------------------------------------------------------

function claims() {
  try {
    const payload = state.token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

function renderWhoami() {
  const signedIn = Boolean(state.token);
  const books = !state.me || BOOKING_ROLES.has(state.me.role); // until known, the desk as before
  $("#login-view").hidden = signedIn;
  $("#desk").hidden = !signedIn || !books;
  $("#elsewhere").hidden = !signedIn || books;
  $("#team").hidden = !signedIn || state.me?.role !== "agency_manager";
  $("#logout").hidden = !signedIn;
  $("#password-button").hidden = !signedIn;
  $("#whoami").hidden = !signedIn;
  if (!signedIn) return;
  const user = claims().sub || "?";
  const role = t(`signed.in.role.${state.me?.role || claims().role || "agent"}`);
  $("#whoami").textContent = state.me?.agency
    ? t("signed.in.as.agency", { user, role, agency: state.me.agency.name })
    : t("signed.in.as", { user, role });
  $("#bookings-title").textContent = t(state.me?.role === "agency_manager" ? "bookings.title.agency" : "bookings.title");
}

// Who is signed in decides what the desk shows: the team of an agency manager; nothing to book
// for a hotel manager or an operator, who work in the back office.
async function loadMe() {
  try {
    state.me = await api("/api/me");
  } catch (error) {
    if (state.token) $("#bookings-status").textContent = error.message;
    return;
  }
  if (state.me.role === "agency_manager") {
    state.team = team({ api, t, date, me: () => state.me, translate: applyLanguage });
    state.team.load();
  }
  renderWhoami();
  if (BOOKING_ROLES.has(state.me.role)) loadBookings();
}

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
    sessionStorage.setItem("token", state.token);
    event.target.reset();
    renderWhoami();
    loadMe();
  } catch (error) {
    $("#login-error").textContent = error.status === 401 ? t("login.failed") : error.message;
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
  state.team = null;
  state.bookings = [];
  renderBookings();
  $("#bookings").removeAttribute("data-loaded");
  $("#team-table tbody").replaceChildren();
  $("#new-agent")?.remove();
  document.querySelector("dialog[open]")?.close();
  sessionStorage.removeItem("token");
  // The next person at this desk starts afresh: no client, no offer, no booking of this one's.
  panels.booking.stop();
  panels.clients.clear();
  Object.assign(state, { query: null, searchError: null, offers: [] });
  panels.offers.clear();
  for (const change of state.changes) change.stop();
  state.changes.clear();
  renderWhoami();
  if (message) {
    $("#login-error").textContent = message;
    $("#login-error").hidden = false;
  }
}

// ---- the parts of the desk -------------------------------------------------------------

const panels = { offers: null, clients: null, booking: null };

// The chosen room or client changed: the booking panel says what would be booked.
function chosen() {
  panels.booking?.choiceChanged();
}

// A booking ended: the list shows it, and the offers are counted again (a room fewer is free).
function bookingEnded() {
  loadBookings();
  panels.offers.run();
}

// "Book another": the room and the client are chosen anew.
function cleared() {
  panels.offers.clear();
  panels.clients.clear();
  panels.booking.render();
  panels.offers.run();
}

// ---- start --------------------------------------------------------------------------------

function start() {
  const helpers = { api, t, tn, money, day, time, problem, reason, state };
  panels.offers = offersPanel({ ...helpers, chosen });
  panels.clients = clientsPanel({ ...helpers, chosen });
  panels.booking = bookingPanel({ ...helpers, ended: bookingEnded, cleared });
  $("#login-form").addEventListener("submit", signIn);
  $("#logout").addEventListener("click", () => signOut());
  $("#password-button").addEventListener("click", () =>
    openPasswordDialog({ api, t, username: state.me?.username || claims().sub || "" }));
  initBookings({ api, t, money, day, state });
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.lang = button.dataset.lang;
      localStorage.setItem("lang", state.lang);
      applyLanguage();
    });
  }
  applyLanguage();
  if (state.token) loadMe();
}

start();
