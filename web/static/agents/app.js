// The agents' desk: sign in, search, pick a client, book, follow the saga live, list and cancel.
import { el } from "/shared/dom.js";
import { changeForm } from "./change.js";
import { LOCALES, MESSAGES } from "./i18n.js";

const STAGES = ["hold_room", "verify_client", "write_reservation", "confirm_hold"];
const STAGES_DONE_BY_STATE = { PENDING: 0, ROOM_HELD: 1, CLIENT_VERIFIED: 2, RESERVED: 3, CONFIRMED: 4 };

const state = {
  token: sessionStorage.getItem("token"),
  lang: localStorage.getItem("lang") || (navigator.language || "en").slice(0, 2),
  offers: [],
  offer: null,
  clients: [],
  client: null,
  attempt: null, // {key, body, bookingId}: one per booking, reused when sending again
  stream: null,
  booking: null, // the followed booking's latest view
  log: [], // progress events of the followed booking
  bookings: [],
  changing: null, // {bookingId, form}: the change form open in the bookings list
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

function readableDetail(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`).join("; ");
  }
  if (detail && typeof detail === "object") return JSON.stringify(detail);
  return String(detail ?? "");
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
  $("#login-view").hidden = signedIn;
  $("#desk").hidden = !signedIn;
  $("#logout").hidden = !signedIn;
  $("#whoami").hidden = !signedIn;
  if (signedIn) $("#whoami").textContent = t("signed.in.as", { user: claims().sub || "?" });
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
    renderWhoami();
    loadBookings();
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
  sessionStorage.removeItem("token");
  if (state.stream) state.stream.close();
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
    { class: `offer${chosen ? " chosen" : ""}` },
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
  openStream(bookingId, 0);
}

// EventSource cannot send the Authorization header, and a token never goes into a URL: each
// stream opens with a one-use ticket for this booking, asked for just before.
async function openStream(bookingId, reconnects) {
  let ticket;
  try {
    ticket = (await api("/api/auth/tickets", { method: "POST", json: { booking_id: bookingId } })).ticket;
  } catch {
    if (state.booking?.booking_id === bookingId) $("#book-status").textContent = t("stream.lost");
    return;
  }
  if (state.booking?.booking_id !== bookingId || !state.token) return; // moved on meanwhile
  if (state.stream) state.stream.close();
  const url = `/api/bookings/${encodeURIComponent(bookingId)}/events?ticket=${encodeURIComponent(ticket)}`;
  const stream = new EventSource(url);
  state.stream = stream;
  stream.addEventListener("state", (event) => {
    state.booking = JSON.parse(event.data);
    // The stream may open on a saga already further on (even ended): log where it stands.
    const last = state.log[state.log.length - 1];
    if (!last || last.state !== state.booking.status) {
      state.log.push({ state: state.booking.status, step: null, at: state.booking.updated_at });
    }
    $("#book-status").textContent = "";
    if (state.booking.ended) finishStream();
    renderBookingPanel();
  });
  stream.addEventListener("step", (event) => {
    const step = JSON.parse(event.data);
    const last = state.log[state.log.length - 1];
    if (!(last && last.state === step.state && !step.step)) state.log.push(step);
    state.booking = { ...state.booking, status: step.state, ended: step.terminal };
    $("#book-status").textContent = "";
    renderBookingPanel();
    if (step.terminal) setTimeout(() => { if (state.stream === stream) refreshFollowed(); }, 1500);
  });
  stream.onerror = () => {
    if (state.stream !== stream) return;
    // Its ticket is spent: rather than let EventSource retry with it, open anew with a new one.
    stream.close();
    state.stream = null;
    if (state.booking?.ended) {
      refreshFollowed();
      return;
    }
    $("#book-status").textContent = t("stream.lost");
    if (reconnects < 5) {
      setTimeout(() => {
        if (state.booking?.booking_id === bookingId && !state.stream) openStream(bookingId, reconnects + 1);
      }, 1000 * (reconnects + 1));
    }
  };
}

async function refreshFollowed() {
  const id = state.booking?.booking_id;
  finishStream();
  if (!id) return;
  try {
    state.booking = await api(`/api/bookings/${encodeURIComponent(id)}`);
  } catch { /* the stream's last news stands */ }
  renderBookingPanel();
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

function stageStatus(name) {
  const view = state.booking;
  const step = (Array.isArray(view?.steps) ? view.steps : []).find((s) => s && s.name === name);
  const done = STAGES_DONE_BY_STATE[view?.status] ?? -1;
  if (done > STAGES.indexOf(name) || step?.status === "succeeded") return "done";
  if (step && ["failed", "timed_out"].includes(step.status)) return "failed";
  if (["FAILED", "COMPENSATING", "STUCK"].includes(view?.status)) return "skipped";
  return done === STAGES.indexOf(name) || step ? "active" : "waiting";
}

function renderProgress() {
  const list = $("#progress");
  if (!state.booking) {
    list.replaceChildren();
    return;
  }
  const stages = STAGES.map((name) => {
    const status = stageStatus(name);
    return el("li", { class: `stage ${status}`, "data-step": name, "data-status": status }, t(`step.${name}`));
  });
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
  $("#bookings tbody").replaceChildren(...state.bookings.flatMap((b) => {
    const reservation = b.reservation || {};
    const changeable = b.status === "CONFIRMED" && !b.changing;
    const cancel = changeable
      ? el("button", { type: "button", class: "danger small", onclick: (event) => cancelBooking(b, event.target) }, t("bookings.cancel"))
      : null;
    const change = changeable
      ? el("button", { type: "button", class: "ghost small", "data-testid": "change", onclick: () => openChange(b) }, t("bookings.change"))
      : null;
    const changing = b.changing ? el("span", { class: "badge state-CANCELLING" }, t("bookings.changing")) : null;
    const open = state.changing?.bookingId === b.booking_id
      ? [el("tr", { class: "change-row" }, el("td", { colspan: "6" }, state.changing.form))]
      : [];
    return [el("tr", { "data-booking": b.booking_id },
      el("td", {}, b.hotel_name || b.hotel_id || "—", el("br"), el("small", { class: "muted" }, b.room_type || "")),
      el("td", {}, `${day(b.check_in)} → ${day(b.check_out)}`),
      el("td", {}, el("span", { class: `badge state-${b.status}` }, t(`state.${b.status}`)),
        b.reason ? [el("br"), el("small", { class: "muted" }, b.reason)] : null),
      el("td", { class: "code" }, reservation.confirmation_code || "—"),
      el("td", {}, money(reservation.total, reservation.currency)),
      el("td", { class: "actions" }, change, cancel, changing)), ...open];
  }));
}

function openChange(booking) {
  const form = changeForm(booking, {
    api, t, money, day,
    close: () => { state.changing = null; renderBookings(); },
    ended: () => loadBookings(),
  });
  state.changing = { bookingId: booking.booking_id, form };
  renderBookings();
  form.querySelector("input")?.focus();
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
  if (state.token) loadBookings();
}

start();
