// The desk's "1. Find a room": the search form (dates no earlier than the server takes), the
// offers, and the same search run again after a booking so that the counts shown are fresh.
import { el } from "/shared/dom.js";

const $ = (selector) => document.querySelector(selector);

// A date as the form's date fields write it, in the viewer's own calendar.
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return isoDate(new Date(y, m - 1, d + days));
}

// `app` gives the desk's helpers: api, t, tn (a text saying a number), money, day, problem(error)
// (a refusal in words), state (its query, offers, chosen offer) and chosen() (the chosen offer
// changed).
export function offersPanel(app) {
  const { api, t, state } = app;
  const checkIn = $("#check-in");
  const checkOut = $("#check-out");
  let searching = false;

  // The server takes a check-in from yesterday in UTC; today here is never before that.
  function limitDates() {
    checkIn.min = isoDate(new Date());
    checkOut.min = addDays(checkIn.value && checkIn.value >= checkIn.min ? checkIn.value : checkIn.min, 1);
    if (checkIn.value && checkOut.value && checkOut.value <= checkIn.value) checkOut.value = addDays(checkIn.value, 1);
  }

  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    state.query = {
      destination: String(form.get("destination")).trim(),
      check_in: String(form.get("check_in")),
      check_out: String(form.get("check_out")),
      guests: Number(form.get("guests")),
    };
    state.offer = null;
    app.chosen();
    await run();
  }

  // Runs the last search again (after a booking): the chosen offer stays chosen if still offered.
  async function run() {
    const query = state.query;
    if (!query) return;
    // A city or a country, by its code or its name, as typed: the server matches it without
    // regard to accents or case, and says when the group has no hotel there.
    const params = new URLSearchParams({ destination: query.destination, check_in: query.check_in, check_out: query.check_out, guests: query.guests });
    searching = true;
    render();
    try {
      const body = await api(`/api/availability?${params}`);
      if (query !== state.query) return; // a newer search answers for itself
      state.offers = (Array.isArray(body) ? body : body.results || []).map((offer) => ({ ...offer, ...query }));
      state.searchError = null;
    } catch (error) {
      if (query !== state.query) return;
      state.offers = [];
      state.searchError = error;
    } finally {
      if (query === state.query) searching = false;
    }
    const chosen = state.offer;
    state.offer = chosen
      ? state.offers.find((o) => o.hotel_id === chosen.hotel_id && o.room_type_id === chosen.room_type_id) ?? null
      : null;
    render();
    if (chosen !== state.offer) app.chosen();
  }

  function render() {
    $("#results").replaceChildren(...state.offers.map(card));
    const status = $("#search-status");
    const error = state.searchError;
    status.classList.toggle("error", Boolean(error) && !searching);
    if (error && !searching) status.dataset.code = error.code || "";
    else delete status.dataset.code;
    status.textContent = searching ? t("search.searching")
      : error ? app.problem(error)
      : !state.query || !state.token ? ""
      : state.offers.length ? app.tn("search.count", state.offers.length)
      : t("search.none");
  }

  function card(offer) {
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
        el("p", {}, el("strong", {}, offer.room_type), " · ", app.tn("result.capacity", offer.capacity),
          " · ", el("span", { class: "badge ok", "data-testid": "available" }, app.tn("result.available", offer.available)))),
      el("div", { class: "offer-prices" },
        el("p", { class: "muted" }, t("result.nightly")),
        el("ul", { class: "nights" }, nights.map((n) => el("li", {}, el("span", {}, app.day(n.night)), el("span", {}, app.money(n.price, offer.currency))))),
        el("p", { class: "total" }, `${t("result.total")} `, el("strong", {}, app.money(offer.total, offer.currency)))),
      el("button", {
        type: "button",
        class: chosen ? "primary" : "",
        "aria-pressed": String(chosen),
        "data-testid": "choose-offer",
        onclick: () => {
          state.offer = offer;
          render();
          app.chosen();
        },
      }, chosen ? t("result.chosen") : t("result.choose")),
    );
  }

  function clear() {
    state.offer = null;
    render();
  }

  checkIn.value = addDays(isoDate(new Date()), 14);
  checkOut.value = addDays(checkIn.value, 3);
  limitDates();
  checkIn.addEventListener("input", limitDates);
  checkIn.addEventListener("change", limitDates);
  $("#search-form").addEventListener("submit", submit);
  return { render, run, clear };
}
