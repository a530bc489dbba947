// A hotel's calendar for the people who run it (and operators): every night of a range, per
// room type, with its rate (marked where the hotel set it), free, booked and closed rooms, the
// closed rooms with their reason and the booked rooms with their nights; and the forms that
// change a rate or close and reopen a room or a whole room type (the closure form marks the
// rooms booked on the nights it names, which cannot be closed). After each change the calendar
// is read again and a line says what happened; a refusal is shown in the reader's language.
// Nights are the hotel's calendar days, in its time zone, which the caption names.
import { el } from "/shared/dom.js";
import { counted, day, decimal, number, t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const DEFAULT_NIGHTS = 14;

// Dates are calendar days (YYYY-MM-DD), computed in UTC so no time zone shifts them.
function addDays(iso, days) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
function today() {
  const now = new Date();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate())).toISOString().slice(0, 10);
}
const nightsBetween = (first, last) => Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000) + 1;
const dayName = (iso) => day(iso, { weekday: "short" });
const dayMonth = (iso) => day(iso, { day: "numeric", month: "short" });
const weekend = (iso) => [5, 6].includes(new Date(`${iso}T00:00:00Z`).getUTCDay()); // Friday and Saturday nights
const priced = (value, currency) => `${decimal(value)} ${currency}`; // as the hotel priced it

// How a room in the closure form is marked when booked on `booked` of the `count` nights named.
function bookedMark(booked, count) {
  if (count <= 1) return t("closure.booked.one");
  if (booked >= count) return t("closure.booked.all", { count: number(count) });
  return t("closure.booked.some", { booked: number(booked) });
}

function range(first, last) {
  return nightsBetween(first, last) === 1 ? dayMonth(first) : `${dayMonth(first)} – ${dayMonth(last)}`;
}

