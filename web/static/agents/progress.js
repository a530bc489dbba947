// The stages of a saga as a list the agent follows: done, under way, failed, skipped or waiting.
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
