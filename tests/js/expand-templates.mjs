// Oracle for the C# templating engine: expands each case with the official adaptivecards-templating
// package exactly as a card host would (`new Template(tpl).expand({ $root: data })`).
// Usage: node expand-templates.mjs <cases.json> <results.json>
//   cases.json:   [{ "name": string, "template": any, "data": any }]
//   results.json: [{ "name": string, "ok": true, "result": any, "undefined"?: true } | { "name", "ok": false, "error": string }]
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ACData = require("adaptivecards-templating");

const [casesPath, resultsPath] = process.argv.slice(2);
if (!casesPath || !resultsPath) {
  console.error("usage: node expand-templates.mjs <cases.json> <results.json>");
  process.exit(2);
}

const cases = JSON.parse(readFileSync(casesPath, "utf8"));
const results = cases.map(({ name, template, data }) => {
  try {
    const expanded = new ACData.Template(template).expand({ $root: data });
    if (expanded === undefined) return { name, ok: true, result: null, undefined: true };
    // Round-trip now so a result the package cannot serialise is reported as this case's error.
    return { name, ok: true, result: JSON.parse(JSON.stringify(expanded)) };
  } catch (e) {
    return { name, ok: false, error: String(e && e.message ? e.message : e) };
  }
});
writeFileSync(resultsPath, JSON.stringify(results, null, 1));