export function hotelCalendar({ api, errorText }) {
  let hotels = [];
  let shown = null; // the calendar on screen
  let said = null; // what the status line or the alert says: {text(), refused, alert}
  let failure = null; // why the calendar could not be read
  $("#calendar-form").onsubmit = (event) => { event.preventDefault(); load(); };
  $("#calendar-hotel").onchange = load;
  $("#rate-form").onsubmit = setRate;
  $("#rate-reset").onclick = resetRate;
  $("#closure-form").onsubmit = close;
  $("#closure-reopen").onclick = reopen;
  $("#rate-room-type").onchange = fitForms;
  $("#closure-room-type").onchange = fitRooms;
  for (const [first, last] of [["#rate-first", "#rate-last"], ["#closure-first", "#closure-last"]]) {
    $(first).onchange = () => {
      if (!$(last).value || $(last).value < $(first).value) $(last).value = $(first).value;
      if (first === "#closure-first") fitRooms();
    };
  }
  $("#closure-last").onchange = fitRooms;

  async function show() {
    if (!$("#calendar-start").value) $("#calendar-start").value = today();
    if (hotels.length) return;
    try {
      hotels = (await api("/api/managed-hotels")).items;
      failure = null;
    } catch (error) {
      failure = () => errorText(error);
      renderStatus();
      return;
    }
    renderHotels();
    if (!hotels.length) {
      failure = () => t("calendar.no_hotel");
      renderStatus();
      return;
    }
    await load();
  }

  function renderHotels() {
    const chosen = $("#calendar-hotel").value;
    $("#calendar-hotel").replaceChildren(...hotels.map((hotel) =>
      el("option", { value: hotel.hotel_id }, `${hotel.name} — ${hotel.city}, ${hotel.country}`)));
    if (hotels.some((hotel) => hotel.hotel_id === chosen)) $("#calendar-hotel").value = chosen;
  }

  async function load() {
    const hotelId = $("#calendar-hotel").value;
    const start = $("#calendar-start").value;
    const nights = Math.min(62, Math.max(1, Number($("#calendar-nights").value) || DEFAULT_NIGHTS));
    if (!hotelId || !start) return;
    const params = new URLSearchParams({ start, end: addDays(start, nights) });
    $("#calendar").setAttribute("aria-busy", "true");
    try {
      shown = await api(`/api/hotels/${encodeURIComponent(hotelId)}/calendar?${params}`);
      failure = null;
    } catch (error) {
      failure = () => errorText(error);
      renderStatus();
      $("#calendar").removeAttribute("aria-busy");
      return;
    }
    renderStatus();
    renderCalendar();
    $("#calendar").setAttribute("aria-busy", "false");
  }

  function render() {
    renderStatus();
    renderSaid();
    if (shown) renderCalendar();
  }

  function renderStatus() {
    $("#calendar-status").textContent = failure ? failure() : "";
  }

  function renderCalendar() {
    const hotel = hotels.find((h) => h.hotel_id === shown.hotel_id) || {};
    $("#calendar-caption").textContent = t("calendar.caption", {
      hotel: shown.hotel_name, range: range(shown.start, addDays(shown.end, -1)),
      currency: shown.currency, zone: shown.time_zone || hotel.time_zone || "",
    });
    $("#calendar").dataset.hotel = shown.hotel_id;
    $("#calendar").replaceChildren(
      el("p", { class: "legend" },
        el("span", { class: "key overridden" }, t("calendar.legend.overridden")),
        el("span", { class: "key full" }, t("calendar.legend.full")),
        el("span", { class: "key closed" }, t("calendar.legend.closed"))),
      ...shown.room_types.map(roomTypeGrid));
    fitForms();
  }

  function roomTypeGrid(type) {
    const nights = type.nights || [];
    const cells = (row, value, extra = () => ({})) => el("tr", { "data-row": row },
      el("th", { scope: "row" }, t(`calendar.row.${row}`, { currency: shown.currency })),
      nights.map((night) => el("td", { "data-night": night.night, ...extra(night) }, value(night))));
    const heading = nights.map((night) => el("th", {
      scope: "col", "data-night": night.night, class: weekend(night.night) ? "weekend" : "",
    }, el("span", { class: "dow" }, dayName(night.night)), el("br"), dayMonth(night.night)));
    const count = (n) => number(n);
    return el("section", { class: "room-type", "data-room-type": type.room_type_id, "aria-label": type.name },
      el("h3", {}, type.name, " ", el("span", { class: "muted" },
        t("calendar.type", { guests: counted("guests", type.capacity), rooms: counted("calendar.rooms", (type.rooms || []).length) }))),
      el("div", { class: "table-wrap" },
        el("table", { class: "nights-grid" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("calendar.night")), heading)),
          el("tbody", {},
            cells("price", price, (n) => ({ class: n.overridden ? "overridden" : "", title: n.overridden ? t("calendar.rate_set") : null })),
            cells("free", (n) => count(n.free), (n) => ({ class: n.free === 0 ? "full" : "" })),
            cells("booked", (n) => count(n.booked)),
            cells("closed", (n) => count(n.closed), (n) => ({ class: n.closed ? "closed" : "" }))))),
      closedRooms(type), (type.booked || []).length ? bookedRooms(type) : null);
  }

  function price(night) {
    if (!night.priced) return el("span", { class: "muted", title: t("calendar.no_rate") }, "—");
    return [decimal(night.price), night.overridden ? el("span", { class: "mark", "aria-label": t("calendar.set_mark") }, "•") : null];
  }

  function closedRooms(type) {
    const closed = type.closed || [];
    if (!closed.length) {
      return el("p", { class: "muted small" }, t((type.booked || []).length ? "calendar.none_closed" : "calendar.none_closed_booked"));
    }
    return el("ul", { class: "closed-rooms" }, closed.map((room) => {
      const nights = [...room.nights].sort();
      return el("li", { "data-room": room.room_id },
        el("strong", {}, t("calendar.room", { number: room.number })), t("calendar.closed"),
        nights.map(dayMonth).join(", "), " — ", el("span", { class: "reason" }, room.reason || t("calendar.no_reason")), " ",
        el("button", {
          type: "button", class: "small",
          onclick: (event) => reopenRoom(type, room, nights[0], nights[nights.length - 1], event.currentTarget),
        }, t("calendar.reopen")));
    }));
  }

  function bookedRooms(type) {
    return el("ul", { class: "booked-rooms", "aria-label": t("calendar.booked_rooms", { type: type.name }) }, type.booked.map((room) => {
      const nights = [...room.nights].sort();
      return el("li", { "data-room": room.room_id, "data-number": room.number, "data-nights": nights.join(" ") },
        el("strong", {}, t("calendar.room", { number: room.number })), t("calendar.booked"), nights.map(dayMonth).join(", "),
        el("span", { class: "muted" }, t("calendar.sold")));
    }));
  }

  // ---- the forms ----------------------------------------------------------------------------

  function fitForms() {
    const types = shown?.room_types || [];
    for (const select of [$("#rate-room-type"), $("#closure-room-type")]) {
      const chosen = select.value;
      select.replaceChildren(...types.map((type) => el("option", { value: type.room_type_id }, type.name)));
      if (types.some((type) => type.room_type_id === chosen)) select.value = chosen;
    }
    for (const input of ["#rate-first", "#rate-last", "#closure-first", "#closure-last"]) {
      if (!$(input).value && shown) $(input).value = shown.start;
    }
    $("#rate-currency").textContent = shown ? `(${shown.currency})` : "";
    fitRooms();
  }

  // The rooms of the chosen type, each marked if the calendar shows it booked on any of the
  // nights the closure form names (the server refuses to close those; it still has the last word).
  function fitRooms() {
    const type = roomType($("#closure-room-type").value);
    const chosen = $("#closure-room").value;
    const first = $("#closure-first").value;
    const last = $("#closure-last").value || first;
    const inRange = (night) => first && night >= first && night <= last;
    const count = first && last >= first ? nightsBetween(first, last) : 0;
    const bookedOn = (room) => ((type?.booked || []).find((b) => b.room_id === room.room_id)?.nights || []).filter(inRange).length;
    $("#closure-room").replaceChildren(el("option", { value: "" }, t("closure.whole_type")),
      ...(type?.rooms || []).map((room) => {
        const booked = bookedOn(room);
        return el("option", { value: room.room_id, "data-number": room.number, "data-booked": booked || null },
          t("calendar.room", { number: room.number }), booked ? ` ${bookedMark(booked, count)}` : "");
      }));
    if ((type?.rooms || []).some((room) => room.room_id === chosen)) $("#closure-room").value = chosen;
    const held = (type?.booked || []).map((room) => ({ ...room, nights: room.nights.filter(inRange).sort() }))
      .filter((room) => room.nights.length);
    $("#closure-booked").hidden = !held.length;
    $("#closure-booked").textContent = held.length ? t("closure.booked.hint", {
      rooms: held.map((room) => `${t("calendar.room", { number: room.number })} (${room.nights.map(dayMonth).join(", ")})`).join("; "),
    }) : "";
  }

  const roomType = (id) => (shown?.room_types || []).find((type) => type.room_type_id === id);
  const typePath = (typeId, what) => `/api/hotels/${encodeURIComponent(shown.hotel_id)}/room-types/${encodeURIComponent(typeId)}/${what}`;

  // The nights a form names, or null (and the reason said) if they make no range.
  function nightsOf(form) {
    const first = form.elements.first.value;
    const last = form.elements.last.value;
    if (!shown || !first || !last || last < first) return tell(() => t("hotel.nights_needed"), true);
    return { first, last, start: first, end: addDays(last, 1), count: nightsBetween(first, last) };
  }

  // The outcome of an action in the status line, or a refusal in the alert; kept as a way to
  // write it, so a change of language rewrites it.
  function tell(text, refused = false, alert = null) {
    said = { text, refused, alert };
    renderSaid();
    return null;
  }
  function renderSaid() {
    $("#hotel-status").textContent = said && !said.alert ? said.text() : "";
    $("#hotel-status").classList.toggle("error", Boolean(said?.refused && !said.alert));
    $("#hotel-alert").hidden = !said?.alert;
    if (said?.alert) $("#hotel-alert").replaceChildren(el("strong", {}, said.alert()), el("p", {}, said.text()));
  }
  function refuse(error, what) {
    if (error.status === 409 || error.status === 422) tell(() => errorText(error), true, () => t("hotel.refused", { what: what() }));
    else tell(() => t("hotel.failed", { what: what(), reason: errorText(error) }), true);
  }

  async function act(what, button, work) {
    button.disabled = true;
    tell(() => t("hotel.working", { what: what() }));
    try {
      tell(await work());
      await load();
    } catch (error) {
      refuse(error, what);
    } finally {
      button.disabled = false;
    }
  }

  const nightsText = (count) => counted("nights", count);
  const roomNights = (count) => counted("room_nights", count);

  function setRate(event) {
    event.preventDefault();
    const form = event.target;
    const nights = nightsOf(form);
    const value = Number(form.elements.price.value);
    if (!nights) return;
    if (!(value > 0)) { tell(() => t("hotel.price_needed"), true); return; }
    const type = roomType(form.elements.room_type_id.value);
    const body = { start: nights.start, end: nights.end, price: value.toFixed(2) };
    const currency = shown.currency;
    act(() => t("what.rate"), $("#rate-set"), async () => {
      const done = await api(typePath(type.room_type_id, "night-rates"), { method: "PUT", json: body });
      const count = done.nights ?? nights.count;
      return () => t("done.rate", {
        price: priced(done.price ?? body.price, currency), nights: nightsText(count),
        type: type.name, range: range(nights.first, nights.last),
      });
    });
  }

  function resetRate() {
    const form = $("#rate-form");
    const nights = nightsOf(form);
    if (!nights) return;
    const type = roomType(form.elements.room_type_id.value);
    const params = new URLSearchParams({ start: nights.start, end: nights.end });
    act(() => t("what.reset"), $("#rate-reset"), async () => {
      const done = await api(`${typePath(type.room_type_id, "night-rates")}?${params}`, { method: "DELETE" });
      const count = done.nights ?? nights.count;
      return () => t("done.reset", { type: type.name, nights: nightsText(count), range: range(nights.first, nights.last) });
    });
  }

  function close(event) {
    event.preventDefault();
    const form = event.target;
    const nights = nightsOf(form);
    if (!nights) return;
    const reason = form.elements.reason.value.trim();
    if (!reason) { tell(() => t("hotel.reason_needed"), true); return; }
    const type = roomType(form.elements.room_type_id.value);
    const room = type.rooms.find((r) => r.room_id === form.elements.room_id.value);
    const body = { start: nights.start, end: nights.end, reason };
    if (room) body.room_id = room.room_id;
    const what = room ? () => t("what.close_room", { number: room.number }) : () => t("what.close_type", { type: type.name });
    act(what, $("#closure-close"), async () => {
      const done = await api(typePath(type.room_type_id, "closures"), { method: "POST", json: body });
      return () => closedText(done, type, room, nights);
    });
  }

  function closedText(done, type, room, nights) {
    const when = range(nights.first, nights.last);
    const already = done.already_closed ? t("done.already", { count: roomNights(done.already_closed) }) : "";
    if (room) return t("done.closed_room", { number: room.number, nights: nightsText(nights.count), range: when, already });
    const booked = (done.left_booked || []).map((r) => t("done.left_room", { number: r.number, nights: r.nights.map(dayMonth).join(", ") }));
    return t("done.closed_type", { type: type.name, range: when, closed: roomNights(done.closed ?? 0), already })
      + (booked.length ? t("done.left_booked", { rooms: booked.join("; ") }) : "");
  }

  function reopen() {
    const form = $("#closure-form");
    const nights = nightsOf(form);
    if (!nights) return;
    const type = roomType(form.elements.room_type_id.value);
    const room = type.rooms.find((r) => r.room_id === form.elements.room_id.value);
    reopenNights(type, room, nights, $("#closure-reopen"));
  }

  function reopenRoom(type, room, first, last, button) {
    const nights = { first, last, start: first, end: addDays(last, 1), count: nightsBetween(first, last) };
    reopenNights(type, { room_id: room.room_id, number: room.number }, nights, button);
  }

  function reopenNights(type, room, nights, button) {
    const params = new URLSearchParams({ start: nights.start, end: nights.end });
    if (room) params.set("room_id", room.room_id);
    const what = room ? () => t("what.reopen_room", { number: room.number }) : () => t("what.reopen_type", { type: type.name });
    act(what, button, async () => {
      const done = await api(`${typePath(type.room_type_id, "closures")}?${params}`, { method: "DELETE" });
      const when = range(nights.first, nights.last);
      const reopened = roomNights(done.reopened ?? 0);
      return () => (room ? t("done.reopened_room", { number: room.number, range: when, reopened })
        : t("done.reopened_type", { type: type.name, range: when, reopened }));
    });
  }

  return { show, render };
}
