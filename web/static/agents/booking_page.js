// One booking's page in the agents' desk: the stay (check-in and check-out times in the hotel's
// time zone, named), the guest, the hotel (address, phone), the nightly prices and the total in
// the hotel's currency, the status, the cancellation terms and the history in plain words (at
// times in the viewer's zone, shown); then what may be done: change, cancel, print the voucher
// or download it as a PDF, in the app's language. bookings.js opens and closes it.
import { el } from "/shared/dom.js";
import { PROBLEM_TEXTS, problemText } from "/shared/problems.js";
import { errorText, personOf, reasonText } from "./bookings.js";
import { ctx } from "./context.js";
import { LOCALES } from "./i18n.js";

const FOLLOW_MS = 2000; // a booking still under way is read again this often while shown
const FOLLOW_TRIES = 60;
const VOUCHER_URL_LIFE_MS = 10 * 60 * 1000;

// Opens the page of booking `id` in `container`; `handlers`: cancel(view, button, status),
// change(view), changed(). Returns the page's handle for renderBookingPage/closeBookingPage.
export function openBookingPage(id, container, handlers) {
  const page = {
    id,
    container,
    handlers,
    view: null,
    error: null,
    message: null, // {make, isError}: the page's status line, said in the language of the moment
    closed: false,
    timer: null,
    tries: 0,
    frame: null, // the voucher shown in the page when no new tab could open
    reload: () => load(page),
  };
  renderBookingPage(page);
  load(page);
  return page;
}

export function closeBookingPage(page) {
  if (!page) return;
  page.closed = true;
  clearTimeout(page.timer);
}

async function load(page) {
  clearTimeout(page.timer);
  try {
    const view = await ctx.api(`/api/bookings/${encodeURIComponent(page.id)}`);
    if (page.closed) return;
    page.view = view;
    page.error = null;
  } catch (error) {
    if (page.closed) return;
    page.error = error;
  }
  renderBookingPage(page);
  if (page.view && !page.view.ended && page.view.status !== "STUCK" && page.tries < FOLLOW_TRIES) {
    page.tries += 1;
    page.timer = setTimeout(() => load(page), FOLLOW_MS);
  }
}

// ---- times and texts --------------------------------------------------------------------

function locale() {
  return LOCALES[ctx.state.lang] || "en-GB";
}

// "UTC+01:00": the offset of `timeZone` at the instant `date`.
export function offsetLabel(date, timeZone) {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(date)
      .find((p) => p.type === "timeZoneName");
    const text = part?.value || "GMT";
    return text === "GMT" ? "UTC+00:00" : text.replace("GMT", "UTC");
  } catch {
    return "UTC";
  }
}

export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// A moment (ISO) in the viewer's time zone, with its offset.
export function eventTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
  return `${text} (${offsetLabel(date, viewerZone())})`;
}

// "15:00 (hotel time, Europe/Paris, UTC+01:00)" for a stay's date at a local time of the hotel.
function hotelClock(isoDate, clock, timeZone) {
  const hhmm = String(clock || "").slice(0, 5);
  if (!hhmm) return "";
  const [y, m, d] = (isoDate || "").split("-").map(Number);
  const [h, mi] = hhmm.split(":").map(Number);
  const roughly = new Date(Date.UTC(y || 2000, (m || 1) - 1, d || 1, h || 0, mi || 0));
  const zone = timeZone ? `${timeZone}, ${offsetLabel(roughly, timeZone)}` : "";
  return zone ? `${hhmm} (${ctx.t("booking.zone.hotel", { zone })})` : hhmm;
}

// A moment with the hotel's offset (e.g. the end of free cancellation), shown in its zone.
function hotelMoment(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const match = /([+-]\d{2}:\d{2}|Z)$/.exec(iso);
  const zone = timeZone || "UTC";
  let text;
  try {
    text = new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeStyle: "short", timeZone: zone }).format(date);
  } catch {
    text = iso;
  }
  const offset = timeZone ? offsetLabel(date, timeZone) : `UTC${match && match[1] !== "Z" ? match[1] : "+00:00"}`;
  return `${text} (${timeZone ? `${timeZone}, ${offset}` : offset})`;
}

