// The desk's "3. Book": books the chosen room for the chosen client once, follows the saga
// live and says how it ended. A booking is one Idempotency-Key: sending the same choice again
// (after a lost answer, or a second click) gets the same booking, never a second one; only
// "Book another", a new choice or a failure starts a new key.
import { el } from "/shared/dom.js";
import { bookingLog, moves, noteSeen, stageItems } from "./progress.js";
import { followSaga } from "./stream.js";

const STAGES = ["hold_room", "verify_client", "write_reservation", "confirm_hold"];
const STAGES_DONE_BY_STATE = { PENDING: 0, ROOM_HELD: 1, CLIENT_VERIFIED: 2, RESERVED: 3, CONFIRMED: 4 };
const OUTCOMES = ["CONFIRMED", "FAILED", "STUCK", "CANCELLED"];
const AGAIN = ["FAILED", "CANCELLED"]; // a booking that ended so: the same choice is a new booking

const $ = (selector) => document.querySelector(selector);

// `app` gives the desk's helpers: api, t, money, day, time (an instant, with its zone),
// reason(view) (why a booking failed, in words), state (the desk's: token, offer, client);
// ended(view) (the list and the offers are read again), cleared() (Book another: the room and
// the client were unchosen).
export function bookingPanel(app) {
  const { api, t, state } = app;
  let attempt = null; // {key, body, bookingId, unsent}: the booking being made
  let sending = false;
  let view = null; // the followed booking, as its latest event or read showed it
  let made = null; // the choice it was made with
  let seen = {}; // when this screen learnt of each state
  let stream = null;
  let reading = null; // a read of the view under way ({again} when another is wanted after)

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

  function choice() {
    const { offer, client } = state;
    if (!offer || !client) return null;
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
    const body = choice();
    if (!body || sending) return;
    if (!attempt || !same(attempt.body, body)) attempt = { key: crypto.randomUUID(), body, bookingId: null };
    const sent = attempt;
    sending = true;
    render();
    $("#book-status").textContent = t("book.sending");
    try {
      const accepted = await api("/api/bookings", {
        method: "POST",
        json: sent.body,
        headers: { "Idempotency-Key": sent.key },
      });
      sent.bookingId = accepted.booking_id;
      sent.unsent = false;
      $("#book-status").textContent = "";
      follow(accepted.booking_id, accepted.status);
    } catch (error) {
      const retryable = error.status === 0 || error.status >= 500;
      if (retryable) sent.unsent = true;
      else if (attempt === sent) attempt = null;
      $("#book-status").textContent = retryable ? t("book.unsent", { reason: error.message }) : error.message;
    } finally {
      sending = false;
      render();
    }
  }

  function follow(bookingId, status) {
    stream?.close();
    const now = new Date().toISOString();
    if (view?.booking_id !== bookingId) {
      view = { booking_id: bookingId, status: status || "PENDING", steps: [] };
      seen = {};
    }
    made = attempt?.body ?? null;
    noteSeen(seen, view.status, now);
    render();
    const path = `/api/bookings/${encodeURIComponent(bookingId)}`;
    stream = followSaga(api, {
      bookingId,
      events: `${path}/events`,
      self: path,
      wanted: () => view?.booking_id === bookingId && Boolean(state.token),
      state: (fresh) => accept(bookingId, fresh),
      // A step event says the state only: the steps, read again, say what each milestone did.
      step: (step) => {
        if (view?.booking_id !== bookingId || !moves(view.status, step.state)) return;
        view = { ...view, status: step.state };
        noteSeen(seen, step.state, step.at);
        $("#book-status").textContent = "";
        render();
        if (!step.terminal) read(bookingId, path);
      },
      lost: (stopped) => {
        if (view?.booking_id === bookingId) $("#book-status").textContent = t(stopped ? "stream.stopped" : "stream.lost");
      },
    });
  }

  // The booking's view, as its stream or a read gives it; never one older than that shown.
  function accept(bookingId, fresh) {
    if (view?.booking_id !== bookingId) return;
    if (view.ended && !fresh.ended) return;
    if (!moves(view.status, fresh.status) || (view.updated_at && fresh.updated_at < view.updated_at)) return;
    view = fresh;
    noteSeen(seen, fresh.status, fresh.updated_at);
    $("#book-status").textContent = "";
    if (fresh.ended) finish();
    render();
  }

  async function read(bookingId, path) {
    if (reading) {
      reading.again = true;
      return;
    }
    reading = { again: false };
    try {
      accept(bookingId, await api(path));
    } catch {
      // the stream goes on; its next event or its end says more
    }
    const again = reading.again;
    reading = null;
    if (again && view?.booking_id === bookingId && !view.ended) read(bookingId, path);
  }

  function finish() {
    stream?.close();
    stream = null;
    if (AGAIN.includes(view.status)) attempt = null; // the same key would answer this failure
    app.ended(view);
  }

  // The agent chose another room or client: an ended booking on screen gives way to the new
  // choice (not to a room no longer offered, which is no choice).
  function choiceChanged() {
    const body = choice();
    if (view?.ended && body && !same(body, made)) {
      view = null;
      seen = {};
    }
    render();
  }

  function another() {
    stop();
    app.cleared();
  }

  function stop() {
    stream?.close();
    stream = null;
    attempt = null;
    view = null;
    made = null;
    seen = {};
    $("#book-status").textContent = "";
    render();
  }

  function render() {
    const body = choice();
    const following = view && !view.ended && view.status !== "STUCK";
    const booked = Boolean(attempt?.bookingId && body && same(attempt.body, body));
    const button = $("#book-button");
    button.disabled = !body || sending || Boolean(following) || booked;
    button.textContent = attempt?.unsent && same(attempt.body, body) ? t("book.retry") : t("book.submit");
    button.dataset.made = String(booked); // a test reads why it is disabled
    $("#book-summary").textContent = body
      ? t("book.summary", {
        room: state.offer.room_type,
        hotel: state.offer.hotel_name,
        check_in: app.day(state.offer.check_in),
        check_out: app.day(state.offer.check_out),
        guests: state.offer.guests,
        client: `${state.client.first_name} ${state.client.last_name}`,
      })
      : t("book.pick");
    renderProgress();
    renderOutcome();
  }

  function renderProgress() {
    const list = $("#progress");
    if (!view) {
      list.replaceChildren();
      return;
    }
    const log = bookingLog(view, seen).map((entry) => el("li", { class: "log", "data-state": entry.state },
      entry.at ? el("time", { datetime: entry.at }, app.time(entry.at)) : null,
      " ", el("strong", {}, t(`state.${entry.state}`))));
    list.replaceChildren(...stageItems(view, STAGES, STAGES_DONE_BY_STATE, t),
      el("li", { class: "log-head", "aria-hidden": "true" }), ...log);
  }

  function renderOutcome() {
    const box = $("#outcome");
    const status = view?.status;
    if (!view || !OUTCOMES.includes(status) || (status !== "STUCK" && !view.ended)) {
      box.hidden = true;
      box.replaceChildren();
      delete box.dataset.status;
      return;
    }
    box.hidden = false;
    box.className = `outcome ${status === "CONFIRMED" ? "ok" : "bad"}`;
    box.dataset.status = status;
    const button = el("button", { type: "button", class: "ghost", "data-testid": "book-another", onclick: another }, t("book.another"));
    const label = (key) => `${t(key)}${t("punct.colon")}`;
    if (status === "CONFIRMED") {
      const reservation = view.reservation || {};
      box.replaceChildren(
        el("h3", {}, t("book.confirmed")),
        el("p", {}, label("book.code"), el("strong", { class: "code", "data-testid": "confirmation-code" }, reservation.confirmation_code || "…")),
        el("p", {}, label("book.total"), el("strong", {}, app.money(reservation.total, reservation.currency))),
        button);
    } else if (status === "STUCK") {
      box.replaceChildren(el("h3", {}, t("state.STUCK")), el("p", {}, t("book.stuck")), button);
    } else {
      box.replaceChildren(el("h3", {}, status === "FAILED" ? t("book.failed") : t("state.CANCELLED")),
        el("p", { class: "reason", "data-code": view.reason_code || "" }, app.reason(view)), button);
    }
  }

  $("#book-button").addEventListener("click", book);
  return { render, choiceChanged, stop };
}
