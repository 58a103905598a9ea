// Validate a Teams app manifest against Microsoft's JSON schema with ajv (draft-07) and ajv-formats.
//
//   node validate-manifest.mjs <schema.json> <manifest.json>
//
// The Teams schemas declare draft-04 but use draft-06+ keywords (`const`); none of the draft-04-only
// behaviours (boolean exclusiveMinimum/Maximum, `id` as a schema id) occur in them, so the declared
// `$schema` is dropped and the schema is compiled as draft-07, ajv's default.
// Prints "valid" and exits 0, or prints one line per error ("<instancePath> <message>") and exits 1.
// Exit code 2 on bad usage or unreadable input.
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const [schemaPath, manifestPath] = process.argv.slice(2);
if (!schemaPath || !manifestPath) {
  console.error('usage: node validate-manifest.mjs <schema.json> <manifest.json>');
  process.exit(2);
}

function readJson(path) {
  try {
    // Teams accepts a UTF-8 byte order mark; JSON.parse does not.
    return JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    console.error(`validate-manifest: cannot read ${path}: ${e.message}`);
    process.exit(2);
  }
}

const schema = readJson(schemaPath);
const manifest = readJson(manifestPath);
delete schema.$schema;

// strict: false because Microsoft's schema breaks ajv's stricter house rules (e.g. `additionalProperties`
// without `type: "object"` beside it), which are about schema style, not about validating; allErrors so
// that one run reports every problem.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);
if (validate(manifest)) {
  console.log('valid');
  process.exit(0);
}

for (const error of validate.errors) {
  const params = error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : '';
  console.log(`${error.instancePath || '/'} ${error.message}${params}`);
}
process.exit(1);
