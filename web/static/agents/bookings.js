// The bookings of the agents' desk: a search form (confirmation code, client's name, hotel,
// stay dates, status), the list page by page (newest first, 20 a page), and each booking's
// page (booking_page.js), opened at `#booking/<id>` so the browser's Back returns to the list.
// app.js calls initBookings() once with its helpers, loadBookings() when the list may have
// changed, and renderBookings() when the language changes.
import { el } from "/shared/dom.js";
import { problemText } from "/shared/problems.js";
import { closeBookingPage, openBookingPage, renderBookingPage } from "./booking_page.js";
import { openChange } from "./change.js";
import { ctx, provide } from "./context.js";

export const PAGE_SIZE = 20;
const FILTERS = ["code", "client", "hotel_id", "stay_from", "stay_to", "status"];
const HASH = /^#booking\/([^/]+)$/;

const $ = (selector) => document.querySelector(selector);

const list = {
  filters: {}, // the search sent, by FILTERS name (empty ones left out)
  offset: 0,
  total: 0,
  loading: 0, // numbers the reads: only the latest one is shown
  hotels: null, // the group's hotels for the search form, once read: [{id, name, city}]
  message: null, // {make, isError}: the status line, said again when the language changes
  opened: false, // the list was read once since signing in (a booking's address then opens)
  page: null, // the booking's page shown (booking_page.js's handle), if one is
};

export function initBookings(deps) {
  provide(deps);
  $("#bookings-refresh").addEventListener("click", () => loadBookings());
  $("#bookings-search").addEventListener("submit", (event) => {
    event.preventDefault();
    searchBookings();
  });
  $("#bookings-search").addEventListener("reset", () => {
    // After the form has cleared its fields: the whole list again, from its newest.
    setTimeout(() => {
      $("#bookings-to").min = "";
      list.filters = {};
      list.offset = 0;
      loadBookings();
    });
  });
  $("#bookings-from").addEventListener("change", () => {
    $("#bookings-to").min = $("#bookings-from").value;
  });
  $("#bookings-newer").addEventListener("click", () => turnPage(-1));
  $("#bookings-older").addEventListener("click", () => turnPage(1));
  $("#booking-back").addEventListener("click", backToList);
  window.addEventListener("hashchange", followHash);
}

// ---- text helpers -----------------------------------------------------------------------

// The sentence for an error of api(): the server's code in the app's language.
export function errorText(error) {
  const { t, state } = ctx;
  const body = error.body;
  const reason = body && (body.code || body.detail) ? problemText(body, state.lang) : error.message;
  return t("error.generic", { reason });
}

// Why a booking failed, in the app's language.
export function reasonText(booking) {
  if (!booking.reason && !booking.reason_code) return "";
  return problemText(
    { code: booking.reason_code, params: booking.reason_params || {}, detail: booking.reason || "" },
    ctx.state.lang,
  );
}

// Who the booking is for, as this person may see it.
export function personOf(booking) {
  return booking.client_name || booking.guest_name || "";
}

// ---- search and pages -------------------------------------------------------------------

function searchBookings() {
  const form = new FormData($("#bookings-search"));
  const filters = {};
  for (const name of FILTERS) {
    const value = String(form.get(name) ?? "").trim();
    if (value) filters[name] = value;
  }
  if (filters.stay_from && filters.stay_to && filters.stay_to <= filters.stay_from) {
    showStatus(() => ctx.t("bookings.search.dates"), true);
    $("#bookings-to").focus();
    return;
  }
  list.filters = filters;
  list.offset = 0;
  loadBookings();
}

function turnPage(direction) {
  list.offset = Math.max(0, list.offset + direction * PAGE_SIZE);
  loadBookings();
}

// The list's status line; `make` gives its text in the language of the moment (it is said
// again when the language changes).
function showStatus(make, isError = false) {
  list.message = make ? { make, isError } : null;
  const status = $("#bookings-status");
  status.textContent = make ? make() : "";
  status.classList.toggle("error", isError);
}

export async function loadBookings() {
  const { api, t, state } = ctx;
  if (!state.token) return;
  loadHotels();
  const asked = ++list.loading;
  const params = new URLSearchParams({ ...list.filters, limit: String(PAGE_SIZE), offset: String(list.offset) });
  let page;
  try {
    page = await api(`/api/bookings?${params}`);
  } catch (error) {
    if (asked === list.loading) showStatus(() => errorText(error), true);
    return;
  }
  if (asked !== list.loading) return; // a newer read was asked meanwhile
  const items = await Promise.all((page.items || []).map(withDetails));
  if (asked !== list.loading) return;
  list.total = Number(page.total ?? items.length);
  if (!items.length && list.offset > 0 && list.total > 0) {
    // The page emptied (bookings went away): show the last page that has some.
    list.offset = Math.max(0, Math.floor((list.total - 1) / PAGE_SIZE) * PAGE_SIZE);
    loadBookings();
    return;
  }
  state.bookings = items;
  const searching = Object.keys(list.filters).length > 0;
  showStatus(items.length ? null : () => ctx.t(searching ? "bookings.search.none" : "bookings.none"));
  renderBookings();
  if (state.token) $("#bookings").dataset.loaded = String(Date.now()); // a test waits on this
  if (!list.opened) {
    list.opened = true;
    followHash(); // a booking's address opened before signing in
  }
}

