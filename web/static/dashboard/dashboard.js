// The back office: operators see health, sagas by state, charts, sagas to act on, dead letters,
// agencies and users; hotel managers see their hotels' calendars and bookings. Each person sees
// the sections of their role only, in English or French (the EN/FR switch, remembered).
import { openPasswordDialog } from "/shared/password.js";
import { problemText } from "/shared/problems.js";
import { hotelBookings } from "./bookings.js";
import { deadLetters } from "./deadletters.js";
import { hotelCalendar } from "./hotels.js";
import { clock, language, setLanguage, t } from "./i18n.js";
import { operations } from "./operations.js";
import { agencies, users } from "./people.js";
import { sagas } from "./sagas.js";

const FAST_REFRESH_MS = 5000;
const SLOW_REFRESH_MS = 10000;

const state = {
  token: sessionStorage.getItem("ops-token"),
  me: null, // who is signed in (GET /api/me)
  view: null,
  sections: {}, // the sections shown to this person, each {show(options), render()} by name
  board: [], // the operations board's parts, each {load(), render()}
  timers: [],
  loginError: null, // the key and values of the message under the login form
};
const $ = (selector) => document.querySelector(selector);

// ---- HTTP ---------------------------------------------------------------------------------

// A refusal as the reader's sentence: the server's code translated, or its words.
export function errorText(error) {
  if (error.status === 0) return t("error.network");
  return problemText(error.body ?? { detail: error.message }, language());
}

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
  if (response.status === 401 && state.token) signOut("login.session_ended");
  if (!response.ok) {
    const problem = body.detail !== undefined ? body : { detail: response.statusText };
    const error = new Error(problemText(problem, language()));
    error.status = response.status;
    error.body = problem;
    throw error;
  }
  return body;
}

// ---- language -----------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = language();
  document.title = t("app.title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
  for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
  }
  const hotels = $('#sections [data-view="hotels"]');
  hotels.textContent = t(state.me?.role === "hotel_manager" ? "nav.my_hotels" : "nav.hotels");
  renderWhoami();
  renderLoginError();
  if (state.me) {
    for (const part of [...state.board, ...Object.values(state.sections)]) part.render();
  }
}

function renderWhoami() {
  if (!state.me) return;
  const role = t(`role.${state.me.role}.lower`);
  $("#whoami").textContent = t("whoami", { name: state.me.display_name || state.me.username, role });
}

function renderLoginError() {
  const shown = state.loginError;
  $("#login-error").hidden = !shown;
  if (shown) $("#login-error").textContent = shown.text ?? t(shown.key, shown.vars);
}

// ---- sign in ------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  state.loginError = null;
  renderLoginError();
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
    state.loginError = error.status === 401 ? { key: "login.wrong" }
      : error.status === 429 ? { key: "login.throttled", vars: { reason: errorText(error) } }
      : { text: errorText(error) };
    renderLoginError();
  }
}

// `message`: the key of what to say under the login form.
function signOut(message) {
  if (state.token) {
    // The token is revoked on the server, not only forgotten here.
    fetch("/api/auth/sign-out", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  }
  state.token = null;
  state.me = null;
  state.board = [];
  sessionStorage.removeItem("ops-token");
  state.timers.forEach(clearInterval);
  state.timers = [];
  for (const view of document.querySelectorAll(".view")) view.hidden = true;
  document.querySelector("dialog[open]")?.close();
  $("#sections").hidden = true;
  $("#login-view").hidden = false;
  for (const id of ["#logout", "#password-button", "#whoami", "#refreshed"]) $(id).hidden = true;
  state.loginError = message ? { key: message } : null;
  delete $("#login-error").dataset.reason;
  renderLoginError();
}

// The sections of each role, the first one opening on sign-in; agents have another app.
const SECTIONS_BY_ROLE = {
  operator: ["operations", "agencies", "users", "hotels"],
  hotel_manager: ["hotels", "bookings"],
};

async function showBoard() {
  state.me = await api("/api/me");
  const names = SECTIONS_BY_ROLE[state.me.role];
  if (!names) {
    signOut("login.elsewhere");
    $("#login-error").dataset.reason = "elsewhere";
    return;
  }
  const context = { api, errorText, me: state.me, open: showSection };
  state.board = state.me.role === "operator"
    ? [operations(context), sagas(context), deadLetters(context)] : [];
  const makers = {
    operations: () => ({ show() {}, render() {} }),
    agencies: () => agencies(context),
    users: () => users(context),
    hotels: () => hotelCalendar(context),
    bookings: () => hotelBookings(context),
  };
  state.sections = Object.fromEntries(names.map((name) => [name, makers[name]()]));
  for (const button of document.querySelectorAll("#sections [data-view]")) {
    button.hidden = !names.includes(button.dataset.view);
  }
  $("#login-view").hidden = true;
  $("#sections").hidden = names.length < 2;
  for (const id of ["#logout", "#password-button", "#whoami"]) $(id).hidden = false;
  applyLanguage();
  showSection(names[0]);
  if (state.board.length) {
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
  await state.board[0]?.load();
  state.refreshedAt = new Date().toISOString();
  $("#refreshed").hidden = false;
  $("#refreshed").textContent = t("refreshed", { time: clock(state.refreshedAt) });
}

async function refreshSlow() {
  await Promise.allSettled(state.board.slice(1).map((part) => part.load()));
}

// ---- start --------------------------------------------------------------------------------

function start() {
  $("#login-form").addEventListener("submit", signIn);
  $("#logout").addEventListener("click", () => signOut());
  $("#password-button").addEventListener("click", () =>
    openPasswordDialog({ api, t, username: state.me?.username || "" }));
  for (const button of document.querySelectorAll("#sections [data-view]")) {
    button.addEventListener("click", () => showSection(button.dataset.view));
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      setLanguage(button.dataset.lang);
      applyLanguage();
      if (state.refreshedAt) $("#refreshed").textContent = t("refreshed", { time: clock(state.refreshedAt) });
    });
  }
  applyLanguage();
  if (state.token) showBoard().catch((error) => signOut(error.status === 401 ? null : "error.network"));
}

start();
