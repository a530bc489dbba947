// The bookings of a hotel manager's hotels (the API shows them no others), with the guest's
// name and no other personal data; a failed one says why, in the reader's language.
import { el } from "/shared/dom.js";
import { problemText } from "/shared/problems.js";
import { counted, day, label, language, money, t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);

export function hotelBookings({ api, errorText }) {
  const shown = { page: null, error: null };
  $("#hotel-bookings-refresh").onclick = load;

  async function load() {
    $("#hotel-bookings").setAttribute("aria-busy", "true");
    try {
      shown.page = await api("/api/bookings?limit=50");
      shown.error = null;
    } catch (error) {
      shown.error = error;
    }
    render();
    $("#hotel-bookings").setAttribute("aria-busy", "false");
  }

  function render() {
    if (shown.error) {
      $("#hotel-bookings-status").textContent = errorText(shown.error);
      return;
    }
    if (!shown.page) return;
    $("#hotel-bookings-status").textContent = shown.page.items.length ? "" : t("bookings.none");
    $("#hotel-bookings tbody").replaceChildren(...shown.page.items.map(row));
  }

  return { show: load, render };
}

function row(booking) {
  const reservation = booking.reservation || {};
  const reason = booking.reason
    ? problemText({ code: booking.reason_code, params: booking.reason_params || {}, detail: booking.reason }, language())
    : null;
  return el("tr", { "data-booking": booking.booking_id, "data-status": booking.status },
    el("td", { "data-label": t("bookings.hotel") },
      el("span", { "data-testid": "booking-hotel" }, booking.hotel_name || booking.hotel_id || "—"), el("br"),
      el("small", { class: "muted", "data-testid": "booking-room-type" }, booking.room_type || booking.room_type_id || "")),
    el("td", { "data-label": t("bookings.stay") }, `${day(booking.check_in)} → ${day(booking.check_out)}`,
      booking.guests ? el("small", { class: "muted" }, t("bookings.guests", { guests: counted("guests", booking.guests) })) : null),
    el("td", { "data-label": t("bookings.guest") }, booking.guest_name || el("span", { class: "muted" }, "—")),
    el("td", { "data-label": t("bookings.status") },
      el("span", { class: `badge state-${booking.status}` }, label(`state.${booking.status}`, booking.status)),
      reason ? el("small", { class: "reason block" }, t("bookings.reason", { reason })) : null),
    el("td", { "data-label": t("bookings.code"), class: "mono" }, reservation.confirmation_code || "—"),
    el("td", { "data-label": t("bookings.total") }, money(reservation.total, reservation.currency)));
}
