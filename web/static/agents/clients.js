// The desk's "2. The client": find the agency's clients, create one, or take the client the
// agency already has with that email (the server answers 409 with its id, and only for the
// agency's own clients: no one learns of another agency's). A message stays only while true.
import { el } from "/shared/dom.js";

const $ = (selector) => document.querySelector(selector);

// `app` gives the desk's helpers: api, t, state (its clients, its chosen client) and
// chosen() (the chosen client changed).
export function clientsPanel(app) {
  const { api, t, state } = app;
  const form = $("#client-form");

  function say(selector, text, tone = "") {
    const status = $(selector);
    status.textContent = text;
    status.classList.toggle("error", tone === "error");
    status.classList.toggle("success", tone === "success");
  }

  function choose(client) {
    state.client = client;
    say("#client-status", ""); // "No client matches" no longer holds
    render();
    app.chosen();
  }

  async function find(event) {
    event.preventDefault();
    const q = $("#client-query").value.trim();
    try {
      const page = await api(`/api/clients?${new URLSearchParams({ q, limit: 10 })}`);
      state.clients = page.items || [];
      say("#client-status", state.clients.length ? "" : t("client.none"));
    } catch (error) {
      state.clients = [];
      say("#client-status", error.message, "error");
    }
    render();
  }

  function render() {
    $("#clients").replaceChildren(...state.clients.map((client) => {
      const chosen = state.client?.id === client.id;
      return el("li", { class: chosen ? "chosen" : "", "data-client": client.id },
        el("span", { class: "client-name" }, el("strong", {}, `${client.first_name} ${client.last_name}`), " ",
          el("span", { class: "muted" }, `${client.email} · ${client.nationality}`),
          client.status === "blocked" ? [" ", el("span", { class: "badge bad" }, t("client.blocked"))] : null),
        el("button", {
          type: "button",
          "aria-pressed": String(chosen),
          onclick: () => choose(client),
        }, chosen ? t("client.chosen") : t("client.choose")));
    }));
  }

  async function create(event) {
    event.preventDefault();
    const fields = Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v).trim()]));
    fields.nationality = fields.nationality.toUpperCase();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("#client-form-status", "");
    try {
      const client = await api("/api/clients", { method: "POST", json: fields });
      state.clients = [client];
      form.reset();
      say("#client-form-status", t("client.created"), "success");
      choose(client);
    } catch (error) {
      if (error.status === 409 && error.body.client_id) await known(error.body.client_id);
      else say("#client-form-status", error.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  // The agency already has a client with this email: that client is taken, not a second one.
  async function known(clientId) {
    try {
      const client = await api(`/api/clients/${encodeURIComponent(clientId)}`);
      state.clients = [client];
      form.reset();
      say("#client-form-status", t("client.known"), "success");
      choose(client);
    } catch (error) {
      say("#client-form-status", error.message, "error");
    }
  }

  // What the status says is about what was sent: once the form is edited it no longer holds.
  form.addEventListener("input", () => say("#client-form-status", ""));
  form.addEventListener("submit", create);
  $("#client-search-form").addEventListener("submit", find);

  function clear() {
    state.clients = [];
    state.client = null;
    form.reset();
    say("#client-status", "");
    say("#client-form-status", "");
    render();
  }

  return { render, clear };
}
