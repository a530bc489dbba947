// Operators' sections on people: agencies (each with its first manager) and users of every
// role, created, listed, disabled and enabled here. Every value from the server goes into the
// page as text (el), never as markup. Each section keeps what it read and what it last said,
// so a change of language rewrites both.
import { el } from "/shared/dom.js";
import { counted, instant, t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const AGENCY_ROLES = new Set(["agent", "agency_manager"]);
const roleName = (role) => (["agent", "agency_manager", "hotel_manager", "operator"].includes(role) ? t(`role.${role}`) : role);

// A form's fields as an object, empty ones left out.
function values(form) {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v !== ""));
}

// A status line that remembers how to write what it says: {text(), kind}.
function statusLine(node) {
  let said = null;
  const render = () => {
    node.textContent = said ? said.text() : "";
    node.classList.remove("error", "success");
    if (said?.kind) node.classList.add(said.kind);
  };
  return {
    say(text, kind = "") { said = text ? { text, kind } : null; render(); },
    render,
  };
}

// The sentence for a refused creation: taken, refused, or not created, with the server's reason.
function refusal(error, errorText) {
  const key = error.status === 409 ? "form.taken" : error.status === 422 ? "form.refused" : "form.failed";
  return () => t(key, { reason: errorText(error) });
}

// ---- agencies -----------------------------------------------------------------------------

// Handlers are assigned (onclick =), not added: the next person to sign in replaces them.
export function agencies({ api, errorText, open }) {
  const listed = statusLine($("#agencies-status"));
  const formStatus = statusLine($("#agency-form-status"));
  let items = null;
  fillDatalists();
  $("#agencies-refresh").onclick = load;
  $("#agency-form").onsubmit = create;

  async function load() {
    try {
      items = (await api("/api/agencies")).items;
      listed.say(items.length ? null : () => t("agencies.none"));
    } catch (error) {
      listed.say(() => errorText(error), "error");
    }
    renderRows();
  }

  function render() {
    listed.render();
    formStatus.render();
    renderRows();
  }

  function renderRows() {
    if (items) $("#agencies tbody").replaceChildren(...items.map(row));
  }

  function row(agency) {
    const people = agency.users ?? 0;
    return el("tr", { "data-agency": agency.agency_id },
      el("td", { "data-label": t("agencies.agency") }, el("strong", {}, agency.name), el("br"), el("span", { class: "mono muted", translate: "no" }, agency.agency_id)),
      el("td", { "data-label": t("agencies.city") }, `${agency.city}, ${agency.country}`),
      el("td", { "data-label": t("agencies.time_zone") }, agency.time_zone),
      el("td", { "data-label": t("agencies.currency") }, agency.currency),
      el("td", { "data-label": t("agencies.people") }, el("button", {
        type: "button", class: "link", title: t("agencies.people.title", { agency: agency.name }),
        onclick: () => open("users", { agency_id: agency.agency_id }),
      }, counted("agencies.people", people))),
      el("td", { "data-label": t("agencies.state") }, activeBadge(agency.active !== false, "agency")));
  }

  async function create(event) {
    event.preventDefault();
    const form = event.target;
    const fields = values(form);
    const body = {
      name: fields.name, city: fields.city, country: (fields.country || "").toUpperCase(),
      time_zone: fields.time_zone, currency: (fields.currency || "").toUpperCase(),
      manager: { username: fields.username, display_name: fields.display_name, password: fields.password },
    };
    if (fields.agency_id) body.agency_id = fields.agency_id;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    formStatus.say(() => t("agency.creating"));
    try {
      const made = await api("/api/agencies", { method: "POST", json: body });
      form.reset();
      formStatus.say(() => t("agency.created", { name: made.agency.name, id: made.agency.agency_id, manager: made.manager.username }), "success");
      await load();
    } catch (error) {
      formStatus.say(refusal(error, errorText), "error");
    } finally {
      button.disabled = false;
    }
  }

  return { show: load, render };
}

function activeBadge(active, of) {
  return el("span", { class: `badge ${active ? "active" : "inactive"}`, "data-testid": "active" }, t(`${of}.${active ? "active" : "disabled"}`));
}

function fillDatalists() {
  const options = (id, items) => $(id).replaceChildren(...items.map((value) => el("option", { value })));
  try {
    options("#time-zones", Intl.supportedValuesOf("timeZone"));
    options("#currencies", Intl.supportedValuesOf("currency"));
  } catch { /* an older browser: the fields are typed in */ }
}

// ---- users --------------------------------------------------------------------------------

