// A hotel's calendar for the people who run it (and operators): every night of a range, per
// room type, with its rate (marked where the hotel set it), free, booked and closed rooms, the
// closed rooms with their reason and the booked rooms with their nights; and the forms that
// change a rate or close and reopen a room or a whole room type (the closure form marks the
// rooms booked on the nights it names, which cannot be closed). After each change the calendar is read again and a line says
// what happened; a refusal is shown as the server words it.
import { el } from "/shared/dom.js";

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
const dayName = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
const dayMonth = (iso) => new Date(`${iso}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const weekend = (iso) => [5, 6].includes(new Date(`${iso}T00:00:00Z`).getUTCDay()); // Friday and Saturday nights
const plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;

// How a room in the closure form is marked when booked on `booked` of the `count` nights named.
function bookedMark(booked, count) {
  if (count <= 1) return "(booked that night)";
  if (booked >= count) return `(booked on all ${count} nights)`;
  return `(booked on ${booked} of these nights)`;
}

function range(first, last) {
  const nights = nightsBetween(first, last);
  return nights === 1 ? dayMonth(first) : `${dayMonth(first)} – ${dayMonth(last)}`;
}

export function hotelCalendar({ api }) {
  let hotels = [];
  let shown = null; // the calendar on screen
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
    } catch (error) {
      $("#calendar-status").textContent = error.message;
      return;
    }
    $("#calendar-hotel").replaceChildren(...hotels.map((hotel) =>
      el("option", { value: hotel.hotel_id }, `${hotel.name} — ${hotel.city}, ${hotel.country}`)));
    if (!hotels.length) {
      $("#calendar-status").textContent = "You run no hotel yet: head office assigns them.";
      return;
    }
    await load();
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
      $("#calendar-status").textContent = "";
    } catch (error) {
      $("#calendar-status").textContent = error.message;
      $("#calendar").removeAttribute("aria-busy");
      return;
    }
    render();
    $("#calendar").setAttribute("aria-busy", "false");
  }

  function render() {
    const hotel = hotels.find((h) => h.hotel_id === shown.hotel_id) || {};
    $("#calendar-caption").textContent = `${shown.hotel_name} · ${range(shown.start, addDays(shown.end, -1))} · `
      + `prices in ${shown.currency} · ${shown.time_zone || hotel.time_zone || ""}`;
    $("#calendar").dataset.hotel = shown.hotel_id;
    $("#calendar").replaceChildren(
      el("p", { class: "legend" },
        el("span", { class: "key overridden" }, "rate set by the hotel"),
        el("span", { class: "key full" }, "no room free"),
        el("span", { class: "key closed" }, "rooms closed")),
      ...shown.room_types.map(roomTypeGrid));
    fitForms();
  }

  function roomTypeGrid(type) {
    const nights = type.nights || [];
    const cells = (row, value, extra = () => ({})) => el("tr", { "data-row": row },
      el("th", { scope: "row" }, ROW_NAMES[row](shown.currency)),
      nights.map((night) => el("td", { "data-night": night.night, ...extra(night) }, value(night))));
    const heading = nights.map((night) => el("th", {
      scope: "col", "data-night": night.night, class: weekend(night.night) ? "weekend" : "",
    }, el("span", { class: "dow" }, dayName(night.night)), el("br"), dayMonth(night.night)));
    return el("section", { class: "room-type", "data-room-type": type.room_type_id, "aria-label": type.name },
      el("h3", {}, type.name, " ", el("span", { class: "muted" },
        `· up to ${type.capacity} guests · ${plural((type.rooms || []).length, "room")}`)),
      el("div", { class: "table-wrap" },
        el("table", { class: "nights-grid" },
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Night"), heading)),
          el("tbody", {},
            cells("price", price, (n) => ({ class: n.overridden ? "overridden" : "", title: n.overridden ? "Rate set by the hotel" : null })),
            cells("free", (n) => String(n.free), (n) => ({ class: n.free === 0 ? "full" : "" })),
            cells("booked", (n) => String(n.booked)),
            cells("closed", (n) => String(n.closed), (n) => ({ class: n.closed ? "closed" : "" }))))),
      closedRooms(type), (type.booked || []).length ? bookedRooms(type) : null);
  }

  function price(night) {
    if (!night.priced) return el("span", { class: "muted", title: "No rate for this night" }, "—");
    return [night.price, night.overridden ? el("span", { class: "mark", "aria-label": " (set by the hotel)" }, "•") : null];
  }

  function closedRooms(type) {
    const closed = type.closed || [];
    if (!closed.length) {
      return el("p", { class: "muted small" }, (type.booked || []).length
        ? "No room closed in these nights." : "No room closed or booked in these nights.");
    }
    return el("ul", { class: "closed-rooms" }, closed.map((room) => {
      const nights = [...room.nights].sort();
      return el("li", { "data-room": room.room_id },
        el("strong", {}, `Room ${room.number}`), " closed ",
        nights.map(dayMonth).join(", "), " — ", el("span", { class: "reason" }, room.reason || "no reason given"), " ",
        el("button", {
          type: "button", class: "small",
          onclick: () => reopenRoom(type, room, nights[0], nights[nights.length - 1]),
        }, "Reopen"));
    }));
  }

  function bookedRooms(type) {
    return el("ul", { class: "booked-rooms", "aria-label": `${type.name}: booked rooms` }, type.booked.map((room) => {
      const nights = [...room.nights].sort();
      return el("li", { "data-room": room.room_id, "data-number": room.number, "data-nights": nights.join(" ") },
        el("strong", {}, `Room ${room.number}`), " booked ", nights.map(dayMonth).join(", "),
        el("span", { class: "muted" }, " — sold, cannot be closed"));
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
    $("#closure-room").replaceChildren(el("option", { value: "" }, "Whole room type (stop selling)"),
      ...(type?.rooms || []).map((room) => {
        const booked = bookedOn(room);
        return el("option", { value: room.room_id, "data-number": room.number, "data-booked": booked || null },
          `Room ${room.number}${room.floor !== undefined && room.floor !== null ? ` (floor ${room.floor})` : ""}`,
          booked ? ` ${bookedMark(booked, count)}` : "");
      }));
    if ((type?.rooms || []).some((room) => room.room_id === chosen)) $("#closure-room").value = chosen;
    const held = (type?.booked || []).map((room) => ({ ...room, nights: room.nights.filter(inRange).sort() }))
      .filter((room) => room.nights.length);
    $("#closure-booked").hidden = !held.length;
    $("#closure-booked").replaceChildren(...(held.length ? ["Booked on these nights, so not closable: ",
      ...held.flatMap((room, i) => [i ? "; " : "", el("strong", {}, `Room ${room.number}`), ` (${room.nights.map(dayMonth).join(", ")})`])] : []));
  }

  const roomType = (id) => (shown?.room_types || []).find((type) => type.room_type_id === id);
  const typePath = (typeId, what) => `/api/hotels/${encodeURIComponent(shown.hotel_id)}/room-types/${encodeURIComponent(typeId)}/${what}`;

  // The nights a form names, or null (and the reason said) if they make no range.
  function nightsOf(form) {
    const first = form.elements.first.value;
    const last = form.elements.last.value;
    if (!shown) return tell("Show a hotel's calendar first.", true);
    if (!first || !last) return tell("Give the first and the last night.", true);
    if (last < first) return tell("The last night comes before the first.", true);
    return { first, last, start: first, end: addDays(last, 1), count: nightsBetween(first, last) };
  }

  // The outcome of an action, in the status line; a refusal also in the alert, word for word.
  function tell(text, refused = false) {
    $("#hotel-status").textContent = text;
    $("#hotel-status").classList.toggle("error", refused);
    $("#hotel-alert").hidden = true;
    return null;
  }
  function refuse(error, what) {
    if (error.status === 409 || error.status === 422) {
      $("#hotel-status").textContent = "";
      $("#hotel-alert").replaceChildren(el("strong", {}, `${what} refused`), el("p", {}, error.message));
      $("#hotel-alert").hidden = false;
    } else {
      tell(`${what} failed: ${error.message}`, true);
    }
  }

  async function act(what, button, work) {
    button.disabled = true;
    $("#hotel-alert").hidden = true;
    $("#hotel-status").textContent = `${what}…`;
    try {
      tell(await work());
      await load();
    } catch (error) {
      refuse(error, what);
    } finally {
      button.disabled = false;
    }
  }

  function setRate(event) {
    event.preventDefault();
    const form = event.target;
    const nights = nightsOf(form);
    const amount = Number(form.elements.price.value);
    if (!nights) return;
    if (!(amount > 0)) { tell("Give a price above zero.", true); return; }
    const type = roomType(form.elements.room_type_id.value);
    const body = { start: nights.start, end: nights.end, price: amount.toFixed(2) };
    act("Rate change", $("#rate-set"), async () => {
      const done = await api(typePath(type.room_type_id, "night-rates"), { method: "PUT", json: body });
      const count = done.nights ?? nights.count;
      return `Rate set to ${done.price ?? body.price} ${shown.currency} for ${plural(count, "night")} `
        + `(${type.name}, ${range(nights.first, nights.last)}).`;
    });
  }

  function resetRate() {
    const form = $("#rate-form");
    const nights = nightsOf(form);
    if (!nights) return;
    const type = roomType(form.elements.room_type_id.value);
    const params = new URLSearchParams({ start: nights.start, end: nights.end });
    act("Rate reset", $("#rate-reset"), async () => {
      const done = await api(`${typePath(type.room_type_id, "night-rates")}?${params}`, { method: "DELETE" });
      const count = done.nights ?? nights.count;
      return `${type.name}: back to the seasonal rate for ${plural(count, "night")} (${range(nights.first, nights.last)}).`;
    });
  }

  function close(event) {
    event.preventDefault();
    const form = event.target;
    const nights = nightsOf(form);
    if (!nights) return;
    const reason = form.elements.reason.value.trim();
    if (!reason) { tell("Say why the rooms close (it is shown on the calendar).", true); return; }
    const type = roomType(form.elements.room_type_id.value);
    const room = type.rooms.find((r) => r.room_id === form.elements.room_id.value);
    const body = { start: nights.start, end: nights.end, reason };
    if (room) body.room_id = room.room_id;
    act(room ? `Closing room ${room.number}` : `Closing ${type.name}`, $("#closure-close"), async () => {
      const done = await api(typePath(type.room_type_id, "closures"), { method: "POST", json: body });
      return closedText(done, type, room, nights);
    });
  }

  function closedText(done, type, room, nights) {
    const when = range(nights.first, nights.last);
    const already = done.already_closed ? ` (${plural(done.already_closed, "room-night")} already closed)` : "";
    if (room) return `Room ${room.number} closed for ${plural(nights.count, "night")}, ${when}${already}.`;
    const booked = (done.left_booked || []).map((r) => `room ${r.number} (${r.nights.map(dayMonth).join(", ")})`);
    return `${type.name} closed, ${when}: ${plural(done.closed ?? 0, "room-night")} closed${already}.`
      + (booked.length ? ` Booked nights stay sold: ${booked.join("; ")}.` : "");
  }

  function reopen() {
    const form = $("#closure-form");
    const nights = nightsOf(form);
    if (!nights) return;
    const type = roomType(form.elements.room_type_id.value);
    const room = type.rooms.find((r) => r.room_id === form.elements.room_id.value);
    reopenNights(type, room, nights, $("#closure-reopen"));
  }

  function reopenRoom(type, room, first, last) {
    const nights = { first, last, start: first, end: addDays(last, 1), count: nightsBetween(first, last) };
    reopenNights(type, { room_id: room.room_id, number: room.number }, nights, document.activeElement);
  }

  function reopenNights(type, room, nights, button) {
    const params = new URLSearchParams({ start: nights.start, end: nights.end });
    if (room) params.set("room_id", room.room_id);
    act(room ? `Reopening room ${room.number}` : `Reopening ${type.name}`, button, async () => {
      const done = await api(`${typePath(type.room_type_id, "closures")}?${params}`, { method: "DELETE" });
      const what = room ? `Room ${room.number}` : type.name;
      return `${what} reopened, ${range(nights.first, nights.last)}: ${plural(done.reopened ?? 0, "room-night")} reopened.`;
    });
  }

  return { show };
}

const ROW_NAMES = {
  price: (currency) => `Price (${currency})`,
  free: () => "Free",
  booked: () => "Booked",
  closed: () => "Closed",
};
