// The agents' desk: sign in, search, pick a client, book, follow the saga live, list, change
// and cancel; an agency manager also sees the agency's bookings and manages its team. Anyone
// signed in changes their own password here.
import { el } from "/shared/dom.js";
import { readableDetail } from "/shared/errors.js";
import { openPasswordDialog } from "/shared/password.js";
import { openChange } from "./change.js";
import { LOCALES, MESSAGES } from "./i18n.js";
import { stageItems } from "./progress.js";
import { followSaga } from "./stream.js";
import { team } from "./team.js";

const STAGES = ["hold_room", "verify_client", "write_reservation", "confirm_hold"];
const STAGES_DONE_BY_STATE = { PENDING: 0, ROOM_HELD: 1, CLIENT_VERIFIED: 2, RESERVED: 3, CONFIRMED: 4 };

const BOOKING_ROLES = new Set(["agent", "agency_manager"]);

const state = {
  token: sessionStorage.getItem("token"),
  me: null, // who is signed in (GET /api/me): role, agency
  team: null, // an agency manager's team panel
  lang: localStorage.getItem("lang") || (navigator.language || "en").slice(0, 2),
  offers: [],
  offer: null,
  clients: [],
  client: null,
  attempt: null, // {key, body, bookingId}: one per booking, reused when sending again
  stream: null, // the followed booking's events (a followSaga handle)
  booking: null, // the followed booking's latest view
  log: [], // progress events of the followed booking
  bookings: [],
  changes: new Set(), // the changes followed (their dialogs' handles), stopped on signing out
};
if (!MESSAGES[state.lang]) state.lang = "en";

const $ = (selector) => document.querySelector(selector);

function t(key, vars = {}) {
  const text = MESSAGES[state.lang][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
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

// ---- HTTP ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, detail, body = {}) {
    super(readableDetail(detail));
    this.status = status;
    this.body = body;
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
    throw new ApiError(0, error.message || "network error");
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401 && state.token) {
    signOut(t("error.session"));
  }
  if (!response.ok) throw new ApiError(response.status, body.detail ?? response.statusText, body);
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
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  renderWhoami();
  state.team?.render();
  renderOffers();
  renderClients();
  renderBookingPanel();
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
  $("#whoami").textContent = state.me?.agency
    ? t("signed.in.as.agency", { user, agency: state.me.agency.name })
    : t("signed.in.as", { user });
  $("#bookings-title").textContent = t(state.me?.role === "agency_manager" ? "bookings.title.agency" : "bookings.title");
}

