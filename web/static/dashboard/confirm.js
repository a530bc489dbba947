// An in-page confirmation before an operator's action: a modal dialog saying what will
// happen, with the action's own button and a way back. Resolves true only for the action.
import { el } from "/shared/dom.js";

export function confirmAction({ title, text, yes, cancel, danger = false }) {
  return new Promise((resolve) => {
    const confirm = el("button", { type: "button", class: danger ? "danger solid" : "primary", "data-testid": "confirm-yes" }, yes);
    const back = el("button", { type: "button", class: "ghost", "data-testid": "confirm-no" }, cancel);
    const dialog = el("dialog", {
      class: "app-dialog", role: "alertdialog", "aria-labelledby": "confirm-title",
      "aria-describedby": "confirm-text", "data-testid": "confirm-dialog",
    },
    el("h2", { id: "confirm-title" }, title),
    el("div", { id: "confirm-text" }, [text].flat().map((line) => el("p", {}, line))),
    el("div", { class: "dialog-actions" }, confirm, back));
    let answer = false;
    confirm.addEventListener("click", () => { answer = true; dialog.close(); });
    back.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => { dialog.remove(); resolve(answer); });
    document.body.append(dialog);
    dialog.showModal();
    back.focus(); // the safe choice has the focus: Enter alone does nothing harmful
  });
}
