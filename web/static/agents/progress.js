// The stages of a saga as a list the agent follows (done, under way, failed, skipped or
// waiting), and a booking's log: each milestone once, in the saga's order, read from its view.
import { el } from "/shared/dom.js";

const UNDOING = ["FAILED", "COMPENSATING", "STUCK"];

// `stages`: the forward steps shown, in order; `doneByState`: how many of them a saga in each
// state has done (its steps, when the view lists them, say more precisely).
export function stageStatus(view, stages, doneByState, name) {
  const step = (Array.isArray(view?.steps) ? view.steps : []).find((s) => s && s.name === name);
  const done = doneByState[view?.status] ?? -1;
  if (done > stages.indexOf(name) || step?.status === "succeeded") return "done";
  if (step && ["failed", "timed_out"].includes(step.status)) return "failed";
  if (UNDOING.includes(view?.status)) return "skipped";
  return done === stages.indexOf(name) || step ? "active" : "waiting";
}

export function stageItems(view, stages, doneByState, t) {
  return stages.map((name) => {
    const status = stageStatus(view, stages, doneByState, name);
    return el("li", { class: `stage ${status}`, "data-step": name, "data-status": status }, t(`step.${name}`));
  });
}

// A booking's forward steps, each with the state its success reaches, in the saga's order: a
// milestone is shown once every step written before it is done, whichever answered first.
export const MILESTONES = [
  ["hold_room", "ROOM_HELD"],
  ["verify_client", "CLIENT_VERIFIED"],
  ["write_reservation", "RESERVED"],
  ["confirm_hold", "CONFIRMED"],
];
const RANK = { PENDING: 0, ROOM_HELD: 1, CLIENT_VERIFIED: 2, RESERVED: 3, CONFIRMED: 4 };
// Undos: a booking shows "Undoing what was done" only once one of them was sent.
const UNDOS = new Set(["release_hold", "cancel_reservation", "release_booking"]);
const ENDS = ["FAILED", "CANCELLED", "STUCK"];

// Whether `next` (a state a step event announced) may replace `current`: a forward state never
// goes back (an event late after a newer view), anything else stands as told.
export function moves(current, next) {
  return !(next in RANK && current in RANK && RANK[next] < RANK[current]);
}

// The log of a booking as entries {state, at}: "Submitted", then each milestone reached, then
// the undoing (when something done is undone) and how it ended. Derived whole from the view
// every time, so states that came fast, coalesced or out of order still read in order.
// `seen`: when this screen first learnt of each state (for a view listing no step times).
export function bookingLog(view, seen = {}) {
  if (!view) return [];
  const steps = new Map((Array.isArray(view.steps) ? view.steps : []).map((s) => [s.name, s]));
  const at = (state, step) => step?.decided_at || seen[state] || null;
  const log = [{ state: "PENDING", at: view.created_at || seen.PENDING || null }];
  const reached = RANK[view.status] ?? -1;
  for (const [index, [name, state]] of MILESTONES.entries()) {
    const step = steps.get(name);
    const done = index < reached || step?.status === "succeeded";
    if (!done) break; // a milestone never shows before those written ahead of it
    log.push({ state, at: at(state, step) });
  }
  // A cancellation undoes the steps as a failure does: said as such.
  const cancelling = ["CANCELLING", "CANCELLED"].includes(view.status);
  const undos = [...steps.values()].filter((s) => UNDOS.has(s.name));
  if (undos.length || view.status === "CANCELLING") {
    const started = undos.map((s) => s.started_at).filter(Boolean).sort()[0];
    const state = cancelling ? "CANCELLING" : "COMPENSATING";
    log.push({ state, at: started || seen[state] || null });
  }
  if (ENDS.includes(view.status)) log.push({ state: view.status, at: view.updated_at || seen[view.status] || null });
  return log;
}

// Notes in `seen` when this screen learnt of `state` (an ISO instant), and of the milestones
// it implies that no event told of (a state coalescing two steps).
export function noteSeen(seen, state, at) {
  if (!at) return;
  if (state in RANK) {
    for (const [milestone, rank] of Object.entries(RANK)) {
      if (rank <= RANK[state] && !seen[milestone]) seen[milestone] = at;
    }
  } else if (!seen[state]) {
    seen[state] = at;
  }
}
