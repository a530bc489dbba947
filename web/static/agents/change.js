// Changing a confirmed booking: new dates, room type or guests, its price first, then the
// change followed live to its end. The booking stays as it was unless the whole change succeeds.
import { el } from "/shared/dom.js";

const QUOTE_DELAY_MS = 300;

// The form of one booking's change. `app` gives the desk's helpers: api, t, money, day, and
// ended(view), called once the change has ended (to reload the list).
export function changeForm(booking, app) {
  const { api, t, money, day } = app;
  const path = `/api/bookings/${encodeURIComponent(booking.booking_id)}`;
  const change = { attempt: null, quote: null, stream: null, timer: null };

  const checkIn = el("input", { type: "date", required: true, value: booking.check_in, "data-testid": "change-check-in" });
  const checkOut = el("input", { type: "date", required: true, value: booking.check_out, "data-testid": "change-check-out" });
  const guests = el("input", { type: "number", min: "1", max: "12", required: true, value: String(booking.guests || 1) });
  const roomType = el("select", { "data-testid": "change-room-type" });
  const price = el("p", { class: "change-price", role: "status", "aria-live": "polite", "data-testid": "change-price" });
  const status = el("p", { class: "status", role: "status", "aria-live": "polite", "data-testid": "change-status" });
  const confirm = el("button", { type: "submit", disabled: true, "data-testid": "change-confirm" }, t("change.confirm"));
  const close = el("button", { type: "button", class: "ghost", onclick: () => app.close() }, t("change.close"));

  const field = (label, input) => el("label", {}, el("span", {}, label), input);
  const form = el("form", { class: "change-form", "aria-label": t("change.title") },
    el("h3", {}, t("change.title")),
    el("div", { class: "change-grid" },
      field(t("search.check_in"), checkIn),
      field(t("search.check_out"), checkOut),
      field(t("search.guests"), guests),
      field(t("change.room_type"), roomType)),
    price, el("div", { class: "change-actions" }, confirm, close), status);

  function wanted() {
    return {
      check_in: checkIn.value,
      check_out: checkOut.value,
      room_type_id: roomType.value || booking.room_type_id,
      guests: Number(guests.value),
    };
  }

  function chosenOption() {
    return (change.quote?.options || []).find((o) => o.room_type_id === roomType.value);
  }

  function difference(option) {
    const amount = Number(option.difference);
    if (option.difference === null || option.difference === undefined) return "";
    if (amount === 0) return t("change.same_price");
    const sign = amount > 0 ? "+" : "−";
    return `${sign}${money(Math.abs(amount), option.currency)}`;
  }

  function renderPrice() {
    const option = chosenOption();
    if (!option) {
      price.textContent = change.quote ? t("change.no_type") : "";
      confirm.disabled = true;
      return;
    }
    price.replaceChildren(
      `${t("change.new_total")}: `, el("strong", {}, money(option.total, option.currency)),
      ` (${difference(option)})`,
      option.available > 0 || option.current_room_type ? "" : el("span", { class: "bad" }, ` — ${t("change.none_free")}`));
    confirm.disabled = Boolean(change.stream);
  }

  async function requote() {
    clearTimeout(change.timer);
    change.timer = setTimeout(async () => {
      if (!checkIn.value || !checkOut.value) return;
      const params = new URLSearchParams({ check_in: checkIn.value, check_out: checkOut.value, guests: guests.value });
      try {
        change.quote = await api(`${path}/change-quote?${params}`);
        status.textContent = "";
      } catch (error) {
        change.quote = null;
        status.textContent = t("error.generic", { reason: error.message });
      }
      const keep = roomType.value || booking.room_type_id;
      roomType.replaceChildren(...(change.quote?.options || []).map((o) =>
        el("option", { value: o.room_type_id, selected: o.room_type_id === keep }, o.room_type)));
      renderPrice();
    }, QUOTE_DELAY_MS);
  }

  async function submit(event) {
    event.preventDefault();
    const body = wanted();
    if (!change.attempt || JSON.stringify(change.attempt.body) !== JSON.stringify(body)) {
      change.attempt = { key: crypto.randomUUID(), body };
    }
    confirm.disabled = true;
    status.textContent = t("change.sending");
    try {
      const accepted = await api(`${path}/changes`, {
        method: "POST",
        json: change.attempt.body,
        headers: { "Idempotency-Key": change.attempt.key },
      });
      follow(accepted.change_id, 0);
    } catch (error) {
      const retryable = error.status === 0 || error.status >= 500;
      if (!retryable) change.attempt = null;
      status.textContent = t("error.generic", { reason: error.message });
      confirm.disabled = false;
    }
  }

  // As for a booking: a one-use ticket for the booking opens the stream, never the token.
  async function follow(changeId, reconnects) {
    let ticket;
    try {
      ticket = (await api("/api/auth/tickets", { method: "POST", json: { booking_id: booking.booking_id } })).ticket;
    } catch {
      status.textContent = t("stream.lost");
      return;
    }
    const url = `${path}/changes/${encodeURIComponent(changeId)}/events?ticket=${encodeURIComponent(ticket)}`;
    const stream = new EventSource(url);
    change.stream = stream;
    const show = (view) => {
      status.dataset.status = view.status;
      if (view.status === "CONFIRMED") {
        status.textContent = t("change.done", {
          check_in: day(view.after.check_in), check_out: day(view.after.check_out), code: booking.reservation?.confirmation_code || "",
        });
      } else if (view.status === "FAILED") {
        status.textContent = t("change.failed", { reason: view.reason || "" });
      } else {
        status.textContent = t(`state.${view.status}`);
      }
      if (view.ended || view.status === "STUCK") {
        stream.close();
        change.stream = null;
        change.attempt = null;
        if (view.ended) app.ended(view);
      }
    };
    stream.addEventListener("state", (event) => show(JSON.parse(event.data)));
    stream.addEventListener("step", (event) => {
      const step = JSON.parse(event.data);
      status.dataset.status = step.state;
      status.textContent = t(`state.${step.state}`);
    });
    stream.onerror = () => {
      if (change.stream !== stream) return;
      stream.close();
      change.stream = null;
      if (reconnects < 5) setTimeout(() => follow(changeId, reconnects + 1), 1000 * (reconnects + 1));
      else status.textContent = t("stream.lost");
    };
  }

  for (const input of [checkIn, checkOut, guests]) input.addEventListener("change", requote);
  roomType.addEventListener("change", renderPrice);
  form.addEventListener("submit", submit);
  requote();
  return form;
}
