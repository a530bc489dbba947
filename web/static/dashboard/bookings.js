// The bookings of a hotel manager's hotels (the API shows them no others), with the guest's
// name and no other personal data.
import { el } from "/shared/dom.js";

const $ = (selector) => document.querySelector(selector);
const day = (iso) => (iso ? new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" }) : "—");

function money(amount, currency) {
  if (amount === null || amount === undefined || !currency) return "—";
  try {
    return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(Number(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

export function hotelBookings({ api }) {
  $("#hotel-bookings-refresh").onclick = load;

  async function load() {
    $("#hotel-bookings").setAttribute("aria-busy", "true");
    try {
      const page = await api("/api/bookings?limit=50");
      $("#hotel-bookings-status").textContent = page.items.length ? "" : "No booking in your hotels yet.";
      $("#hotel-bookings tbody").replaceChildren(...page.items.map(row));
    } catch (error) {
      $("#hotel-bookings-status").textContent = error.message;
    }
    $("#hotel-bookings").setAttribute("aria-busy", "false");
  }

  return { show: load };
}

function row(booking) {
  const reservation = booking.reservation || {};
  return el("tr", { "data-booking": booking.booking_id },
    el("td", { "data-label": "Hotel" }, booking.hotel_name || booking.hotel_id || "—", el("br"),
      el("small", { class: "muted" }, booking.room_type || booking.room_type_id || "")),
    el("td", { "data-label": "Stay" }, `${day(booking.check_in)} → ${day(booking.check_out)}`,
      booking.guests ? el("small", { class: "muted" }, ` · ${booking.guests} guest(s)`) : null),
    el("td", { "data-label": "Guest" }, booking.guest_name || el("span", { class: "muted" }, "—")),
    el("td", { "data-label": "Status" }, el("span", { class: `badge state-${booking.status}` }, booking.status)),
    el("td", { "data-label": "Code", class: "mono" }, reservation.confirmation_code || "—"),
    el("td", { "data-label": "Total" }, money(reservation.total, reservation.currency)));
}