// The text of a code from the server (history, terms): problems.js has them; an unknown one
// reads as the app's own text under that key, else as the code itself.
function codeText(code, params = {}) {
  if (!code) return "";
  const lang = ctx.state.lang;
  if ((PROBLEM_TEXTS[lang] || {})[code] || PROBLEM_TEXTS.en?.[code]) return problemText({ code, params, detail: code }, lang);
  const own = ctx.t(code, params);
  return own === code ? code : own;
}

function countryName(code) {
  if (!code) return "";
  try {
    return new Intl.DisplayNames([locale()], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

// ---- the page ---------------------------------------------------------------------------

// The page's status line; `make` gives its text in the language of the moment.
function say(page, make, isError = false) {
  page.message = make ? { make, isError } : null;
  const line = page.container.querySelector("[data-testid=booking-page-status]");
  if (line) {
    line.textContent = make ? make() : "";
    line.classList.toggle("error", isError);
  }
}

export function renderBookingPage(page) {
  const { t } = ctx;
  const body = page.container;
  const status = el("p", { class: `status${page.message?.isError ? " error" : ""}`, role: "status", "aria-live": "polite", "data-testid": "booking-page-status" }, page.message ? page.message.make() : "");
  if (!page.view) {
    body.replaceChildren(
      el("h2", { id: "booking-page-title", "data-testid": "booking-page-title" }, t("booking.title.plain")),
      page.error ? el("p", { class: "status error", role: "alert" }, errorText(page.error)) : el("p", { class: "status" }, t("booking.loading")),
      status);
    body.dataset.loaded = "";
    return;
  }
  const view = page.view;
  const code = view.reservation?.confirmation_code;
  const reason = reasonText(view);
  const parts = [
    el("div", { class: "booking-head" },
      el("h2", { id: "booking-page-title", "data-testid": "booking-page-title" }, code ? t("booking.title", { code }) : t("booking.title.plain")),
      el("span", { class: `badge state-${view.status}`, "data-testid": "booking-status", "data-status": view.status }, t(`state.${view.status}`))),
    reason ? el("p", { class: "reason" }, el("strong", {}, `${t("booking.reason")} `), el("span", { "data-testid": "booking-reason" }, reason)) : null,
    status,
    actions(page),
    el("div", { class: "booking-grid" },
      stayFacts(view),
      guestFacts(view),
      hotelFacts(view),
      priceFacts(view),
      cancellationFacts(view),
      historyFacts(view)),
    page.frame,
  ];
  body.replaceChildren(...parts.filter(Boolean));
  body.dataset.booking = view.booking_id;
  body.dataset.status = view.status;
  body.dataset.loaded = String(Date.now()); // a test waits on this
}

function facts(title, testid, ...rows) {
  return el("section", { class: "facts", "data-testid": testid, "aria-label": title },
    el("h3", {}, title), ...rows);
}

function pair(label, value, testid) {
  return el("div", { class: "fact" }, el("dt", {}, label), el("dd", testid ? { "data-testid": testid } : {}, value));
}

function stayFacts(view) {
  const { t, day } = ctx;
  const hotel = view.hotel || {};
  const nights = view.nightly_prices?.length
    || (view.check_in && view.check_out ? Math.round((Date.parse(view.check_out) - Date.parse(view.check_in)) / 86_400_000) : 0);
  const arrival = hotel.check_in_time
    ? t("booking.from_time", { date: day(view.check_in), time: hotelClock(view.check_in, hotel.check_in_time, hotel.time_zone) })
    : day(view.check_in);
  const departure = hotel.check_out_time
    ? t("booking.until_time", { date: day(view.check_out), time: hotelClock(view.check_out, hotel.check_out_time, hotel.time_zone) })
    : day(view.check_out);
  return facts(t("booking.stay"), "booking-stay",
    el("dl", {},
      pair(t("booking.check_in"), arrival, "booking-check-in"),
      pair(t("booking.check_out"), departure, "booking-check-out"),
      nights ? pair(t("booking.stay"), t(`booking.nights.${new Intl.PluralRules(locale()).select(nights) === "one" ? "one" : "other"}`, { count: nights }), "booking-nights-count") : null,
      pair(t("booking.room"), view.room_type || "—", "booking-room"),
      pair(t("booking.guests"), view.guests ? String(view.guests) : "—", "booking-guests"),
      view.reservation?.confirmation_code ? pair(t("booking.code"), el("strong", { class: "code" }, view.reservation.confirmation_code), "booking-code") : null));
}

function guestFacts(view) {
  const { t } = ctx;
  const agency = ctx.state.me?.role === "agency_manager";
  return facts(t("booking.guest"), "booking-guest-facts",
    el("p", { "data-testid": "booking-guest" }, personOf(view) || "—"),
    agency && view.agent_id ? el("p", { class: "muted" }, `${t("booking.booked_by")} `, el("span", { "data-testid": "booking-agent" }, view.agent_id)) : null);
}

function hotelFacts(view) {
  const { t } = ctx;
  const hotel = view.hotel || {};
  const place = [hotel.city, countryName(hotel.country)].filter(Boolean).join(", ");
  return facts(t("booking.hotel"), "booking-hotel-facts",
    el("p", {}, el("strong", { "data-testid": "booking-hotel" }, hotel.name || view.hotel_name || t("bookings.hotel.unknown"))),
    el("dl", {},
      hotel.address || place ? pair(t("booking.address"), [hotel.address, place].filter(Boolean).join(", "), "booking-hotel-address") : null,
      hotel.phone ? pair(t("booking.phone"), el("a", { href: `tel:${hotel.phone.replace(/\s+/g, "")}` }, hotel.phone), "booking-hotel-phone") : null));
}

function priceFacts(view) {
  const { t, money, day } = ctx;
  const currency = view.hotel?.currency || view.reservation?.currency || view.currency;
  const total = view.reservation?.total ?? view.total;
  const nights = view.nightly_prices || [];
  return facts(t("booking.prices"), "booking-prices",
    nights.length
      ? el("table", { class: "nightly", "data-testid": "booking-nights" },
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("booking.night")), el("th", { scope: "col", class: "money" }, t("booking.price")))),
        el("tbody", {}, nights.map((n) => el("tr", { "data-night": n.night }, el("td", {}, day(n.night)), el("td", { class: "money" }, money(n.price, currency))))),
        total !== undefined && total !== null
          ? el("tfoot", {}, el("tr", {}, el("th", { scope: "row" }, t("booking.total")), el("td", { class: "money", "data-testid": "booking-total" }, el("strong", {}, money(total, currency)))))
          : null)
      : el("p", {}, `${t("booking.total")} `, el("strong", { "data-testid": "booking-total" }, money(total, currency))));
}

