// An agency manager's team: the agency's people with their state, a form that creates an
// agent, and a button that disables (signs out at once) or enables one. `app` gives the
// desk's helpers: api, t, date (an instant's day, in the viewer's time zone), me() (GET /api/me)
// and translate() (the page's fixed texts).
import { el } from "/shared/dom.js";

const $ = (selector) => document.querySelector(selector);

export function team(app) {
  const { api, t } = app;
  let people = [];
  if (!$("#new-agent")) $("#team").append($("#new-agent-template").content.cloneNode(true));
  app.translate(); // the form just placed speaks the desk's language
  $("#team-refresh").onclick = load; // assigned, not added: the next manager replaces them
  $("#agent-form").onsubmit = create;

  async function load() {
    $("#team-table").setAttribute("aria-busy", "true");
    try {
      people = (await api("/api/users")).items || [];
      $("#team-status").textContent = people.length ? "" : t("team.none");
    } catch (error) {
      $("#team-status").textContent = error.message;
    }
    render();
    $("#team-table").setAttribute("aria-busy", "false");
  }

  function render() {
    $("#team-table tbody").replaceChildren(...people.map(row));
  }

  function row(person) {
    const manageable = person.role === "agent" && person.username !== app.me().username;
    const toggle = manageable
      ? el("button", {
        type: "button", class: `small${person.active ? " danger" : ""}`,
        "data-testid": person.active ? "disable" : "enable",
        onclick: (event) => setActive(person, !person.active, event.target),
      }, person.active ? t("team.disable") : t("team.enable"))
      : null;
    return el("tr", { "data-user": person.username, class: person.active ? "" : "inactive" },
      el("td", {}, el("strong", {}, person.display_name), el("br"), el("small", { class: "muted" }, person.username)),
      el("td", {}, t(`role.${person.role}`)),
      el("td", {}, el("span", { class: `badge ${person.active ? "ok" : "bad"}`, "data-testid": "active" },
        person.active ? t("team.active") : t("team.disabled"))),
      el("td", {}, person.created_at ? app.date(person.created_at) : "—"),
      el("td", { class: "actions" }, toggle));
  }

  async function setActive(person, active, button) {
    button.disabled = true;
    try {
      await api(`/api/users/${encodeURIComponent(person.username)}/${active ? "enable" : "disable"}`, { method: "POST" });
      $("#team-status").textContent = t(active ? "team.enabled" : "team.disabled.done", { user: person.username });
      await load();
    } catch (error) {
      $("#team-status").textContent = error.message;
      button.disabled = false;
    }
  }

  async function create(event) {
    event.preventDefault();
    const form = event.target;
    const fields = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const made = await api("/api/users", { method: "POST", json: { ...fields, role: "agent" } });
      form.reset();
      $("#agent-form-status").textContent = t("team.created", { user: made.username });
      await load();
    } catch (error) {
      $("#agent-form-status").textContent = error.message; // the refusal says why, in words
    } finally {
      button.disabled = false;
    }
  }

  return { load, render };
}