// The group's hotels for the search form (with those of the bookings listed, should the
// catalogue be away).
async function loadHotels() {
  if (list.hotels) return;
  list.hotels = [];
  try {
    const body = await ctx.api("/api/hotels");
    list.hotels = (body.items || []).filter((h) => h.id && h.name);
  } catch {
    // the form keeps "All hotels" and those of the bookings listed
  }
  renderHotelOptions();
}

function renderHotelOptions() {
  const select = $("#bookings-hotel");
  const chosen = select.value;
  const known = new Map((list.hotels || []).map((h) => [h.id, h]));
  for (const b of ctx.state.bookings || []) {
    if (b.hotel_id && b.hotel_name && !known.has(b.hotel_id)) known.set(b.hotel_id, { id: b.hotel_id, name: b.hotel_name });
  }
  const hotels = [...known.values()].sort((a, b) => a.name.localeCompare(b.name, ctx.state.lang));
  const all = select.querySelector('option[value=""]');
  select.replaceChildren(all, ...hotels.map((h) =>
    el("option", { value: h.id }, h.city ? `${h.name} (${h.city})` : h.name)));
  select.value = known.has(chosen) ? chosen : "";
}

// ---- the list ---------------------------------------------------------------------------

// Reload the list until no cancellation is in flight (or the tries run out).
function followCancellations(triesLeft) {
  setTimeout(async () => {
    await loadBookings();
    if (list.page) await list.page.reload();
    const waiting = ctx.state.bookings.some((b) => b.status === "CANCELLING") || list.page?.view?.status === "CANCELLING";
    if (triesLeft > 1 && waiting) followCancellations(triesLeft - 1);
  }, 1500);
}

// A list entry may be a summary without the stay and the reservation: read those one by one.
async function withDetails(booking) {
  if (booking.check_in) return booking;
  try {
    return { ...booking, ...(await ctx.api(`/api/bookings/${encodeURIComponent(booking.booking_id)}`)) };
  } catch {
    return booking;
  }
}

function renderPager() {
  const { t } = ctx;
  const pager = $("#bookings-pager");
  const count = ctx.state.bookings.length;
  pager.hidden = !ctx.state.token || (list.total <= PAGE_SIZE && list.offset === 0);
  pager.setAttribute("aria-label", t("bookings.pager.label"));
  pager.dataset.offset = String(list.offset);
  pager.dataset.total = String(list.total);
  const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
  const pageNo = Math.floor(list.offset / PAGE_SIZE) + 1;
  const number = (n) => new Intl.NumberFormat(ctx.state.lang === "fr" ? "fr-FR" : "en-GB").format(n);
  $("#bookings-range").textContent = count
    ? `${t("bookings.pager.page", { page: number(pageNo), pages: number(pages) })} · ${t("bookings.pager.range", {
        first: number(list.offset + 1), last: number(list.offset + count), total: number(list.total) })}`
    : "";
  $("#bookings-newer").disabled = list.offset === 0;
  $("#bookings-older").disabled = list.offset + count >= list.total;
}

export function renderBookings() {
  const { t, money, day, state } = ctx;
  if (!state) return;
  if (!state.token) {
    list.filters = {};
    list.offset = 0;
    list.total = 0;
    list.hotels = null;
    list.opened = false;
    list.message = null;
    $("#bookings-search").reset();
    if (list.page) closePage({ keepHash: false });
  }
  const agency = state.me?.role === "agency_manager"; // the agency's bookings: say who booked each
  const hotelManager = state.me?.role === "hotel_manager";
  $("#bookings-client-head").textContent = t(hotelManager ? "bookings.guest" : "bookings.client");
  $("#bookings tbody").replaceChildren(...state.bookings.map((b) => {
    const reservation = b.reservation || {};
    const code = reservation.confirmation_code;
    const changeable = b.status === "CONFIRMED" && !b.changing;
    const hotel = b.hotel_name || t("bookings.hotel.unknown");
    const person = personOf(b);
    const open = el("a", {
      class: "button small",
      href: `#booking/${encodeURIComponent(b.booking_id)}`,
      "data-testid": "open-booking",
      "aria-label": t("bookings.open.label", { what: [code || t("bookings.no_code"), person, hotel].filter(Boolean).join(", ") }),
    }, t("bookings.open"));
    const cancel = changeable
      ? el("button", { type: "button", class: "danger small", onclick: (event) => cancelBooking(b, event.target) }, t("bookings.cancel"))
      : null;
    const change = changeable
      ? el("button", { type: "button", class: "small", "data-testid": "change", "aria-haspopup": "dialog", onclick: () => changeBooking(b) }, t("bookings.change"))
      : null;
    const changing = b.changing
      ? el("span", { class: "badge state-CHANGING", "data-testid": "changing" }, t("bookings.changing"))
      : null;
    const reason = reasonText(b);
    return el("tr", { "data-booking": b.booking_id, "data-status": b.status, "data-code": code || "" },
      el("td", { class: "person", "data-testid": "booking-client" }, person ? el("strong", {}, person) : "—",
        agency && b.agent_id
          ? [el("br"), el("small", { class: "booked-by", "data-testid": "booked-by", "data-agent": b.agent_id }, t("bookings.booked_by", { agent: b.agent_id }))]
          : null),
      el("td", { class: "hotel", "data-testid": "booking-hotel" }, hotel, el("br"),
        el("small", { class: "muted", "data-testid": "booking-room" }, b.room_type || "")),
      el("td", { class: "stay", "data-check-in": b.check_in || "", "data-check-out": b.check_out || "" },
        `${day(b.check_in)} → ${day(b.check_out)}`),
      el("td", { class: "state" }, el("span", { class: `badge state-${b.status}` }, t(`state.${b.status}`)),
        reason ? [el("br"), el("small", { class: "muted reason", "data-testid": "booking-reason" }, reason)] : null),
      el("td", { class: code ? "code" : "code empty" }, code || "—"),
      el("td", { class: reservation.total ? "money" : "money empty" }, money(reservation.total, reservation.currency)),
      el("td", { class: "actions" }, open, change, cancel, changing));
  }));
  renderPager();
  if (list.message) showStatus(list.message.make, list.message.isError);
  if (list.hotels) renderHotelOptions();
  if (list.page) renderBookingPage(list.page);
}

