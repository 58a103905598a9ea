// Validate a Slack app manifest (YAML or JSON) against Slack's official JSON schema with ajv (draft-07) and ajv-formats.
//
//   node validate-slack-manifest.mjs <manifest.yml> [--write-json <out.json>]
//
// The schema is the copy in schemas/slack (see its SOURCE.md): manifest.schema.json picks the v1 or v2 schema by
// _metadata.major_version and refers to them by their raw GitHub URLs, so the local copies are registered under
// those URLs and nothing is fetched. --write-json writes the manifest as parsed, so callers without a YAML parser
// (the .NET tests) check the very document that was validated.
// Prints "valid" and exits 0, or prints one line per error ("<instancePath> <message>") and exits 1.
// Exit code 2 on bad usage or unreadable input.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';

const usage = 'usage: node validate-slack-manifest.mjs <manifest.yml> [--write-json <out.json>]';
const args = process.argv.slice(2);
let manifestPath;
let jsonOut;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--write-json' && i + 1 < args.length) {
    jsonOut = args[++i];
  } else if (!manifestPath && !args[i].startsWith('--')) {
    manifestPath = args[i];
  } else {
    console.error(usage);
    process.exit(2);
  }
}
if (!manifestPath) {
  console.error(usage);
  process.exit(2);
}

const schemaDir = join(dirname(fileURLToPath(import.meta.url)), 'schemas', 'slack');
const versionUrl = (major) =>
  `https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/manifest.schema.${major}.0.0.json`;

function read(path, parse) {
  try {
    return parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    console.error(`validate-slack-manifest: cannot read ${path}: ${e.message}`);
    process.exit(2);
  }
}

// js-yaml's default schema is YAML 1.2 (so `on`/`yes` stay strings, `10:30` is not a base-60 number) and a
// duplicated key is an error rather than last-one-wins; JSON is YAML, so a JSON manifest loads the same way.
const manifest = read(manifestPath, (text) => load(text, { filename: manifestPath }));
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify(manifest, null, 2));
}

// strict: false because Slack's schema carries keywords of its own (`_note`, and `regex` where `pattern` was meant on
// display_information.background_color), which ajv's strict mode refuses to compile; they are ignored, as every
// JSON Schema validator ignores unknown keywords. allErrors so that one run reports every problem.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(read(join(schemaDir, 'schemas', 'manifest.schema.1.0.0.json'), JSON.parse), versionUrl(1));
ajv.addSchema(read(join(schemaDir, 'schemas', 'manifest.schema.2.0.0.json'), JSON.parse), versionUrl(2));
const validate = ajv.compile(read(join(schemaDir, 'manifest.schema.json'), JSON.parse));
if (validate(manifest)) {
  console.log('valid');
  process.exit(0);
}

// The dispatcher tries each version branch, so one mistake is reported once per branch that reached it.
const lines = new Set();
for (const error of validate.errors) {
  const params = error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : '';
  lines.add(`${error.instancePath || '/'} ${error.message}${params}`);
}
console.log([...lines].join('\n'));
process.exit(1);
