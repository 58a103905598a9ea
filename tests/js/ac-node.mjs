// Loads the official adaptivecards UMD bundle in Node under jsdom, and holds the checks that
// validate-cards.mjs and render-cards.mjs share. The package's lib/ is extension-less ESM that
// Node cannot import, so the prebuilt dist bundle is used with jsdom's window as the global.
import { createRequire } from 'node:module';
import { JSDOM } from 'jsdom';

const require = createRequire(import.meta.url);
let cached;

export function loadAdaptiveCards() {
  if (cached) return cached;
  const { window } = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
  for (const key of Object.getOwnPropertyNames(window)) {
    if (key in globalThis) continue;
    try {
      Object.defineProperty(globalThis, key, { value: window[key], configurable: true, writable: true });
    } catch {
      // a few window properties are non-configurable accessors; the bundle does not need them
    }
  }
  globalThis.window = window;
  globalThis.document = window.document;
  cached = require('adaptivecards/dist/adaptivecards.min.js');
  return cached;
}

// Parse and validate one expanded card with the official object model.
// Returns [{phase: "parse"|"validate", event, message}].
export function validateCard(AC, json) {
  const events = [];
  const ctx = new AC.SerializationContext();
  const card = new AC.AdaptiveCard();
  try {
    card.parse(json, ctx);
  } catch (e) {
    events.push({ phase: 'parse', event: 'Exception', message: String(e && e.message || e) });
    return events;
  }
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    events.push({ phase: 'parse', event: AC.ValidationEvent[e.event] ?? String(e.event), message: e.message });
  }
  for (const e of card.validateProperties().validationEvents) {
    events.push({ phase: 'validate', event: AC.ValidationEvent[e.event] ?? String(e.event), message: e.message });
  }
  return events;
}

// House rules the official validator does not check (see shared/protocols/tooling.md, 3a):
// ToggleVisibility targets exist, Execute has a verb and a Submit fallback, nothing left
// unexpanded, no msteams/Chart (not in the 1.5 schema), no images, and the 28 KB budget.
export function lintCard(json) {
  const events = [];
  const add = (event, message) => events.push({ phase: 'lint', event, message });
  const ids = new Set();
  const toggles = [];
  const walk = (node, path) => {
    if (Array.isArray(node)) { node.forEach((n, i) => walk(n, `${path}[${i}]`)); return; }
    if (node && typeof node === 'object') {
      // duplicate ids are reported by the official validator already
      if (typeof node.id === 'string' && node.type && !String(node.type).startsWith('Action.')) ids.add(node.id);
      if ('msteams' in node) add('NotIn15Schema', `${path}: "msteams" is not in the 1.5 schema`);
      if (typeof node.type === 'string' && node.type.startsWith('Chart.')) add('NotIn15Schema', `${path}: ${node.type} is not in the 1.5 schema`);
      if (node.type === 'Image' || node.type === 'ImageSet' || node.type === 'Media' || 'backgroundImage' in node || 'iconUrl' in node) add('NoImages', `${path}: images are not allowed`);
      if (node.type === 'Action.ToggleVisibility') {
        if (!Array.isArray(node.targetElements) || node.targetElements.length === 0) add('ToggleWithoutTargets', `${path}: no targetElements`);
        else toggles.push({ path, targets: node.targetElements });
      }
      if (node.type === 'Action.Execute') {
        if (!node.verb) add('ExecuteWithoutVerb', `${path}: Action.Execute needs a verb`);
        // A button needs a Submit fallback for clients without Universal Actions; the card-level refresh action is
        // never shown as a button (those clients just don't refresh), so it has none.
        const isRefresh = path.endsWith('.refresh.action');
        if (!isRefresh && (!node.fallback || node.fallback.type !== 'Action.Submit')) add('ExecuteWithoutFallback', `${path}: Action.Execute needs an Action.Submit fallback`);

      }
      if (node.type === 'FactSet' && (!Array.isArray(node.facts) || node.facts.length === 0)) add('EmptyFactSet', `${path}: FactSet has no facts`);
      if (node.type === 'TextBlock' && (node.text == null || node.text === '')) add('EmptyText', `${path}: TextBlock has no text`);
      // "${n}" alone expands to a number, which renderers show as nothing: wrap it in string()
      for (const k of ['text', 'title', 'value', 'fallbackText']) {
        if (k in node && node[k] != null && typeof node[k] !== 'string' && typeof node[k] !== 'object') add('NotAString', `${path}.${k} is ${typeof node[k]} ${JSON.stringify(node[k])}, not a string`);
      }
      for (const [k, v] of Object.entries(node)) {
        if (k.startsWith('$') && k !== '$schema') add('TemplateLeftover', `${path}.${k} was not expanded`);
        walk(v, `${path}.${k}`);
      }
      return;
    }
    if (typeof node === 'string' && node.includes('${')) add('TemplateLeftover', `${path}: "${node}" still holds an expression`);
  };
  walk(json, '$');
  for (const t of toggles) {
    for (const target of t.targets) {
      const id = typeof target === 'string' ? target : target && target.elementId;
      if (!ids.has(id)) add('ToggleTargetMissing', `${t.path}: target "${id}" does not exist`);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(json), 'utf8');
  if (bytes >= 28 * 1024) add('TooLarge', `card is ${bytes} bytes; budget is under 28 KB`);
  return events;
}