// ---- a booking's page -------------------------------------------------------------------

// `event`: the hashchange of a link followed in the app (the browser's Back then returns to
// the list); none for an address the desk was opened at.
function followHash(event) {
  if (!ctx.state?.token) return;
  const match = HASH.exec(location.hash);
  if (match) {
    const id = decodeURIComponent(match[1]);
    if (list.page?.id !== id) {
      showPage(id);
      list.page.fromList = Boolean(event);
    }
  } else if (list.page) {
    closePage({ keepHash: true });
  }
}

function showPage(id) {
  if (list.page) closeBookingPage(list.page);
  $("#bookings-card").hidden = true;
  const section = $("#booking-page");
  section.hidden = false;
  list.page = openBookingPage(id, section.querySelector("#booking-page-body"), {
    cancel: cancelBooking,
    change: (view) => changeBooking(view),
    changed: () => loadBookings(),
  });
  section.focus();
  section.scrollIntoView({ block: "start" });
}

function closePage({ keepHash }) {
  const id = list.page?.id;
  closeBookingPage(list.page);
  list.page = null;
  $("#booking-page").hidden = true;
  $("#booking-page-body").replaceChildren();
  $("#bookings-card").hidden = false;
  if (!keepHash && HASH.test(location.hash)) history.replaceState(null, "", location.pathname + location.search);
  const row = id && [...document.querySelectorAll("#bookings tbody tr")].find((tr) => tr.dataset.booking === id);
  (row?.querySelector("[data-testid=open-booking]") || $("#bookings-title")).focus?.();
}

function backToList() {
  if (list.page?.fromList && HASH.test(location.hash)) {
    history.back(); // the hashchange closes the page
    return;
  }
  closePage({ keepHash: false });
}

// ---- change and cancel ------------------------------------------------------------------

// The change dialog of a confirmed booking; its change, once asked for, is followed to its end
// even if the dialog is closed, and the list (and the booking's page) then say how it ended.
function changeBooking(booking) {
  const { api, t, money, day, state } = ctx;
  const handle = openChange(booking, {
    api, t, money, day,
    signedIn: () => Boolean(state.token),
    started: () => loadBookings(),
    ended: async (view, message) => {
      if (!handle.open) state.changes.delete(handle);
      await loadBookings();
      if (list.page?.id === booking.booking_id) await list.page.reload();
      showStatus(() => message);
    },
    closed: () => {
      if (!handle.following) state.changes.delete(handle);
      const scope = list.page ? $("#booking-page") : $("#bookings");
      const row = [...scope.querySelectorAll("[data-booking]")].find((node) => node.dataset.booking === booking.booking_id);
      (row?.querySelector("[data-testid=change]") || scope.querySelector("[data-testid=change]") || $("#bookings-refresh")).focus();
    },
  });
  state.changes.add(handle);
}

// Two clicks cancel: the first arms the button, the second sends.
async function cancelBooking(booking, button, status = null) {
  const { api, t } = ctx;
  if (!button.dataset.armed) { // a second click confirms, so one slip never cancels a stay
    button.dataset.armed = "1";
    button.textContent = t("bookings.cancel.confirm");
    return;
  }
  button.disabled = true;
  const say = (make, isError = false) => (status ? status(make, isError) : showStatus(make, isError));
  try {
    await api(`/api/bookings/${encodeURIComponent(booking.booking_id)}/cancel`, { method: "POST" });
    say(() => ctx.t("bookings.cancelling"));
    booking.status = "CANCELLING";
    renderBookings();
    followCancellations(20);
  } catch (error) {
    if (error.status === 409) await loadBookings(); // changed or cancelled meanwhile: show it
    say(() => errorText(error), true);
    button.disabled = false;
  }
}