export function users({ api, errorText, me }) {
  const listed = statusLine($("#users-status"));
  const formStatus = statusLine($("#user-form-status"));
  let knownAgencies = [];
  let hotelNames = {}; // hotel id: name, for the hotels a hotel manager runs
  let items = null;
  $("#users-filter").onchange = load;
  $("#users-filter").onsubmit = (event) => { event.preventDefault(); load(); };
  $("#user-form").onsubmit = create;
  $("#user-role").onchange = fitRole;
  fitRole();

  async function show(options = {}) {
    await Promise.allSettled([loadAgencies(), loadHotels()]);
    if (options.agency_id !== undefined) {
      $("#users-agency").value = options.agency_id;
      $("#users-role").value = "";
      if (AGENCY_ROLES.has($("#user-role").value)) $("#user-agency").value = options.agency_id;
    }
    await load();
  }

  async function loadAgencies() {
    knownAgencies = (await api("/api/agencies")).items;
    renderAgencies();
  }

  function renderAgencies() {
    for (const select of [$("#users-agency"), $("#user-agency")]) {
      const chosen = select.value;
      const first = select.id === "users-agency" ? [el("option", { value: "" }, t("users.all"))] : [];
      select.replaceChildren(...first, ...knownAgencies.map((a) => el("option", { value: a.agency_id }, `${a.name} (${a.city})`)));
      if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
    }
  }

  async function loadHotels() {
    const page = await api("/api/managed-hotels");
    hotelNames = Object.fromEntries(page.items.map((hotel) => [hotel.hotel_id, hotel.name]));
    const chosen = new Set([...document.querySelectorAll("#user-hotels input:checked")].map((i) => i.value));
    $("#user-hotels").replaceChildren(...page.items.map((hotel) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "hotel_ids", value: hotel.hotel_id, checked: chosen.has(hotel.hotel_id) }),
      ` ${hotel.name} `, el("span", { class: "muted" }, `(${hotel.city})`))));
  }

  async function load() {
    const filter = values($("#users-filter"));
    try {
      items = (await api(`/api/users?${new URLSearchParams(filter)}`)).items;
      listed.say(() => (items.length ? counted("users", items.length) : t("users.none")));
    } catch (error) {
      listed.say(() => errorText(error), "error");
    }
    renderRows();
  }

  function render() {
    renderAgencies();
    listed.render();
    formStatus.render();
    renderRows();
  }

  function renderRows() {
    if (items) $("#users tbody").replaceChildren(...items.map(row));
  }

  function where(user) {
    if (user.agency_id) {
      const agency = knownAgencies.find((a) => a.agency_id === user.agency_id);
      return agency ? agency.name : user.agency_id;
    }
    if (user.hotel_ids?.length) return user.hotel_ids.map((id) => hotelNames[id] || id).join(", ");
    return el("span", { class: "muted" }, t("users.head_office"));
  }

  function row(user) {
    const toggle = user.username === me.username ? el("span", { class: "muted" }, t("users.you"))
      : el("button", {
        type: "button", class: user.active ? "danger" : "",
        "data-testid": user.active ? "disable" : "enable",
        onclick: (event) => setActive(user, !user.active, event.currentTarget),
      }, t(user.active ? "users.disable" : "users.enable"));
    return el("tr", { "data-user": user.username, class: user.active ? "" : "inactive" },
      el("td", { "data-label": t("users.person") }, el("strong", {}, user.display_name), el("br"), el("span", { class: "mono muted", translate: "no" }, user.username)),
      el("td", { "data-label": t("users.role") }, roleName(user.role)),
      el("td", { "data-label": t("users.where") }, where(user)),
      el("td", { "data-label": t("users.state") }, activeBadge(user.active, "user")),
      el("td", { "data-label": t("users.created") }, instant(user.created_at)),
      el("td", { class: "actions" }, toggle));
  }

  async function setActive(user, active, button) {
    button.disabled = true;
    try {
      await api(`/api/users/${encodeURIComponent(user.username)}/${active ? "enable" : "disable"}`, { method: "POST" });
      listed.say(() => t(active ? "users.enabled" : "users.disabled", { user: user.username }), "success");
      await load();
      listed.say(() => t(active ? "users.enabled" : "users.disabled", { user: user.username }), "success");
    } catch (error) {
      listed.say(() => errorText(error), "error");
      button.disabled = false;
    }
  }

  function fitRole() {
    const role = $("#user-role").value;
    $("#user-agency-field").hidden = !AGENCY_ROLES.has(role);
    $("#user-agency").disabled = !AGENCY_ROLES.has(role);
    $("#user-hotels-field").hidden = role !== "hotel_manager";
  }

  async function create(event) {
    event.preventDefault();
    const form = event.target;
    const fields = values(form);
    const body = { username: fields.username, display_name: fields.display_name, password: fields.password, role: fields.role };
    if (AGENCY_ROLES.has(body.role)) body.agency_id = fields.agency_id;
    if (body.role === "hotel_manager") {
      body.hotel_ids = [...form.querySelectorAll("#user-hotels input:checked")].map((input) => input.value);
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const made = await api("/api/users", { method: "POST", json: body });
      for (const name of ["username", "display_name", "password"]) form.elements[name].value = "";
      formStatus.say(() => t("user.created", {
        name: made.display_name, user: made.username, role: t(`role.${made.role}.lower`),
      }), "success");
      await load();
    } catch (error) {
      formStatus.say(refusal(error, errorText), "error");
    } finally {
      button.disabled = false;
    }
  }

  return { show, render };
}