function cancellationFacts(view) {
  const { t } = ctx;
  const terms = view.cancellation || {};
  const zone = view.hotel?.time_zone;
  // problems.js says the terms' values as the reader reads them (the moment in its zone, money).
  const said = terms.terms_code ? codeText(terms.terms_code, terms.terms_params || {}) : "";
  return facts(t("booking.cancellation"), "booking-terms",
    said && said !== terms.terms_code
      ? el("p", { "data-testid": "booking-terms-text" }, said)
      : terms.free_until
        ? el("p", { "data-testid": "booking-free-until" }, t("booking.free_until", { time: hotelMoment(terms.free_until, zone) }))
        : el("p", { class: "muted" }, t("booking.terms.none")));
}

function historyFacts(view) {
  const { t } = ctx;
  const entries = view.history || [];
  const zone = viewerZone();
  return facts(t("booking.history"), "booking-history-facts",
    el("p", { class: "muted", "data-testid": "booking-history-zone" }, t("booking.history.zone", { zone: `${zone}, ${offsetLabel(new Date(), zone)}` })),
    entries.length
      ? el("ol", { class: "history", "data-testid": "booking-history" }, entries.map((entry) =>
        el("li", { "data-code": entry.code },
          el("time", { datetime: entry.at }, eventTime(entry.at)), " ",
          el("span", {}, historyText(entry)))))
      : el("p", { class: "muted" }, t("booking.history.none")));
}

// problems.js says a failure's reason (its code among the values), a step, a code.
function historyText(entry) {
  return codeText(entry.code, entry.params || {});
}

// ---- what may be done -------------------------------------------------------------------

