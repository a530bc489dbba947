// The server's `detail` as a sentence a person can read: a validation error (a list of
// problems, each at a place in the body) becomes "field: problem; field: problem".
export function readableDetail(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).filter((p) => p !== "body").join(".")}: ${d.msg}`).join("; ");
  }
  if (detail && typeof detail === "object") return JSON.stringify(detail);
  return String(detail ?? "");
}