// Who is signed in decides what the desk shows: the team of an agency manager; nothing to book
// for a hotel manager or an operator, who work in the back office.
async function loadMe() {
  try {
    state.me = await api("/api/me");
  } catch (error) {
    if (state.token) $("#bookings-status").textContent = t("error.generic", { reason: error.message });
    return;
  }
  if (state.me.role === "agency_manager") {
    state.team = team({ api, t, day, me: () => state.me, translate: applyLanguage });
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
    $("#login-error").textContent = error.status === 401 ? t("login.failed") : t("error.generic", { reason: error.message });
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
  if (state.stream) state.stream.close();
  for (const change of state.changes) change.stop();
  state.changes.clear();
  renderWhoami();
  if (message) {
    $("#login-error").textContent = message;
    $("#login-error").hidden = false;
  }
}

// ---- search -------------------------------------------------------------------------------

async function search(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const destination = String(form.get("destination")).trim();
  const params = new URLSearchParams({
    check_in: form.get("check_in"),
    check_out: form.get("check_out"),
    guests: form.get("guests"),
  });
  if (/^[A-Za-z]{2}$/.test(destination)) params.set("country", destination.toUpperCase());
  else params.set("city", destination);
  $("#search-status").textContent = "…";
  try {
    const body = await api(`/api/availability?${params}`);
    state.offers = (Array.isArray(body) ? body : body.results || []).map((offer) => ({
      ...offer,
      check_in: form.get("check_in"),
      check_out: form.get("check_out"),
      guests: Number(form.get("guests")),
    }));
    state.offer = null;
  } catch (error) {
    state.offers = [];
    $("#search-status").textContent = t("error.generic", { reason: error.message });
    renderOffers(false);
    return;
  }
  renderOffers();
  renderBookingPanel();
}

function renderOffers(updateStatus = true) {
  const list = $("#results");
  list.replaceChildren(...state.offers.map(offerCard));
  if (updateStatus && state.token && $("#search-status").textContent) {
    $("#search-status").textContent = state.offers.length
      ? t("search.count", { count: state.offers.length })
      : t("search.none");
  }
}

function offerCard(offer) {
  const chosen = state.offer === offer;
  const nights = offer.nightly_prices || [];
  return el(
    "li",
    {
      class: `offer${chosen ? " chosen" : ""}`,
      "data-hotel": offer.hotel_id,
      "data-room-type": offer.room_type_id,
      "data-available": String(offer.available),
      "data-total": String(offer.total),
    },
    el("div", { class: "offer-main" },
      el("h3", {}, offer.hotel_name),
      el("p", { class: "muted" }, `${offer.city}, ${offer.country}`),
      el("p", {}, el("strong", {}, offer.room_type), " · ", t("result.capacity", { count: offer.capacity }),
        " · ", el("span", { class: "badge ok" }, t("result.available", { count: offer.available })))),
    el("div", { class: "offer-prices" },
      el("p", { class: "muted" }, t("result.nightly")),
      el("ul", { class: "nights" }, nights.map((n) => el("li", {}, el("span", {}, day(n.night)), el("span", {}, money(n.price, offer.currency))))),
      el("p", { class: "total" }, `${t("result.total")} `, el("strong", {}, money(offer.total, offer.currency)))),
    el("button", {
      type: "button",
      class: chosen ? "primary" : "",
      "aria-pressed": String(chosen),
      "data-testid": "choose-offer",
      onclick: () => { state.offer = offer; renderOffers(); renderBookingPanel(); },
    }, chosen ? t("result.chosen") : t("result.choose")),
  );
}

// ---- clients ------------------------------------------------------------------------------

async function findClients(event) {
  event.preventDefault();
  const q = $("#client-query").value.trim();
  try {
    const page = await api(`/api/clients?${new URLSearchParams({ q, limit: 10 })}`);
    state.clients = page.items || [];
    $("#client-status").textContent = state.clients.length ? "" : t("client.none");
  } catch (error) {
    state.clients = [];
    $("#client-status").textContent = t("error.generic", { reason: error.message });
  }
  renderClients();
}

function renderClients() {
  $("#clients").replaceChildren(...state.clients.map((client) => {
    const chosen = state.client?.id === client.id;
    return el("li", { class: chosen ? "chosen" : "" },
      el("span", {}, el("strong", {}, `${client.first_name} ${client.last_name}`), " ",
        el("span", { class: "muted" }, `${client.email} · ${client.nationality}`),
        client.status === "blocked" ? el("span", { class: "badge bad" }, t("client.blocked")) : null),
      el("button", {
        type: "button",
        "aria-pressed": String(chosen),
        onclick: () => { state.client = client; renderClients(); renderBookingPanel(); },
      }, chosen ? t("client.chosen") : t("client.choose")));
  }));
}

async function createClient(event) {
  event.preventDefault();
  const form = Object.fromEntries(new FormData(event.target));
  form.nationality = form.nationality.toUpperCase();
  try {
    const client = await api("/api/clients", { method: "POST", json: form });
    state.client = client;
    state.clients = [client];
    event.target.reset();
    $("#client-form-status").textContent = t("client.created");
    renderClients();
    renderBookingPanel();
  } catch (error) {
    if (error.status === 409 && error.body.client_id) {
      await chooseKnownClient(error.body.client_id, event.target);
      return;
    }
    $("#client-form-status").textContent = t("error.generic", { reason: error.message });
  }
}

// The agency already knows a client with this address: offer that client instead.
async function chooseKnownClient(clientId, form) {
  try {
    const client = await api(`/api/clients/${encodeURIComponent(clientId)}`);
    state.client = client;
    state.clients = [client];
    form.reset();
    $("#client-form-status").textContent = t("client.known");
    renderClients();
    renderBookingPanel();
  } catch (error) {
    $("#client-form-status").textContent = t("error.generic", { reason: error.message });
  }
}

// ---- booking ------------------------------------------------------------------------------

function bookingBody() {
  const { offer, client } = state;
  return {
    client_id: client.id,
    hotel_id: offer.hotel_id,
    room_type_id: offer.room_type_id,
    check_in: offer.check_in,
    check_out: offer.check_out,
    guests: offer.guests,
  };
}

async function book() {
  const body = bookingBody();
  if (!state.attempt || JSON.stringify(state.attempt.body) !== JSON.stringify(body)) {
    state.attempt = { key: crypto.randomUUID(), body, bookingId: null };
  }
  const attempt = state.attempt;
  $("#book-button").disabled = true;
  $("#book-status").textContent = t("book.sending");
  try {
    const accepted = await api("/api/bookings", {
      method: "POST",
      json: attempt.body,
      headers: { "Idempotency-Key": attempt.key },
    });
    attempt.bookingId = accepted.booking_id;
    $("#book-status").textContent = "";
    follow(accepted.booking_id, accepted.status);
  } catch (error) {
    const retryable = error.status === 0 || error.status >= 500;
    if (!retryable) state.attempt = null;
    $("#book-status").textContent = retryable
      ? t("book.unsent", { reason: error.message })
      : t("error.generic", { reason: error.message });
    $("#book-button").textContent = retryable ? t("book.retry") : t("book.submit");
    $("#book-button").disabled = false;
  }
}

function follow(bookingId, status) {
  if (state.stream) state.stream.close();
  state.stream = null;
  state.booking = { booking_id: bookingId, status, steps: [] };
  state.log = [{ state: status || "PENDING", step: null, at: new Date().toISOString() }];
  renderBookingPanel();
  openStream(bookingId);
}

function openStream(bookingId) {
  const path = `/api/bookings/${encodeURIComponent(bookingId)}`;
  state.stream = followSaga(api, {
    bookingId,
    events: `${path}/events`,
    self: path,
    wanted: () => state.booking?.booking_id === bookingId && Boolean(state.token),
    state: (view) => {
      state.booking = view;
      // The stream may open on a saga already further on (even ended): log where it stands.
      const last = state.log[state.log.length - 1];
      if (!last || last.state !== view.status) {
        state.log.push({ state: view.status, step: null, at: view.updated_at });
      }
      $("#book-status").textContent = "";
      if (view.ended) finishStream();
      renderBookingPanel();
    },
    step: (step) => {
      const last = state.log[state.log.length - 1];
      if (!(last && last.state === step.state && !step.step)) state.log.push(step);
      state.booking = { ...state.booking, status: step.state, ended: step.terminal };
      $("#book-status").textContent = "";
      renderBookingPanel();
    },
    lost: (stopped) => {
      if (state.booking?.booking_id === bookingId) $("#book-status").textContent = t(stopped ? "stream.stopped" : "stream.lost");
    },
  });
}

function finishStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
  state.attempt = null;
  loadBookings();
}

