// Parse and validate expanded Adaptive Cards with the official adaptivecards 3.0.6 object model.
//
//   node validate-cards.mjs <in.json> <out.json> [--lint]
//
// in.json:  [{ "name": string, "card": <expanded AdaptiveCard JSON object> }]
// out.json: [{ "name": string, "events": [{ "phase": "parse"|"validate", "event": string, "message": string }] }]
//   phase "parse":    SerializationContext events raised by card.parse (unknown types, bad values...)
//   phase "validate": card.validateProperties().validationEvents (duplicate ids, missing values...)
//   event:            the AdaptiveCards.ValidationEvent name, e.g. "UnknownElementType", "DuplicateId"
// With --lint, events of phase "lint" are added for house rules the official validator misses
// (see ac-node.mjs). Exit code 0 when the run worked, whatever the events; 2 on bad usage or input.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadAdaptiveCards, validateCard, lintCard } from './ac-node.mjs';

const args = process.argv.slice(2);
const lint = args.includes('--lint');
const [inPath, outPath] = args.filter(a => a !== '--lint');
if (!inPath || !outPath) {
  console.error('usage: node validate-cards.mjs <in.json> <out.json> [--lint]');
  process.exit(2);
}

let input;
try {
  input = JSON.parse(readFileSync(inPath, 'utf8'));
  if (!Array.isArray(input)) throw new Error('input must be an array of {name, card}');
} catch (e) {
  console.error(`validate-cards: cannot read ${inPath}: ${e.message}`);
  process.exit(2);
}

const AC = loadAdaptiveCards();
const output = input.map(({ name, card }) => {
  const events = validateCard(AC, card);
  if (lint) events.push(...lintCard(card));
  return { name, events };
});
writeFileSync(outPath, JSON.stringify(output, null, 2));
