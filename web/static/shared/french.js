// French typography, applied to every French text of both apps: a no-break space before
// « : ; ! ? » and inside « guillemets ». Idempotent: a text already typeset is left as it is.
export function typeset(text) {
  return text.replace(/ ([:;!?»])/g, "\u00a0$1").replace(/« /g, "«\u00a0");
}

// A table of texts (key -> text), each typeset.
export function typesetAll(texts) {
  return Object.fromEntries(Object.entries(texts).map(([key, text]) => [key, typeset(text)]));
}
