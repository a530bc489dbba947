// The server's English `detail` as a sentence a person can read, for an answer that has no
// code the apps know (problems.js says the coded ones in the reader's language): a validation
// error (a list of problems, each at a place in the request) becomes "field: problem. field:
// problem.", each field named by the last part of its place, never "query.check_in".
export function readableDetail(detail) {
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const place = (d.loc || []).filter((p) => typeof p === "string" && !["body", "query", "path", "header"].includes(p));
      const message = String(d.msg ?? "").replace(/^Value error, /, "");
      return place.length ? `${place[place.length - 1].replace(/_/g, " ")}: ${message}` : message;
    }).join("; ");
  }
  if (detail && typeof detail === "object") return String(detail.detail ?? JSON.stringify(detail));
  return String(detail ?? "");
}