function renderBookingPanel() {
  const ready = state.offer && state.client;
  const following = state.booking && !state.booking.ended && state.booking.status !== "STUCK";
  $("#book-button").disabled = !ready || Boolean(following);
  if (!state.attempt) $("#book-button").textContent = t("book.submit");
  $("#book-summary").textContent = ready
    ? t("book.summary", {
        room: state.offer.room_type,
        hotel: state.offer.hotel_name,
        check_in: day(state.offer.check_in),
        check_out: day(state.offer.check_out),
        guests: state.offer.guests,
        client: `${state.client.first_name} ${state.client.last_name}`,
      })
    : t("book.pick");
  renderProgress();
  renderOutcome();
}

function renderProgress() {
  const list = $("#progress");
  if (!state.booking) {
    list.replaceChildren();
    return;
  }
  const stages = stageItems(state.booking, STAGES, STAGES_DONE_BY_STATE, t);
  const log = state.log.map((entry) =>
    el("li", { class: "log" },
      el("time", { datetime: entry.at }, new Date(entry.at).toLocaleTimeString(LOCALES[state.lang])),
      " ", el("strong", {}, t(`state.${entry.state}`)),
      entry.step ? ` · ${t(`step.${entry.step}`)}` : "",
      entry.detail ? el("span", { class: "muted" }, ` — ${entry.detail}`) : null));
  list.replaceChildren(...stages, el("li", { class: "log-head", "aria-hidden": "true" }), ...log);
}

