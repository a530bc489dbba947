// What the agents' app shares with its modules (the bookings list, the booking page): its
// helpers and its state, given once by app.js at start (`provide`). Modules read `ctx` when
// they run, never at import, so app.js may provide them in any order.
export const ctx = {
  api: null, // api(path, {method, json, form, headers}) → the body; throws ApiError {status, body}
  t: null, // t(key, vars) → the text in the app's language
  money: null, // money(amount, currency) → formatted per locale
  day: null, // day("YYYY-MM-DD") → formatted per locale
  state: null, // the app's state: token, me, lang, bookings, changes, …
};

export function provide(deps) {
  Object.assign(ctx, deps);
}
