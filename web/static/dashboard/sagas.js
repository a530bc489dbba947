// The sagas needing attention, one saga's detail, and the operator's two actions on it. Each
// action button says what it will do, worked out from the saga as the orchestrator stored it
// (which step waits for an answer, and the command it last sent; which steps happened and what
// undoes each), asks for a confirmation in the page, and is disabled, saying why, when there
// is nothing it could do. The orchestrator keeps the last word: a refusal is shown as it says.
import { el } from "/shared/dom.js";
import { PROBLEM_TEXTS, problemText } from "/shared/problems.js";
import { confirmAction } from "./confirm.js";
import { clock, counted, day, instant, label, language, list, money, number, t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const IN_FLIGHT = new Set(["started", "backing_off"]);
const MAY_HAVE_HAPPENED = new Set(["succeeded", "started", "backing_off", "timed_out"]);
// What undoes each forward step that has an undo (the orchestrator's saga definitions say the
// same; a check such as verify_client has none, and a confirmed hold is freed by release_hold).
const UNDO_OF = {
  hold_room: "release_hold",
  write_reservation: "cancel_reservation",
  lock_booking: "unlock_booking",
  change_reservation: "revert_reservation",
};
// Steps past a change's point of no return: once started, the saga only goes forward.
const NO_RETURN = new Set(["move_booking", "apply_change"]);
const ACTION_RELOAD_MS = 1500;

export function sagas({ api, errorText }) {
  const filters = new Set(["FAILED", "STUCK"]);
  const shown = { list: null, error: null, saga: null, detailError: null, selected: null, status: null };

  for (const button of document.querySelectorAll(".filter [data-state]")) {
    button.onclick = () => {
      const name = button.dataset.state;
      if (filters.has(name)) filters.delete(name); else filters.add(name);
      button.setAttribute("aria-pressed", String(filters.has(name)));
      load();
    };
  }

  async function load() {
    try {
      const pages = await Promise.all([...filters].map((s) => api(`/api/ops/sagas?state=${s}&limit=50`)));
      shown.list = pages.flatMap((page) => page.items || [])
        .sort((a, b) => String(b.updated_at).localeCompare(String(a.updated_at)));
      shown.error = null;
    } catch (error) {
      shown.error = error;
    }
    renderList();
    if (shown.selected) await showSaga(shown.selected); // the saga open moves on too
  }

  function render() {
    renderList();
    renderDetail();
  }

  function renderList() {
    if (shown.error) {
      $("#sagas-status").textContent = errorText(shown.error);
      return;
    }
    if (!shown.list) return;
    $("#sagas-status").textContent = shown.list.length ? "" : t("sagas.none");
    $("#sagas tbody").replaceChildren(...shown.list.map(sagaRow));
  }

  function sagaRow(saga) {
    const data = saga.data || {};
    const open = () => showSaga(saga.saga_id);
    const kind = saga.kind || "booking";
    return el("tr", {
      class: `clickable${shown.selected === saga.saga_id ? " selected" : ""}`,
      tabindex: "0",
      "data-saga": saga.saga_id,
      "data-kind": kind,
      onclick: open,
      onkeydown: (event) => { if (event.key === "Enter") open(); },
    },
    el("td", { class: "mono", "data-label": t("sagas.saga") }, saga.saga_id.slice(0, 8),
      kind !== "booking" ? [" ", el("span", { class: `badge kind-${kind}`, "data-testid": "saga-kind" }, label(`kind.${kind}`, kind))] : null),
    el("td", { "data-label": t("sagas.state") }, stateBadge(saga.state)),
    el("td", { "data-label": t("sagas.hotel"), "data-testid": "saga-hotel" },
      data.hotel_name || data.hotel_id || saga.hotel_id || "—",
      data.room_type_name ? [el("br"), el("small", { class: "muted", "data-testid": "saga-room-type" }, data.room_type_name)] : null),
    el("td", { class: "reason", "data-label": t("sagas.reason") }, reasonText(saga)),
    el("td", { "data-label": t("sagas.updated") }, instant(saga.updated_at)));
  }

  async function showSaga(sagaId) {
    if (shown.selected !== sagaId) shown.status = null;
    shown.selected = sagaId;
    for (const row of document.querySelectorAll("#sagas tbody tr")) row.classList.toggle("selected", row.dataset.saga === sagaId);
    try {
      shown.saga = await api(`/api/ops/sagas/${encodeURIComponent(sagaId)}`);
      shown.detailError = null;
    } catch (error) {
      shown.detailError = error;
    }
    renderDetail();
  }

  function renderDetail() {
    if (!shown.selected) return;
    $("#detail-empty").hidden = true;
    $("#detail-body").hidden = false;
    if (shown.detailError) {
      $("#detail-body").replaceChildren(el("p", { class: "error" }, errorText(shown.detailError)));
      return;
    }
    const saga = shown.saga;
    if (!saga) return;
    const data = saga.data || {};
    const stay = data.stay || {};
    const kind = saga.kind || "booking";
    const status = el("p", { class: "status", role: "status", "data-testid": "action-status" },
      shown.status ? t(shown.status.key, shown.status.vars) : "");
    $("#detail-body").replaceChildren(
      el("dl", { class: "facts" },
        fact(t("detail.saga"), el("span", { class: "mono" }, saga.saga_id), " ",
          el("span", { class: `badge kind-${kind}`, "data-testid": "detail-kind" }, label(`kind.${kind}`, kind))),
        kind === "change" ? changeFacts(data, showSaga) : bookingChanges(data, showSaga),
        fact(t("detail.state"), stateBadge(saga.state, "detail-state")),
        fact(t("detail.reason"), reasonText(saga) || "—"),
        fact(t("detail.hotel"), el("span", { "data-testid": "detail-hotel" },
          `${data.hotel_name || data.hotel_id || "—"} · ${data.room_type_name || data.room_type_id || ""}`)),
        kind === "change" ? null : fact(t("detail.stay"), t("detail.stay.value", {
          check_in: day(stay.check_in), check_out: day(stay.check_out), guests: guests(data.guests),
        })),
        fact(t("detail.agency"), `${data.agency_id || "—"} (${data.agent_id || "—"})`),
        fact(t("detail.client"), el("span", { class: "mono" }, data.client_id || "—")),
        // Tracing (infra/tracing.py): the saga's trace, where TRACING_UI_URL names a tracing UI.
        saga.trace_url ? fact(t("detail.trace"), el("a", {
          href: saga.trace_url, target: "_blank", rel: "noopener noreferrer", "data-testid": "detail-trace",
        }, t("detail.trace.open"))) : null),
      actions(saga),
      status,
      el("h3", {}, t("detail.steps")),
      stepsTable(saga),
      el("h3", {}, t("detail.history")),
      el("ol", { class: "history" }, (saga.history || []).map(historyItem)));
  }

  // ---- the operator's actions -------------------------------------------------------------

  function actions(saga) {
    const { retry, compensate } = describeActions(saga);
    return el("div", { class: "actions" },
      actionButton(saga, "retry", retry, "primary"),
      actionButton(saga, "compensate", compensate, "danger"),
      [["retry", retry], ["compensate", compensate]].filter(([, plan]) => plan.why).map(([action, plan]) =>
        el("p", { class: "muted why", "data-testid": `${action}-why` }, plan.why)));
  }

  function actionButton(saga, action, plan, css) {
    const disabled = Boolean(plan.why);
    return el("button", {
      type: "button", class: css, "data-action": action, "data-testid": `${action}-button`,
      disabled, "aria-disabled": disabled ? "true" : null,
      title: disabled ? plan.why : null, "aria-description": disabled ? plan.why : null,
      onclick: disabled ? null : (event) => act(saga, action, plan.text, event.currentTarget),
    }, plan.text);
  }

  async function act(saga, action, text, button) {
    const yes = await confirmAction({
      title: t(`action.confirm.${action}.title`),
      text: [text, t("action.confirm.saga", { saga: saga.saga_id, state: t(`state.${saga.state}`) })],
      yes: t(`action.confirm.${action}.yes`),
      cancel: t("common.cancel"),
      danger: action === "compensate",
    });
    if (!yes) return;
    button.disabled = true;
    try {
      const answer = await api(`/api/ops/sagas/${encodeURIComponent(saga.saga_id)}/${action}`, { method: "POST" });
      shown.status = { key: `action.${action}.done`, vars: { state: t(`state.${answer.state}`) } };
    } catch (error) {
      shown.status = { key: "action.refused", vars: { reason: errorText(error) } };
    }
    await showSaga(saga.saga_id);
    setTimeout(() => { if (shown.selected === saga.saga_id) showSaga(saga.saga_id); load(); }, ACTION_RELOAD_MS);
  }

  return { load, render };
}

// What each action would do, in the reader's language: `text` for its button, and `why`
// when it is disabled.
export function describeActions(saga) {
  const retry = retryPlan(saga);
  const compensate = compensatePlan(saga);
  return {
    retry: {
      text: retry.steps ? t("action.retry", { commands: commandsText(saga, retry.steps) }) : t("action.retry.none"),
      why: retry.why ? t(retry.why) : null,
    },
    compensate: {
      text: compensate.why ? t("action.compensate.none")
        : compensate.again ? t("action.compensate.again", { commands: commandsText(saga, compensate.again) })
        : compensate.undo?.length ? t("action.compensate", { undo: list(compensate.undo.map((name) => t(`undo.${name}`))) })
        : t("action.compensate.nothing"),
      why: compensate.why ? t(compensate.why) : null,
    },
  };
}

// What Retry would send again: the steps waiting for an answer (or that gave none) in the
// list the saga is working through, as the orchestrator's retry picks them.
export function retryPlan(saga) {
  if (saga.terminal) return { why: "action.retry.ended" };
  const waiting = stepsOf(saga).filter((s) => IN_FLIGHT.has(s.status) || s.status === "timed_out");
  const compensations = new Set(saga.compensations || []);
  const steps = saga.phase === "compensating" ? waiting.filter((s) => compensations.has(s.name)) : waiting;
  return steps.length ? { steps } : { why: "action.retry.idle" };
}

// What Compensate would do: undo every step that happened or may have, last first; or, for a
// saga stuck undoing, send the waiting undo again.
export function compensatePlan(saga) {
  if (saga.terminal) return { why: "action.compensate.ended" };
  if (saga.phase === "compensating") {
    const retry = retryPlan(saga);
    return saga.state === "STUCK" && retry.steps ? { again: retry.steps } : { why: "action.compensate.undoing" };
  }
  if (saga.phase === "cancelling") return { why: "action.compensate.cancelling" };
  const steps = stepsOf(saga);
  if (steps.some((s) => NO_RETURN.has(s.name))) return { why: "action.compensate.no_return" };
  const undo = steps.filter((s) => MAY_HAVE_HAPPENED.has(s.status) && UNDO_OF[s.name]).map((s) => UNDO_OF[s.name]).reverse();
  return { undo };
}

function stepsOf(saga) {
  const steps = saga.steps || [];
  return Array.isArray(steps) ? steps : Object.entries(steps).map(([name, s]) => ({ name, ...s }));
}

// "ReleaseHold to rooms": each step's command, read from the message it last sent.
function commandsText(saga, steps) {
  return list(steps.map((step) => {
    const sent = (saga.history || []).find((h) => h.direction === "out" && h.message_id === (step.message_ids || []).at(-1));
    const [service, command] = String(sent?.message_type || "").split(".");
    if (!command) return label(`step.${step.name}`, step.name);
    return t("action.command", { command, service: label(`service.${service}`, service) });
  }));
}

// ---- the parts of a detail ------------------------------------------------------------------

const fact = (name, ...value) => [el("dt", {}, name), el("dd", {}, ...value)];
const guests = (count) => (count == null ? "?" : counted("guests", count));

function stateBadge(state, testId = null) {
  return el("span", { class: `badge state-${state}`, "data-state": state, "data-testid": testId }, label(`state.${state}`, state));
}

// Why a saga failed, in the reader's language; a reason with no known code as the server
// wrote it (in English, and marked so).
export function reasonText(saga) {
  if (!saga.failure_reason) return "";
  const known = saga.reason_code && (PROBLEM_TEXTS[language()] || {})[saga.reason_code];
  if (!known) return el("span", { lang: "en" }, saga.failure_reason);
  return problemText({ code: saga.reason_code, params: saga.reason_params || {}, detail: saga.failure_reason }, language());
}

// A history entry's type: a message's (a name in code, not translated) or one of the
// orchestrator's own notes (translated).
function messageType(type) {
  if (!type) return "";
  if (type.includes(".")) return el("strong", { class: "mono", translate: "no" }, type);
  const key = `history.type.${type}`;
  return el("strong", t(key) === key ? { lang: "en" } : {}, t(key) === key ? type : t(key));
}

// A saga named in another's detail: `open` shows it in its place.
function sagaLink(open, sagaId, text = sagaId, testId = null) {
  return el("button", { type: "button", class: "link mono", "data-testid": testId, onclick: () => open(sagaId) }, text);
}

// A booking's stay as a change saga records it: dates, room type, guests, price (if known).
function stayText(part) {
  const stay = part.stay || {};
  const price = part.total != null ? `, ${money(part.total, part.currency)}` : "";
  return `${day(stay.check_in)} → ${day(stay.check_out)}, ${part.room_type_name || part.room_type_id || "?"}, `
    + `${guests(part.guests)}${price}`;
}

// The stay's dates as data, for anyone reading the page by machine.
const stayData = (part) => ({ "data-check-in": part.stay?.check_in, "data-check-out": part.stay?.check_out });

function changeFacts(data, open) {
  const before = data.before;
  const difference = before && data.total != null && before.currency === data.currency
    ? Number(data.total) - Number(before.total) : null;
  return [
    data.booking_id ? fact(t("detail.changes_booking"), sagaLink(open, data.booking_id, data.booking_id, "changed-booking")) : null,
    fact(t("detail.before"), before ? el("span", { "data-testid": "change-before", ...stayData(before) }, stayText(before))
      : el("span", { class: "muted" }, t("detail.before.unread"))),
    fact(t("detail.after"), el("span", { "data-testid": "change-after", ...stayData(data) }, stayText(data))),
    difference !== null ? fact(t("detail.difference"), `${difference > 0 ? "+" : ""}${money(difference, data.currency)}`) : null,
  ].flat();
}

function bookingChanges(data, open) {
  return [
    data.locked_by ? fact(t("detail.changed_by"), sagaLink(open, data.locked_by, data.locked_by, "changed-by")) : null,
    (data.changes || []).length ? fact(t("detail.changes_made"), data.changes.map((id) => sagaLink(open, id, id.slice(0, 8)))) : null,
  ].flat();
}

function stepsTable(saga) {
  const steps = stepsOf(saga);
  if (!steps.length) return el("p", { class: "muted" }, t("detail.no_step"));
  const heads = ["name", "status", "attempts", "started", "decided", "outcome"].map((h) => t(`step.col.${h}`));
  return el("div", { class: "table-wrap" }, el("table", { class: "compact" },
    el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, steps.map((s) => el("tr", { "data-step": s.name },
      el("td", {}, label(`step.${s.name}`, s.name)), el("td", {}, label(`step.status.${s.status}`, s.status)),
      el("td", {}, s.attempts != null ? number(s.attempts) : ""),
      el("td", {}, clock(s.started_at)), el("td", {}, s.decided_at ? clock(s.decided_at) : "—"),
      s.outcome === "timeout" ? el("td", {}, t("step.outcome.timeout"))
        : el("td", { class: "mono", translate: "no" }, s.outcome || ""))))));
}

function historyItem(entry) {
  const direction = entry.direction || "";
  const payload = entry.payload && Object.keys(entry.payload).length ? JSON.stringify(entry.payload, null, 1) : null;
  return el("li", { class: `history-${direction}` },
    el("span", { class: "when" }, clock(entry.at || entry.recorded_at || entry.occurred_at)),
    el("span", { class: "direction" }, direction ? label(`history.${direction}`, direction) : ""),
    messageType(entry.message_type),
    entry.attempt ? el("span", { class: "muted" }, ` ${t("history.attempt", { attempt: number(entry.attempt) })}`) : null,
    entry.note ? [" — ", el("span", { class: "note", lang: "en" }, entry.note)] : null,
    payload ? el("details", {}, el("summary", {}, t("common.payload")), el("pre", {}, payload)) : null);
}