function renderOutcome() {
  const box = $("#outcome");
  const view = state.booking;
  const status = view?.status;
  if (!view || !["CONFIRMED", "FAILED", "STUCK", "CANCELLED"].includes(status)) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.hidden = false;
  box.className = `outcome ${status === "CONFIRMED" ? "ok" : "bad"}`;
  box.dataset.status = status;
  const another = el("button", { type: "button", class: "ghost", onclick: resetBooking }, t("book.another"));
  if (status === "CONFIRMED") {
    const reservation = view.reservation || {};
    box.replaceChildren(
      el("h3", {}, t("book.confirmed")),
      el("p", {}, `${t("book.code")}: `, el("strong", { class: "code", "data-testid": "confirmation-code" }, reservation.confirmation_code || "…")),
      el("p", {}, `${t("book.total")}: `, el("strong", {}, money(reservation.total, reservation.currency))),
      another);
  } else if (status === "STUCK") {
    box.replaceChildren(el("h3", {}, t("state.STUCK")), el("p", {}, t("book.stuck")), another);
  } else {
    box.replaceChildren(el("h3", {}, status === "FAILED" ? t("book.failed") : t("state.CANCELLED")),
      el("p", { class: "reason" }, view.reason || ""), another);
  }
}

function resetBooking() {
  if (state.stream) state.stream.close();
  Object.assign(state, { stream: null, booking: null, log: [], attempt: null });
  renderBookingPanel();
}

// ---- bookings list ------------------------------------------------------------------------

async function loadBookings() {
  if (!state.token) return;
  try {
    const page = await api("/api/bookings?limit=20");
    state.bookings = await Promise.all((page.items || []).map(withDetails));
    $("#bookings-status").textContent = state.bookings.length ? "" : t("bookings.none");
  } catch (error) {
    $("#bookings-status").textContent = t("error.generic", { reason: error.message });
  }
  renderBookings();
  if (state.token) $("#bookings").dataset.loaded = String(Date.now()); // a test waits on this
}

// Reload the list until no cancellation is in flight (or the tries run out).
function followCancellations(triesLeft) {
  setTimeout(async () => {
    await loadBookings();
    if (triesLeft > 1 && state.bookings.some((b) => b.status === "CANCELLING")) followCancellations(triesLeft - 1);
  }, 1500);
}

// A list entry may be a summary without the stay and the reservation: read those one by one.
async function withDetails(booking) {
  if (booking.check_in) return booking;
  try {
    return await api(`/api/bookings/${encodeURIComponent(booking.booking_id)}`);
  } catch {
    return booking;
  }
}

