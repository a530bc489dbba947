// Operators' sections on people: agencies (each with its first manager) and users of every
// role, created, listed, disabled and enabled here. Every value from the server goes into the
// page as text (el), never as markup.
import { el } from "/shared/dom.js";

const $ = (selector) => document.querySelector(selector);
const ROLE_NAMES = { agent: "Agent", agency_manager: "Agency manager", hotel_manager: "Hotel manager", operator: "Operator" };
const AGENCY_ROLES = new Set(["agent", "agency_manager"]);
const day = (iso) => (iso ? new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium" }) : "—");
const activeBadge = (active) => el("span", { class: `badge ${active ? "active" : "inactive"}`, "data-testid": "active" }, active ? "active" : "disabled");

// A form's fields as an object, empty ones left out.
function values(form) {
  return Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]).filter(([, v]) => v !== ""));
}

function say(node, text, kind = "") {
  node.textContent = text;
  node.classList.remove("error", "success");
  if (kind) node.classList.add(kind);
}

// ---- agencies -----------------------------------------------------------------------------

// Handlers are assigned (onclick =), not added: the next person to sign in replaces them.
export function agencies({ api, open }) {
  fillDatalists();
  $("#agencies-refresh").onclick = load;
  $("#agency-form").onsubmit = create;

  async function load() {
    try {
      const page = await api("/api/agencies");
      say($("#agencies-status"), page.items.length ? "" : "No agency yet.");
      $("#agencies tbody").replaceChildren(...page.items.map(row));
    } catch (error) {
      say($("#agencies-status"), error.message, "error");
    }
  }

  function row(agency) {
    return el("tr", { "data-agency": agency.agency_id },
      el("td", { "data-label": "Agency" }, el("strong", {}, agency.name), el("br"), el("span", { class: "mono muted" }, agency.agency_id)),
      el("td", { "data-label": "City" }, `${agency.city}, ${agency.country}`),
      el("td", { "data-label": "Time zone" }, agency.time_zone),
      el("td", { "data-label": "Currency" }, agency.currency),
      el("td", { "data-label": "People" }, el("button", {
        type: "button", class: "link", title: `The people of ${agency.name}`,
        onclick: () => open("users", { agency_id: agency.agency_id }),
      }, `${agency.users ?? 0} ${agency.users === 1 ? "person" : "people"}`)),
      el("td", { "data-label": "State" }, activeBadge(agency.active !== false)));
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
    say($("#agency-form-status"), "Creating the agency…");
    try {
      const made = await api("/api/agencies", { method: "POST", json: body });
      form.reset();
      say($("#agency-form-status"),
        `Agency ${made.agency.name} (${made.agency.agency_id}) created; its manager ${made.manager.username} can sign in to the agents' app.`,
        "success");
      await load();
    } catch (error) {
      const prefix = error.status === 409 ? "Already taken: " : error.status === 422 ? "Refused: " : "Not created: ";
      say($("#agency-form-status"), prefix + error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  return { show: load };
}

function fillDatalists() {
  const options = (id, items) => $(id).replaceChildren(...items.map((value) => el("option", { value })));
  try {
    options("#time-zones", Intl.supportedValuesOf("timeZone"));
    options("#currencies", Intl.supportedValuesOf("currency"));
  } catch { /* an older browser: the fields are typed in */ }
}

// ---- users --------------------------------------------------------------------------------

export function users({ api, me }) {
  let knownAgencies = [];
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
    const page = await api("/api/agencies");
    knownAgencies = page.items;
    for (const select of [$("#users-agency"), $("#user-agency")]) {
      const chosen = select.value;
      const first = select.id === "users-agency" ? [el("option", { value: "" }, "All")] : [];
      select.replaceChildren(...first, ...knownAgencies.map((a) => el("option", { value: a.agency_id }, `${a.name} (${a.city})`)));
      if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
    }
  }

  async function loadHotels() {
    const page = await api("/api/managed-hotels");
    const chosen = new Set([...document.querySelectorAll("#user-hotels input:checked")].map((i) => i.value));
    $("#user-hotels").replaceChildren(...page.items.map((hotel) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "hotel_ids", value: hotel.hotel_id, checked: chosen.has(hotel.hotel_id) }),
      ` ${hotel.name} `, el("span", { class: "muted" }, `(${hotel.city})`))));
  }

  async function load() {
    const filter = values($("#users-filter"));
    try {
      const page = await api(`/api/users?${new URLSearchParams(filter)}`);
      say($("#users-status"), page.items.length ? `${page.items.length} ${page.items.length === 1 ? "person" : "people"}` : "Nobody matches.");
      $("#users tbody").replaceChildren(...page.items.map(row));
    } catch (error) {
      say($("#users-status"), error.message, "error");
    }
  }

  function where(user) {
    if (user.agency_id) {
      const agency = knownAgencies.find((a) => a.agency_id === user.agency_id);
      return agency ? agency.name : user.agency_id;
    }
    if (user.hotel_ids?.length) return user.hotel_ids.join(", ");
    return el("span", { class: "muted" }, "head office");
  }

  function row(user) {
    const toggle = user.username === me.username ? el("span", { class: "muted" }, "you")
      : el("button", {
        type: "button", class: user.active ? "danger" : "",
        "data-testid": user.active ? "disable" : "enable",
        onclick: (event) => setActive(user, !user.active, event.target),
      }, user.active ? "Disable" : "Enable");
    return el("tr", { "data-user": user.username, class: user.active ? "" : "inactive" },
      el("td", { "data-label": "Person" }, el("strong", {}, user.display_name), el("br"), el("span", { class: "mono muted" }, user.username)),
      el("td", { "data-label": "Role" }, ROLE_NAMES[user.role] || user.role),
      el("td", { "data-label": "Agency or hotels" }, where(user)),
      el("td", { "data-label": "State" }, activeBadge(user.active)),
      el("td", { "data-label": "Created" }, day(user.created_at)),
      el("td", { class: "actions" }, toggle));
  }

  async function setActive(user, active, button) {
    button.disabled = true;
    try {
      await api(`/api/users/${encodeURIComponent(user.username)}/${active ? "enable" : "disable"}`, { method: "POST" });
      say($("#users-status"), active ? `${user.username} is enabled again.` : `${user.username} is disabled; their sessions have ended.`, "success");
      await load();
    } catch (error) {
      say($("#users-status"), error.message, "error");
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
      say($("#user-form-status"), `${made.display_name} (${made.username}) created as ${(ROLE_NAMES[made.role] || made.role).toLowerCase()}.`, "success");
      await load();
    } catch (error) {
      const prefix = error.status === 409 ? "Already taken: " : error.status === 422 ? "Refused: " : "Not created: ";
      say($("#user-form-status"), prefix + error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  return { show };
}
