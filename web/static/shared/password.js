// Changing one's own password, in either app: a dialog asking for the current password and
// the new one twice. `app` gives `api(path, {method, json})`, `t(key, vars)` (the app's texts,
// keys "password.*") and `username` (for password managers, and to refuse it in the password).
import { el } from "./dom.js";

const MIN_LENGTH = 10; // the server's rule; it says why when it refuses one

// The dialog's texts in English and French (each app adds them to its own).
export const PASSWORD_TEXTS = {
  "password.title": "Change my password",
  "password.intro": "Your other sessions end; this one goes on.",
  "password.current": "Current password",
  "password.new": "New password",
  "password.again": "New password again",
  "password.hint": "At least {count} characters, not containing your username.",
  "password.submit": "Change password",
  "password.close": "Cancel",
  "password.done": "Close",
  "password.sending": "Changing the password…",
  "password.changed": "Password changed. Use the new one next time you sign in.",
  "password.missing": "Fill in the current and the new password.",
  "password.mismatch": "The two new passwords differ.",
  "password.short": "A password has at least {count} characters.",
  "password.wrong": "The current password is wrong.",
  "password.refused": "This new password is refused: {reason}",
  "password.failed": "The password could not be changed: {reason}",
};

export const PASSWORD_TEXTS_FR = {
  "password.title": "Changer mon mot de passe",
  "password.intro": "Vos autres sessions se ferment ; celle-ci continue.",
  "password.current": "Mot de passe actuel",
  "password.new": "Nouveau mot de passe",
  "password.again": "Nouveau mot de passe (encore)",
  "password.hint": "Au moins {count} caractères, sans votre identifiant.",
  "password.submit": "Changer le mot de passe",
  "password.close": "Annuler",
  "password.done": "Fermer",
  "password.sending": "Changement du mot de passe…",
  "password.changed": "Mot de passe changé. Utilisez le nouveau à votre prochaine connexion.",
  "password.missing": "Indiquez le mot de passe actuel et le nouveau.",
  "password.mismatch": "Les deux nouveaux mots de passe diffèrent.",
  "password.short": "Un mot de passe a au moins {count} caractères.",
  "password.wrong": "Le mot de passe actuel est incorrect.",
  "password.refused": "Ce nouveau mot de passe est refusé : {reason}",
  "password.failed": "Le mot de passe n’a pas pu être changé : {reason}",
};

export function englishPasswordText(key, vars = {}) {
  return (PASSWORD_TEXTS[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

export function openPasswordDialog({ api, t, username }) {
  const input = (name, label, autocomplete) => {
    const field = el("input", { id: `password-${name}`, name, type: "password", required: true, autocomplete, "data-testid": `password-${name}` });
    return [el("label", { for: field.id }, label), field];
  };
  const status = el("p", { class: "status", role: "status", "aria-live": "polite", "data-testid": "password-status" });
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "password-submit" }, t("password.submit"));
  const close = el("button", { type: "button", class: "ghost", "data-testid": "password-close" }, t("password.close"));
  const form = el("form", { class: "stack password-form", novalidate: true },
    el("h2", { id: "password-title" }, t("password.title")),
    el("p", { class: "muted" }, t("password.intro")),
    // for password managers: whose password this is
    el("input", { type: "text", name: "username", value: username, autocomplete: "username", hidden: true, readonly: true }),
    input("current", t("password.current"), "current-password"),
    input("new", t("password.new"), "new-password"),
    el("small", { class: "muted" }, t("password.hint", { count: MIN_LENGTH })),
    input("again", t("password.again"), "new-password"),
    status,
    el("div", { class: "dialog-actions" }, submit, close));
  const dialog = el("dialog", { class: "app-dialog", "aria-labelledby": "password-title", "data-testid": "password-dialog" }, form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const problem = !values.current || !values.new ? t("password.missing")
      : values.new !== values.again ? t("password.mismatch")
      : values.new.length < MIN_LENGTH ? t("password.short", { count: MIN_LENGTH }) : null;
    status.classList.remove("error", "success");
    if (problem) {
      status.textContent = problem;
      status.classList.add("error");
      return;
    }
    submit.disabled = true;
    status.textContent = t("password.sending");
    try {
      await api("/api/me/password", { method: "POST", json: { current_password: values.current, new_password: values.new } });
      form.reset();
      status.textContent = t("password.changed");
      status.classList.add("success");
      submit.hidden = true;
      close.textContent = t("password.done");
      close.focus();
    } catch (error) {
      status.textContent = error.status === 400 ? t("password.wrong")
        : error.status === 422 ? t("password.refused", { reason: error.message })
        : t("password.failed", { reason: error.message });
      status.classList.add("error");
      submit.disabled = false;
    }
  });
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