function renderBookings() {
  const agency = state.me?.role === "agency_manager"; // the agency's bookings: say who booked each
  $("#bookings tbody").replaceChildren(...state.bookings.map((b) => {
    const reservation = b.reservation || {};
    const changeable = b.status === "CONFIRMED" && !b.changing;
    const cancel = changeable
      ? el("button", { type: "button", class: "danger small", onclick: (event) => cancelBooking(b, event.target) }, t("bookings.cancel"))
      : null;
    const change = changeable
      ? el("button", { type: "button", class: "small", "data-testid": "change", "aria-haspopup": "dialog", onclick: () => changeBooking(b) }, t("bookings.change"))
      : null;
    const changing = b.changing
      ? el("span", { class: "badge state-CHANGING", "data-testid": "changing" }, t("bookings.changing"))
      : null;
    return el("tr", { "data-booking": b.booking_id },
      el("td", {}, b.hotel_name || b.hotel_id || "—", el("br"), el("small", { class: "muted" }, b.room_type || ""),
        agency && b.agent_id
          ? [el("br"), el("small", { class: "booked-by", "data-testid": "booked-by", "data-agent": b.agent_id }, t("bookings.booked_by", { agent: b.agent_id }))]
          : null),
      el("td", { class: "stay", "data-check-in": b.check_in || "", "data-check-out": b.check_out || "" },
        `${day(b.check_in)} → ${day(b.check_out)}`),
      el("td", {}, el("span", { class: `badge state-${b.status}` }, t(`state.${b.status}`)),
        b.reason ? [el("br"), el("small", { class: "muted" }, b.reason)] : null),
      el("td", { class: "code" }, reservation.confirmation_code || "—"),
      el("td", {}, money(reservation.total, reservation.currency)),
      el("td", { class: "actions" }, change, cancel, changing));
  }));
}

// The change dialog of a confirmed booking; its change, once asked for, is followed to its end
// even if the dialog is closed, and the list then says how it ended.
function changeBooking(booking) {
  const handle = openChange(booking, {
    api, t, money, day,
    signedIn: () => Boolean(state.token),
    started: () => loadBookings(),
    ended: async (view, message) => {
      if (!handle.open) state.changes.delete(handle);
      await loadBookings();
      $("#bookings-status").textContent = message;
    },
    closed: () => {
      if (!handle.following) state.changes.delete(handle);
      const row = [...document.querySelectorAll("#bookings tbody tr")].find((tr) => tr.dataset.booking === booking.booking_id);
      (row?.querySelector("[data-testid=change]") || $("#bookings-refresh")).focus();
    },
  });
  state.changes.add(handle);
}

async function cancelBooking(booking, button) {
  if (!button.dataset.armed) { // a second click confirms, so one slip never cancels a stay
    button.dataset.armed = "1";
    button.textContent = t("bookings.cancel.confirm");
    return;
  }
  button.disabled = true;
  try {
    await api(`/api/bookings/${encodeURIComponent(booking.booking_id)}/cancel`, { method: "POST" });
    $("#bookings-status").textContent = t("bookings.cancelling");
    booking.status = "CANCELLING";
    renderBookings();
    followCancellations(20);
  } catch (error) {
    if (error.status === 409) await loadBookings(); // changed or cancelled meanwhile: show it
    $("#bookings-status").textContent = t("error.generic", { reason: error.message });
    button.disabled = false;
  }
}

// ---- start --------------------------------------------------------------------------------

function isoDaysFromNow(days) {
  const date = new Date();
  date.setDate(date.getDate() + days);
  return date.toISOString().slice(0, 10);
}

function start() {
  $("#check-in").value = isoDaysFromNow(14);
  $("#check-out").value = isoDaysFromNow(17);
  $("#login-form").addEventListener("submit", signIn);
  $("#logout").addEventListener("click", () => signOut());
  $("#password-button").addEventListener("click", () =>
    openPasswordDialog({ api, t, username: state.me?.username || claims().sub || "" }));
  $("#search-form").addEventListener("submit", search);
  $("#client-search-form").addEventListener("submit", findClients);
  $("#client-form").addEventListener("submit", createClient);
  $("#book-button").addEventListener("click", book);
  $("#bookings-refresh").addEventListener("click", loadBookings);
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
