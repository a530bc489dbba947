// Parse and validate an AsyncAPI document with the official parser; print each diagnostic as
// one JSON line and exit 1 when the document has an error (severity 0) or did not parse.
import { Parser } from "@asyncapi/parser";
import { readFileSync } from "node:fs";

const { document, diagnostics } = await new Parser().parse(readFileSync(process.argv[2], "utf8"));
for (const d of diagnostics) {
  console.log(JSON.stringify({ severity: d.severity, code: d.code, message: d.message, path: d.path }));
}
const messages = document ? document.allMessages().all().map((m) => m.name()) : [];
console.log(JSON.stringify({ parsed: Boolean(document), messages }));
process.exit(!document || diagnostics.some((d) => d.severity === 0) ? 1 : 0);
