// Changing a confirmed booking: new dates, another room type of its hotel or another number of
// guests, priced before it is asked for, then followed live to its end. The booking stays as it
// was unless the whole change succeeds.
import { el } from "/shared/dom.js";
import { problemText } from "/shared/problems.js";
import { ctx } from "./context.js";
import { stageItems } from "./progress.js";
import { addDays, isoDate } from "./search.js";
import { followSaga } from "./stream.js";

const QUOTE_DELAY_MS = 300;
// The change's forward steps as the agent sees them (the booking's lock goes with the hold).
const STAGES = ["hold_room", "change_reservation", "move_booking", "apply_change"];
// How many of them a change in each state has done; the swap of nights leaves it RESERVED.
const STAGES_DONE_BY_STATE = { PENDING: 0, ROOM_HELD: 1, RESERVED: 2, CONFIRMED: 4 };
let dialogs = 0; // numbers each dialog's ids

// Opens the change dialog of `booking` (a CONFIRMED booking's view). `app` gives the desk's
// helpers: api, t, money, day; signedIn(); and what the list does when a change was accepted
// (`started()`), when it ended (`ended(view, message)`), when the dialog closed (`closed()`).
// Returns a handle whose `stop()` stops following the change (on signing out).
export function openChange(booking, app) {
  const { api, t, money, day } = app;
  const path = `/api/bookings/${encodeURIComponent(booking.booking_id)}`;
  const code = booking.reservation?.confirmation_code || "";
  const id = (name) => `change-${dialogs}-${name}`;
  const label = (key) => `${t(key)}${t("punct.colon")}`;
  // Why the change failed, in the agent's language, from its reason's code.
  const why = (view) => problemText({ code: view.reason_code, params: view.reason_params || {}, detail: view.reason || "" }, ctx.state?.lang || "en");
  dialogs += 1;
  const session = {
    attempt: null, // {key, body}: one per change asked for, reused when sending it again
    options: null, // the room types priced for the inputs named by `quoted`
    quoted: null,
    problem: null, // why no quote can be asked for these inputs
    asked: 0, // numbers the quotes asked for: only the latest one is shown
    timer: null,
    unquoted: false, // the quote was refused: the status line says why
    sending: false,
    follower: null,
    view: null, // the followed change's latest view
    done: false, // the change is made: this dialog has nothing more to ask
  };

  // ---- the dialog -------------------------------------------------------------------------

  const input = (name, attrs) => el("input", { id: id(name), name, required: true, "data-testid": `change-${name.replace("_", "-")}`, ...attrs });
  const checkIn = input("check_in", { type: "date", value: booking.check_in });
  const checkOut = input("check_out", { type: "date", value: booking.check_out });
  const guests = input("guests", { type: "number", min: "1", max: "12", inputmode: "numeric", value: String(booking.guests || 1) });
  const roomType = el("select", { id: id("room-type"), name: "room_type_id", "data-testid": "change-room-type" });
  const field = (control, label, wide = false) => el("div", { class: wide ? "field wide" : "field" },
    el("label", { for: control.id }, label), control);
  const fields = el("fieldset", { class: "change-grid" },
    el("legend", { class: "visually-hidden" }, t("change.title")),
    field(checkIn, t("search.check_in")),
    field(checkOut, t("search.check_out")),
    field(guests, t("search.guests")),
    field(roomType, t("change.room_type"), true));
  const price = el("div", { class: "change-price", role: "status", "aria-live": "polite", "data-testid": "change-price" });
  const confirm = el("button", { type: "submit", class: "primary", disabled: true, "data-testid": "change-confirm" }, t("change.confirm"));
  const close = el("button", { type: "button", class: "ghost", "data-testid": "change-close" }, t("change.close"));
  const status = el("p", { class: "status", role: "status", "aria-live": "polite", "data-testid": "change-status" });
  const progress = el("ol", { class: "progress", hidden: true, "aria-label": t("change.progress") });
  const outcome = el("div", { class: "outcome", hidden: true, role: "alert", "data-testid": "change-outcome" });
  const now = t("change.now", {
    room: booking.room_type || booking.room_type_id || "",
    check_in: day(booking.check_in),
    check_out: day(booking.check_out),
    guests: booking.guests ?? "?",
    total: money(booking.reservation?.total, booking.reservation?.currency),
    code,
  });
  const form = el("form", { class: "change-form" },
    el("h2", { id: id("title") }, t("change.title")),
    el("p", { class: "muted", "data-testid": "change-now" }, el("strong", {}, booking.hotel_name || booking.hotel_id || ""), " · ", now),
    fields, price, status, progress, outcome, el("div", { class: "change-actions" }, confirm, close));
  const dialog = el("dialog", { class: "change-dialog", "aria-labelledby": id("title"), "data-testid": "change-dialog", "data-booking": booking.booking_id }, form);

  // ---- the price of the change ------------------------------------------------------------

  const inputs = () => `${checkIn.value}|${checkOut.value}|${guests.value}`;
  const wanted = () => ({
    check_in: checkIn.value,
    check_out: checkOut.value,
    room_type_id: roomType.value || booking.room_type_id,
    guests: Number(guests.value),
  });
  const changesSomething = (body) => body.check_in !== booking.check_in || body.check_out !== booking.check_out
    || body.room_type_id !== booking.room_type_id || body.guests !== booking.guests;
  const fresh = () => session.options !== null && session.quoted === inputs();
  const chosen = () => (fresh() && roomType.value ? session.options.find((o) => o.room_type_id === roomType.value) : undefined);

  function problem() {
    if (!checkIn.value || !checkOut.value || checkOut.value <= checkIn.value) return t("change.dates");
    if (!guests.checkValidity()) return t("change.guests");
    return null;
  }

  function signed(option) {
    if (option.difference === null || option.difference === undefined) return "";
    const amount = Number(option.difference);
    if (amount === 0) return t("change.same_price");
    return `${amount > 0 ? "+" : "−"}${money(Math.abs(amount), option.currency)}`;
  }

  function availability(option) {
    if (option.unpriced) return el("span", { class: "warn" }, t("change.own_room"));
    if (option.available > 0) return el("span", { class: "ok" }, t("change.free", { count: option.available }));
    // The booking's own nights are not counted as free, yet the change may keep them.
    if (option.current_room_type) return el("span", { class: "warn" }, t("change.own_room"));
    return el("span", { class: "bad" }, t("change.none_free"));
  }

  function renderPrice() {
    const option = chosen();
    price.removeAttribute("data-difference");
    if (session.problem) {
      price.replaceChildren(el("p", { class: "bad" }, session.problem));
    } else if (session.unquoted) {
      price.replaceChildren(); // the status line says why
    } else if (!fresh()) {
      price.replaceChildren(el("p", { class: "muted" }, t("change.pricing")));
    } else if (!session.options.length) {
      price.replaceChildren(el("p", { class: "bad" }, t("change.no_type")));
    } else if (!option) {
      price.replaceChildren(el("p", { class: "bad" }, t("change.pick_type")));
    } else {
      const difference = signed(option);
      price.dataset.difference = option.difference ?? "";
      price.replaceChildren(...[
        option.unpriced
          ? el("p", {}, label("change.new_total"), el("strong", { "data-testid": "change-total" }, t("change.unpriced")))
          : el("p", {}, label("change.new_total"), el("strong", { "data-testid": "change-total" }, money(option.total, option.currency)),
            difference ? [" · ", el("strong", { class: "difference", "data-testid": "change-difference" }, difference)] : null),
        el("p", { class: "availability", "data-available": String(option.available) }, availability(option)),
        changesSomething(wanted()) ? null : el("p", { class: "muted" }, t("change.nothing")),
      ].filter(Boolean));
    }
    const following = Boolean(session.follower?.following);
    fields.disabled = session.sending || following || session.done;
    confirm.hidden = session.done;
    confirm.disabled = !option || !changesSomething(wanted()) || session.sending || following || session.done;
  }

  // Dates or guests changed: the shown price is stale until the quote for them comes.
  function requote(delay = QUOTE_DELAY_MS) {
    clearTimeout(session.timer);
    session.quoted = null;
    session.unquoted = false;
    session.problem = problem();
    renderPrice();
    if (!session.problem) session.timer = setTimeout(fetchQuote, delay);
  }

  async function fetchQuote() {
    const asked = (session.asked += 1);
    const key = inputs();
    const params = new URLSearchParams({ check_in: checkIn.value, check_out: checkOut.value, guests: guests.value });
    let quote;
    try {
      quote = await api(`${path}/change-quote?${params}`);
    } catch (error) {
      if (asked !== session.asked || key !== inputs()) return;
      session.options = null;
      session.unquoted = true;
      say(error.message);
      renderPrice();
      return;
    }
    if (asked !== session.asked || key !== inputs()) return; // the agent moved on meanwhile
    if (!session.follower) say("");
    session.options = withCurrentType(quote.options || []);
    session.quoted = key;
    session.unquoted = false;
    fillRoomTypes();
    renderPrice();
  }

  // A type with no free room is left out of the quote, the booking's own nights not counting
  // as free: yet its own room may still take the new dates (a stay moved by a night in a full
  // hotel), so its type stays on offer, priced once the change holds the nights. Not when the
  // guests change, though: the type may not take them.
  function withCurrentType(options) {
    if (options.some((o) => o.room_type_id === booking.room_type_id)) return options;
    if (Number(guests.value) !== booking.guests) return options;
    return [{
      room_type_id: booking.room_type_id,
      room_type: booking.room_type || booking.room_type_id,
      available: 0,
      total: null,
      currency: booking.reservation?.currency,
      difference: null,
      current_room_type: true,
      unpriced: true,
    }, ...options];
  }

  // The type chosen stays chosen while it is on offer; else the booking's own; else the agent
  // picks one (never one picked for them).
  function fillRoomTypes() {
    const ids = session.options.map((o) => o.room_type_id);
    const keep = [roomType.value, booking.room_type_id].find((value) => ids.includes(value)) ?? "";
    const placeholder = keep ? [] : [el("option", { value: "", selected: true, disabled: true }, t("change.pick_type"))];
    roomType.replaceChildren(...placeholder, ...session.options.map((o) => el("option", { value: o.room_type_id, selected: o.room_type_id === keep },
      o.current_room_type ? t("change.current", { room: o.room_type }) : o.room_type)));
    roomType.value = keep;
  }

  // ---- the change -------------------------------------------------------------------------

  function say(text) {
    status.textContent = text;
  }

  async function submit(event) {
    event.preventDefault();
    if (confirm.disabled) return;
    const body = wanted();
    if (!session.attempt || JSON.stringify(session.attempt.body) !== JSON.stringify(body)) {
      session.attempt = { key: crypto.randomUUID(), body };
    }
    const attempt = session.attempt;
    session.sending = true;
    renderPrice();
    say(t("change.sending"));
    try {
      const accepted = await api(`${path}/changes`, {
        method: "POST",
        json: attempt.body,
        headers: { "Idempotency-Key": attempt.key },
      });
      session.sending = false;
      follow(accepted);
      app.started();
    } catch (error) {
      session.sending = false;
      const retryable = error.status === 0 || error.status >= 500;
      if (!retryable) session.attempt = null;
      say(retryable ? t("change.unsent", { reason: error.message }) : error.message);
      confirm.textContent = retryable ? t("change.retry") : t("change.confirm");
      if (error.status === 409) app.started(); // the list shows why: changed or cancelled meanwhile
      renderPrice();
    }
  }

  function follow(accepted) {
    session.view = { change_id: accepted.change_id, status: accepted.status, steps: [] };
    progress.hidden = false;
    progressed(session.view); // how it stands, until the stream shows the change itself
    session.follower = followSaga(api, {
      bookingId: booking.booking_id,
      events: accepted.links.events,
      self: accepted.links.self,
      wanted: app.signedIn,
      state: show,
      // A step says where the change stands; how it ended, the state after it says.
      step: (step) => progressed({ ...session.view, status: step.state }),
      lost: (stopped) => say(t(stopped ? "stream.stopped" : "stream.lost")),
    });
    confirm.textContent = t("change.confirm");
    renderPrice();
  }

  function progressed(view) {
    session.view = view;
    status.dataset.status = view.status;
    say(t(`state.${view.status}`));
    progress.replaceChildren(...stageItems(view, STAGES, STAGES_DONE_BY_STATE, t));
    if (view.status === "STUCK") showOutcome("bad", t("state.STUCK"), el("p", {}, t("change.stuck")));
    else outcome.hidden = true;
    renderPrice();
  }

  function show(view) {
    progressed(view);
    if (view.status === "CONFIRMED") made(view);
    else if (view.status === "FAILED") failed(view);
  }

  async function made(view) {
    session.done = true;
    session.attempt = null;
    const after = view.after || {};
    let confirmed = code;
    try { // the booking as it is now: its code is the one the client already has
      confirmed = (await api(path)).reservation?.confirmation_code || code;
    } catch { /* the code known before stands */ }
    const message = t("change.done", { check_in: day(after.check_in), check_out: day(after.check_out), code: confirmed });
    showOutcome("ok", t("change.done.title"),
      el("p", { "data-testid": "change-done" }, message),
      el("p", {}, label("change.new_total"), el("strong", {}, money(after.total, after.currency)),
        view.difference !== null && view.difference !== undefined ? ` (${signed({ difference: view.difference, currency: after.currency })})` : ""),
      el("p", {}, label("book.code"), el("strong", { class: "code", "data-testid": "change-code" }, confirmed)));
    renderPrice();
    close.focus(); // the outcome is just above it
    app.ended(view, message);
  }

  function failed(view) {
    session.attempt = null;
    confirm.textContent = t("change.confirm");
    const reason = why(view);
    const message = t("change.failed", { reason });
    showOutcome("bad", t("change.failed.title"),
      el("p", { class: "reason", "data-code": view.reason_code || "" }, reason),
      el("p", {}, el("strong", {}, t("change.unchanged"))));
    app.ended(view, message);
    requote(0); // what is free may have changed: price it again for another try
  }

  function showOutcome(tone, title, ...body) {
    outcome.hidden = false;
    outcome.className = `outcome ${tone}`;
    outcome.dataset.status = session.view.status;
    outcome.replaceChildren(el("h3", {}, title), ...body);
  }

  // ---- open, close ------------------------------------------------------------------------

  // No date before today (nor before the stay's own, for a stay under way); a night at least.
  const limitDates = () => {
    const today = isoDate(new Date());
    checkIn.min = booking.check_in && booking.check_in < today ? booking.check_in : today;
    checkOut.min = addDays(checkIn.value && checkIn.value >= checkIn.min ? checkIn.value : checkIn.min, 1);
  };
  limitDates();
  checkIn.addEventListener("input", limitDates);
  for (const control of [checkIn, checkOut, guests]) {
    control.addEventListener("input", () => requote());
    control.addEventListener("change", () => requote());
  }
  roomType.addEventListener("change", renderPrice);
  form.addEventListener("submit", submit);
  close.addEventListener("click", () => dialog.close());
  // Closing (Escape too) only hides the dialog: a change under way is still followed, and
  // the bookings list tells how it ended.
  dialog.addEventListener("close", () => {
    clearTimeout(session.timer);
    dialog.remove();
    app.closed();
  });

  document.body.append(dialog);
  dialog.showModal();
  checkIn.focus();
  requote(0);
  return {
    get following() {
      return Boolean(session.follower?.following);
    },
    get open() {
      return dialog.open;
    },
    stop() {
      session.follower?.close();
      if (dialog.open) dialog.close();
    },
  };
}
