// Renders what the app sends the way a person's client would, and reports the live markup in it: every Adaptive Card
// through the official adaptivecards renderer, and every markdown message text through markdown-it, each twice:
//   "official": the renderer's own markdown path (window.markdownit with its defaults), as the adaptivecards docs set up;
//   "webchat":  markdown-it as Web Chat 4.18 configures it (html, linkify and typographer on), the strictest we know,
//               and the closest to Teams, which also turns bare URLs and emails into links.
//
//   node render-markup.mjs <in.json> <out.json>
//
// in.json:  [{ "name": string, "card"?: AdaptiveCard JSON, "markdown"?: string }]
// out.json: [{ "name", "mode", "text": visible text, "elements": [{ "tag", "text", "href"? }] }]
//   elements lists every element that is markup a person could have smuggled in: links, emphasis, code, headings,
//   lists, quotes, images, rules, raw HTML such as script or iframe. The .NET tests decide which came from a person.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadAdaptiveCards } from './ac-node.mjs';

const require = createRequire(import.meta.url);
const markdownit = require('markdown-it');
const [inPath, outPath] = process.argv.slice(2);
if (!inPath || !outPath) {
  console.error('usage: node render-markup.mjs <in.json> <out.json>');
  process.exit(2);
}

const AC = loadAdaptiveCards();
const webChat = markdownit({ breaks: false, html: true, linkify: true, typographer: true, xhtmlOut: true });
const live = 'a,strong,b,em,i,code,pre,h1,h2,h3,h4,h5,h6,ul,ol,li,blockquote,img,hr,del,s,table,script,iframe,style,object,embed,svg,math,form,input,button,mark,sup,sub,u,br';

function describe(root) {
  const elements = [...root.querySelectorAll(live)]
    // The renderer's own buttons (actions) are not text a person wrote.
    // The renderer's own structure: a FactSet's table and the buttons. (It marks links ac-anchor: those count.)
    .filter(e => !e.classList.contains('ac-factset') && !e.classList.contains('ac-pushButton') && !e.closest('.ac-actionSet'))
    .map(e => ({ tag: e.tagName.toLowerCase(), text: e.textContent, ...(e.getAttribute('href') ? { href: e.getAttribute('href') } : {}) }));
  // One space between blocks, as a person reads it.
  const blocks = [...root.querySelectorAll('.ac-textBlock')];
  const text = (blocks.length ? blocks.map(b => b.textContent) : [root.textContent]).join('\n');
  return { text, elements };
}

function renderCard(card, mode) {
  if (mode === 'webchat') {
    AC.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = webChat.render(text); result.didProcess = true; };
  } else {
    AC.AdaptiveCard.onProcessMarkdown = undefined;
    window.markdownit = markdownit;
  }
  const ac = new AC.AdaptiveCard();
  ac.parse(card);
  const element = ac.render();
  document.body.innerHTML = '';
  document.body.appendChild(element);
  // fallbackText is markdown too: a client that can't show the card shows it instead.
  const fallback = document.createElement('div');
  fallback.className = 'ac-textBlock';
  fallback.innerHTML = (mode === 'webchat' ? webChat : markdownit()).render(card.fallbackText ?? '');
  document.body.appendChild(fallback);
  return describe(document.body);
}

function renderMarkdown(markdown, mode) {
  document.body.innerHTML = (mode === 'webchat' ? webChat : markdownit()).render(markdown);
  return describe(document.body);
}

const input = JSON.parse(readFileSync(inPath, 'utf8'));
const output = [];
for (const item of input) {
  for (const mode of ['official', 'webchat']) {
    const seen = item.card ? renderCard(item.card, mode) : renderMarkdown(item.markdown ?? '', mode);
    output.push({ name: item.name, mode, ...seen });
  }
}
writeFileSync(outPath, JSON.stringify(output, null, 2));