function actions(page) {
  const { t } = ctx;
  const view = page.view;
  const confirmed = view.status === "CONFIRMED";
  const changeable = confirmed && !view.changing && ["agent", "agency_manager"].includes(ctx.state.me?.role ?? "agent");
  const buttons = [];
  if (confirmed) {
    buttons.push(
      el("button", { type: "button", class: "primary", "data-testid": "print-voucher", onclick: () => printVoucher(page) }, t("booking.print")),
      el("button", { type: "button", "data-testid": "download-pdf", onclick: (event) => downloadPdf(page, event.currentTarget) }, t("booking.pdf")));
  }
  if (changeable) {
    buttons.push(
      el("button", { type: "button", "data-testid": "change", "aria-haspopup": "dialog", onclick: () => page.handlers.change(view) }, t("bookings.change")),
      el("button", { type: "button", class: "danger", "data-testid": "cancel-booking", onclick: (event) =>
        page.handlers.cancel(view, event.currentTarget, (make, isError) => say(page, make, isError)) }, t("bookings.cancel")));
  }
  if (view.changing) buttons.push(el("span", { class: "badge state-CHANGING", "data-testid": "changing" }, t("bookings.changing")));
  if (!buttons.length) return null;
  return el("div", { class: "booking-actions", role: "group", "aria-label": t("booking.actions"), "data-booking": view.booking_id }, buttons);
}

// The voucher, fetched with the bearer token (a link could not carry it).
async function fetchVoucher(page, suffix) {
  const path = `/api/bookings/${encodeURIComponent(page.id)}/${suffix}?${new URLSearchParams({ lang: ctx.state.lang })}`;
  let response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${ctx.state.token}` } });
  } catch (error) {
    throw Object.assign(new Error(error.message || "network error"), { status: 0, body: null });
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw Object.assign(new Error(response.statusText), { status: response.status, body });
  }
  return response.blob();
}

// The printable page in a new tab (opened at the click, so no pop-up blocker stops it), then
// the browser's print dialog; where no tab may open, the voucher is shown in the page.
async function printVoucher(page) {
  const { t } = ctx;
  const tab = window.open("", "_blank");
  say(page, () => ctx.t("booking.voucher.opening"));
  let blob;
  try {
    blob = await fetchVoucher(page, "voucher");
  } catch (error) {
    tab?.close();
    say(page, () => errorText(error), true);
    return;
  }
  const url = URL.createObjectURL(new Blob([blob], { type: "text/html" }));
  setTimeout(() => URL.revokeObjectURL(url), VOUCHER_URL_LIFE_MS);
  if (tab && !tab.closed) {
    tab.location.href = url;
    printWhenLoaded(tab, url);
    say(page, () => ctx.t("booking.voucher.opened"));
    return;
  }
  const code = page.view?.reservation?.confirmation_code || "";
  page.frame = el("iframe", { class: "voucher-frame", src: url, title: t("booking.voucher.frame", { code }), "data-testid": "voucher-frame" });
  page.frame.addEventListener("load", () => page.frame?.contentWindow?.print());
  renderBookingPage(page);
  say(page, () => ctx.t("booking.voucher.inline"));
}

function printWhenLoaded(tab, url, triesLeft = 100) {
  setTimeout(() => {
    try {
      if (tab.closed) return;
      if (tab.location.href === url && tab.document.readyState === "complete") {
        tab.focus();
        tab.print();
        return;
      }
    } catch {
      return; // no longer ours to print
    }
    if (triesLeft > 1) printWhenLoaded(tab, url, triesLeft - 1);
  }, 100);
}

async function downloadPdf(page, button) {
  button.disabled = true;
  say(page, () => ctx.t("booking.voucher.downloading"));
  try {
    const blob = await fetchVoucher(page, "voucher.pdf");
    const code = page.view?.reservation?.confirmation_code || page.id;
    const file = `voucher-${code}.pdf`;
    const url = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
    const link = el("a", { href: url, download: file, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), VOUCHER_URL_LIFE_MS);
    say(page, () => ctx.t("booking.voucher.downloaded", { file }));
  } catch (error) {
    say(page, () => errorText(error), true);
  } finally {
    button.disabled = false;
  }
}
