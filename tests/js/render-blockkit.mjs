// A Slack-desktop-like preview of Block Kit messages, drawn in headless Chromium and saved as PNGs for a person to
// look at. Slack has no offline renderer (Block Kit Builder is a web app), so this is our own approximation: Slack's
// colours, sizes and spacing, Lato where installed, mrkdwn as Slack reads it.
//
//   node render-blockkit.mjs [messages.json | -] [screenshot-dir]
//
// messages.json: [{ "name": string, "message": { "text", "blocks" } | { "type": "home", "blocks" } }]
// Without a list ("-" or ""), every cards/slack template is expanded with its sample data by the official
// adaptivecards-templating package (our templates use its language), plus a hostile sample of our own.
// Screenshots default to artifacts/screenshots/slack; one <name>.png per message.
//
// Every piece of text is escaped before it reaches the page: a message can never add markup, and every page is
// checked for that (no <script>, <img>, <iframe> or on* attribute inside a message, no script ran). Nothing is fetched.
// Exit code 1 when a message has a block, element or text type the preview can't draw (a broken template shows up
// here), or breaks the escaping check.
import { readFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launchChromium } from './chromium.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const listPath = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : null;
const shotsDir = process.argv[3] || join(repoRoot, 'artifacts', 'screenshots', 'slack');
mkdirSync(shotsDir, { recursive: true });

// ---------------------------------------------------------------------------------------------------------------
// What to draw

// Slack's own mrkdwn escapes look like HTML; the raw tags here are what a careless preview would let through.
const hostile = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script> "quoted" \'single\'';
const hostileMrkdwn = '&lt;img src=x onerror="window.__pwned=1"&gt; &lt;script&gt;window.__pwned=1&lt;/script&gt; &amp;lt;b&amp;gt;';
const hostileMessage = {
  text: hostileMrkdwn,
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: hostile, emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*${hostileMrkdwn}*\n_${hostile}_\n\`${hostile}\`\n<https://example.com/"onmouseover="window.__pwned=1|click "me" &lt;b&gt;>` },
      accessory: { type: 'button', action_id: 'x', text: { type: 'plain_text', text: hostile }, value: hostile },
    },
    { type: 'section', fields: [{ type: 'mrkdwn', text: hostile }, { type: 'plain_text', text: hostile }] },
    { type: 'section', text: { type: 'mrkdwn', text: '```' + hostile + '\n' + hostileMrkdwn + '```\n&gt; ' + hostile } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: hostile }, { type: 'plain_text', text: hostileMrkdwn }] },
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'a', style: 'primary', text: { type: 'plain_text', text: hostile }, value: '1' },
        { type: 'button', action_id: 'b', style: 'danger', text: { type: 'plain_text', text: '</button><script>window.__pwned=1</script>' }, value: '2' },
      ],
    },
    { type: 'image', image_url: 'javascript:window.__pwned=1', alt_text: hostile },
  ],
};

function fromTemplates() {
  const ACData = require('adaptivecards-templating');
  const folder = join(repoRoot, 'cards', 'slack');
  const jobs = [];
  for (const file of readdirSync(folder).filter(f => f.endsWith('.json') && !f.endsWith('.data.json')).sort()) {
    const name = basename(file, '.json');
    const dataPath = join(folder, `${name}.data.json`);
    if (!existsSync(dataPath)) {
      jobs.push({ name, problems: [`${file} has no ${name}.data.json beside it`] });
      continue;
    }
    const template = JSON.parse(readFileSync(join(folder, file), 'utf8'));
    const data = JSON.parse(readFileSync(dataPath, 'utf8'));
    jobs.push({ name, message: new ACData.Template(template).expand({ $root: data }) });
  }
  jobs.push({ name: 'hostile', message: hostileMessage, hostile: true });
  return jobs;
}

const jobs = listPath
  ? JSON.parse(readFileSync(listPath, 'utf8')).map(j => ({ name: String(j.name), message: j.message }))
  : fromTemplates();

// ---------------------------------------------------------------------------------------------------------------
// Escaping and mrkdwn

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

// Slack decodes exactly these three, once: "&amp;lt;" shows as "&lt;".
const decodeSlack = (s) => s.replace(/&(amp|lt|gt);/g, (_, e) => ({ amp: '&', lt: '<', gt: '>' })[e]);

// Text shown as it is: decoded for mrkdwn, never for plain_text (the app sends plain_text unescaped).
const showText = (s, mrkdwn) => escapeHtml(mrkdwn ? decodeSlack(s) : s);

// Private-use characters stand in for pieces already turned into HTML while emphasis is parsed around them.
const PH_OPEN = '\uE000', PH_CLOSE = '\uE001';
const placeholder = (store, html) => `${PH_OPEN}${store.push(html) - 1}${PH_CLOSE}`;
const fillPlaceholders = (html, store) => html.replace(/\uE000(\d+)\uE001/g, (_, i) => store[Number(i)]);

// Slack's <...> sequences: links, user, channel and group mentions, special mentions and dates.
function angle(inner, problems) {
  const [target, ...rest] = inner.split('|');
  const label = rest.join('|');
  if (target.startsWith('@')) {
    return `<span class="mention">@${showText(label || target.slice(1), true)}</span>`;
  }
  if (target.startsWith('#')) {
    return `<span class="mention">#${showText(label || target.slice(1), true)}</span>`;
  }
  if (target.startsWith('!subteam^')) {
    return `<span class="mention">${showText(label || '@group', true)}</span>`;
  }
  if (target.startsWith('!date^')) {
    return showText(label || target, true);
  }
  if (target.startsWith('!')) {
    return `<span class="mention broadcast">@${showText(target.slice(1), true)}</span>`;
  }
  if (/^(https?:|mailto:)/i.test(target)) {
    // No href: nothing here should be followable, and a URL never lands in an attribute that runs.
    return `<span class="link" title="${escapeHtml(decodeSlack(target))}">${showText(label || target, true)}</span>`;
  }
  problems.push(`unknown <…> sequence in mrkdwn: <${inner}>`);
  return showText(`<${inner}>`, true);
}

// *bold*, _italic_, ~strike~: the markers must touch the words they wrap and stand apart from the words around them.
const EMPHASIS = /(^|[^\p{L}\p{N}*_~])([*_~])(?=[^\s*_~])([^\n]*?[^\s])\2(?=$|[^\p{L}\p{N}*_~])/u;
const TAGS = { '*': 'b', _: 'i', '~': 's' };

function emphasis(s) {
  const m = EMPHASIS.exec(s);
  if (!m) return showText(s, true);
  const before = s.slice(0, m.index) + m[1];
  const after = s.slice(m.index + m[0].length);
  const tag = TAGS[m[2]];
  return `${showText(before, true)}<${tag}>${emphasis(m[3])}</${tag}>${emphasis(after)}`;
}

function mrkdwn(text, problems) {
  const store = [];
  let s = String(text).replace(/[\uE000\uE001]/g, '\uFFFD');
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => placeholder(store, `<pre class="pre">${showText(code.replace(/^\n/, ''), true)}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => placeholder(store, `<code>${showText(code, true)}</code>`));
  s = s.replace(/<([^<>\n]*)>/g, (_, inner) => placeholder(store, angle(inner, problems)));

  // Lines starting with ">" (as Slack stores it: "&gt;") are quotes; consecutive ones share one bar.
  const groups = [];
  for (const line of s.split('\n')) {
    const q = /^(?:&gt;|>) ?/.exec(line);
    const kind = q ? 'quote' : 'text';
    const body = q ? line.slice(q[0].length) : line;
    if (groups.length && groups[groups.length - 1].kind === kind) groups[groups.length - 1].lines.push(body);
    else groups.push({ kind, lines: [body] });
  }
  const html = groups.map(g => {
    const inner = g.lines.map(emphasis).join('\n');
    return g.kind === 'quote' ? `<blockquote>${inner}</blockquote>` : `<span>${inner}</span>`;
  }).join('\n');
  return `<div class="mrkdwn">${fillPlaceholders(html, store)}</div>`;
}

// A notification shows mentions and links resolved, and the rest as written (no emphasis, no code).
function notificationText(text, problems) {
  const store = [];
  const s = String(text).replace(/[\uE000\uE001]/g, '\uFFFD').replace(/<([^<>\n]*)>/g, (_, inner) => placeholder(store, angle(inner, problems)));
  return fillPlaceholders(showText(s, true), store);
}

// ---------------------------------------------------------------------------------------------------------------
// Blocks

function textObject(t, where, problems, cls = '') {
  if (!t || typeof t.text !== 'string') {
    problems.push(`${where}: no text object`);
    return '';
  }
  if (t.type === 'mrkdwn') return mrkdwn(t.text, problems).replace('class="mrkdwn"', `class="mrkdwn ${cls}"`);
  if (t.type === 'plain_text') return `<div class="plain ${cls}">${showText(t.text, false)}</div>`;
  problems.push(`${where}: unknown text type '${t.type}'`);
  return '';
}

const plain = (t) => (t && typeof t.text === 'string' ? escapeHtml(t.text) : '');

function element(e, where, problems) {
  switch (e?.type) {
    case 'button': {
      const style = e.style === 'primary' || e.style === 'danger' ? ` ${e.style}` : '';
      if (e.style && !style) problems.push(`${where}: unknown button style '${e.style}'`);
      return `<span class="button${style}">${plain(e.text)}</span>`;
    }
    case 'overflow':
      return '<span class="button overflow">⋮</span>';
    case 'static_select':
    case 'external_select':
    case 'users_select':
    case 'conversations_select':
    case 'channels_select':
    case 'multi_static_select':
    case 'multi_users_select':
      return `<span class="select">${plain(e.initial_option?.text) || plain(e.placeholder) || 'Select an item'}<span class="caret">▾</span></span>`;
    case 'datepicker':
      return `<span class="select">📅 ${escapeHtml(e.initial_date ?? '')}${e.initial_date ? '' : plain(e.placeholder) || 'Select a date'}<span class="caret">▾</span></span>`;
    case 'timepicker':
      return `<span class="select">🕒 ${escapeHtml(e.initial_time ?? '')}${e.initial_time ? '' : plain(e.placeholder) || 'Select time'}<span class="caret">▾</span></span>`;
    case 'image':
      // Nothing is fetched: an image is a labelled placeholder.
      return `<span class="image-ph small" title="${escapeHtml(e.alt_text ?? '')}"></span>`;
    default:
      problems.push(`${where}: unknown element type '${e?.type}'`);
      return '';
  }
}

function block(b, i, problems) {
  const where = `blocks[${i}] (${b?.type}${b?.block_id ? ` ${b.block_id}` : ''})`;
  switch (b?.type) {
    case 'header':
      return `<div class="block header">${plain(b.text)}</div>`;
    case 'divider':
      return '<div class="block divider"></div>';
    case 'section': {
      let body = '';
      if (b.text) body += textObject(b.text, `${where}.text`, problems);
      if (b.fields) {
        body += `<div class="fields">${b.fields.map((f, j) => `<div class="field">${textObject(f, `${where}.fields[${j}]`, problems)}</div>`).join('')}</div>`;
      }
      if (!b.text && !b.fields) problems.push(`${where}: neither text nor fields`);
      const accessory = b.accessory ? `<div class="accessory">${element(b.accessory, `${where}.accessory`, problems)}</div>` : '';
      return `<div class="block section"><div class="section-body">${body}</div>${accessory}</div>`;
    }
    case 'context':
      return `<div class="block context">${(b.elements ?? []).map((e, j) => {
        if (e?.type === 'image') return element(e, `${where}.elements[${j}]`, problems);
        return `<div class="context-item">${textObject(e, `${where}.elements[${j}]`, problems)}</div>`;
      }).join('')}</div>`;
    case 'actions':
      return `<div class="block actions">${(b.elements ?? []).map((e, j) => element(e, `${where}.elements[${j}]`, problems)).join('')}</div>`;
    case 'image':
      return `<div class="block image">${b.title ? `<div class="image-title">${plain(b.title)}</div>` : ''}<div class="image-ph" title="${escapeHtml(b.alt_text ?? '')}">image: ${escapeHtml(b.alt_text ?? '')}</div></div>`;
    default:
      problems.push(`${where}: unknown block type '${b?.type}'`);
      return '';
  }
}

const font = "'Slack-Lato', 'Lato', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif, 'Noto Color Emoji'";
const mono = "Monaco, Menlo, Consolas, 'Courier New', 'DejaVu Sans Mono', monospace, 'Noto Color Emoji'";

// Slack's light theme on the desktop client, as measured from the client's stylesheet.
const css = `
  html, body { margin: 0; background: #FFFFFF; }
  body { font-family: ${font}; font-size: 15px; line-height: 1.46668; color: #1D1C1D; -webkit-font-smoothing: antialiased; }
  #shot { display: inline-block; background: #FFFFFF; }
  .pane { width: 760px; padding: 8px 20px 12px; box-sizing: border-box; }
  .message { display: flex; gap: 8px; }
  .avatar { flex: none; width: 36px; height: 36px; border-radius: 6px; background: #2BAC76; color: #fff; font-size: 20px;
    display: flex; align-items: center; justify-content: center; margin-top: 4px; }
  .content { flex: 1; min-width: 0; }
  .byline { display: flex; align-items: baseline; gap: 6px; }
  .app-name { font-weight: 900; font-size: 15px; }
  .app-badge { font-size: 10px; font-weight: 700; line-height: 14px; padding: 0 3px; border-radius: 2px; background: rgba(29,28,29,.13); color: rgba(29,28,29,.7); }
  .time { font-size: 12px; color: #616061; }
  .notification { margin: 10px 0 0 44px; padding: 4px 8px; border: 1px dashed #BBB; border-radius: 4px; font-size: 12px; color: #616061; white-space: pre-wrap; }
  .notification b { color: #1D1C1D; }
  .block { margin: 4px 0; max-width: 640px; }
  .header { font-size: 18px; font-weight: 900; line-height: 1.33; margin: 8px 0 4px; overflow-wrap: anywhere; }
  .section { display: flex; gap: 12px; align-items: flex-start; }
  .section-body { flex: 1; min-width: 0; }
  .accessory { flex: none; }
  .mrkdwn, .plain { white-space: pre-wrap; overflow-wrap: anywhere; }
  .mrkdwn b { font-weight: 900; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
  .section-body > .mrkdwn + .fields, .section-body > .plain + .fields { margin-top: 8px; }
  .context { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; font-size: 12px; line-height: 1.5; color: #616061; }
  .context-item { min-width: 0; }
  .context .mrkdwn b { color: #616061; }
  .divider { border-top: 1px solid rgba(29,28,29,.13); margin: 12px 0; }
  .actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 4px; }
  .button { display: inline-flex; align-items: center; height: 28px; padding: 0 12px; box-sizing: border-box; max-width: 300px;
    font-size: 13px; font-weight: 700; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; background: #FFFFFF; color: #1D1C1D;
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .button.primary { background: #007A5A; border-color: #007A5A; color: #FFFFFF; }
  .button.danger { background: #E01E5A; border-color: #E01E5A; color: #FFFFFF; }
  .button.overflow { padding: 0 8px; }
  .select { display: inline-flex; align-items: center; gap: 8px; height: 28px; padding: 0 8px 0 12px; border: 1px solid rgba(29,28,29,.3); border-radius: 4px; font-size: 13px; }
  .caret { color: #616061; }
  .mention { color: #1264A3; background: rgba(29,155,209,.1); border-radius: 3px; padding: 0 2px; font-weight: 400; }
  .mention.broadcast { color: #8F5100; background: rgba(242,199,68,.4); }
  .link { color: #1264A3; }
  code { font-family: ${mono}; font-size: 12px; line-height: 1.5; color: #C01343; background: rgba(29,28,29,.04); border: 1px solid rgba(29,28,29,.13); border-radius: 3px; padding: 2px 3px 1px; }
  .pre { display: block; margin: 4px 0; font-family: ${mono}; font-size: 12px; line-height: 1.5; background: rgba(29,28,29,.04); border: 1px solid rgba(29,28,29,.13); border-radius: 4px; padding: 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
  blockquote { display: block; margin: 0; padding-left: 16px; border-left: 4px solid #DDDDDD; }
  .image-ph { display: flex; align-items: center; justify-content: center; width: 360px; height: 160px; background: #F4F4F4; border: 1px solid #DDD; border-radius: 8px; color: #616061; font-size: 12px; }
  .image-ph.small { display: inline-block; width: 16px; height: 16px; border-radius: 3px; }
  .image-title { font-size: 13px; color: #616061; }
  /* The App Home tab: a wide page of its own, no message chrome. */
  .home { width: 1000px; box-sizing: border-box; }
  .home-top { display: flex; align-items: center; gap: 10px; padding: 12px 20px; border-bottom: 1px solid rgba(29,28,29,.13); font-weight: 900; font-size: 18px; }
  .home-top .avatar { width: 28px; height: 28px; font-size: 16px; margin: 0; }
  .tabs { display: flex; gap: 20px; padding: 0 20px; border-bottom: 1px solid rgba(29,28,29,.13); font-size: 13px; font-weight: 700; color: #616061; }
  .tabs span { padding: 8px 0; }
  .tabs .on { color: #1D1C1D; box-shadow: inset 0 -2px 0 #007A5A; }
  .home-body { padding: 12px 20px 20px; }
  .home-body .block { max-width: none; }
`;

function page(job, problems) {
  const message = job.message;
  if (!message || !Array.isArray(message.blocks)) {
    problems.push('no blocks array');
    return '';
  }
  const blocks = message.blocks.map((b, i) => block(b, i, problems)).join('');
  if (message.type === 'home') {
    return `<div id="shot" class="home"><div class="home-top"><div class="avatar">🤸</div>StretchBot</div>
      <div class="tabs"><span class="on">Home</span><span>Messages</span><span>About</span></div>
      <div class="home-body" id="msg">${blocks}</div></div>`;
  }
  if (message.type !== undefined) problems.push(`unknown view type '${message.type}'`);
  if (typeof message.text !== 'string' || message.text.length === 0) problems.push('no notification text');
  // The notification text isn't shown in the channel when there are blocks; it's here, dashed, so it gets read too.
  const notification = typeof message.text === 'string'
    ? `<div class="notification"><b>Notification:</b> ${notificationText(message.text, problems)}</div>` : '';
  return `<div id="shot" class="pane"><div class="message"><div class="avatar">🤸</div><div class="content">
    <div class="byline"><span class="app-name">StretchBot</span><span class="app-badge">APP</span><span class="time">10:30 AM</span></div>
    <div id="msg">${blocks}</div></div></div>${notification}</div>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Screenshots

const fileName = (name) => `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`;
let failures = 0;
const browser = await launchChromium();
try {
  const tab = await browser.newPage({ viewport: { width: 1040, height: 600 }, deviceScaleFactor: 1, javaScriptEnabled: true });
  tab.on('request', r => {
    if (!r.url().startsWith('about:') && !r.url().startsWith('data:')) {
      failures++;
      console.log(`  FAIL unexpected request: ${r.url()}`);
    }
  });
  tab.on('dialog', d => { failures++; console.log(`  FAIL a dialog opened: ${d.message()}`); d.dismiss(); });

  for (const job of jobs) {
    const problems = [...(job.problems ?? [])];
    const html = job.message ? page(job, problems) : '';
    await tab.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body>${html}</body></html>`);
    // A message only ever adds our own elements: no script ran and nothing active got in.
    const injected = await tab.evaluate(() => ({
      pwned: window.__pwned !== undefined,
      active: document.querySelectorAll('#msg script, #msg img, #msg iframe, #msg object, #msg a, #msg [onerror], #msg [onclick], #msg [onload]').length,
      text: document.body.innerText,
    }));
    if (injected.pwned || injected.active) problems.push(`text became HTML (script ran: ${injected.pwned}, active elements: ${injected.active})`);
    if (job.hostile && !(injected.text.includes('<script>window.__pwned=1</script>') && injected.text.includes('<img src=x onerror='))) {
      problems.push('the hostile text is not shown as text');
    }
    let size = '';
    if (html) {
      const shot = tab.locator('#shot');
      await shot.screenshot({ path: join(shotsDir, fileName(job.name)) });
      const box = await shot.boundingBox();
      size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    }
    // The hostile sample puts raw tags in mrkdwn on purpose: Slack would refuse or garble them, this preview shows them as text.
    const expected = job.hostile ? problems.filter(p => p.startsWith('unknown <…> sequence')) : [];
    problems.splice(0, problems.length, ...problems.filter(p => !expected.includes(p)));
    const count = job.message?.blocks?.length ?? 0;
    console.log(`${job.name.padEnd(36)} ${String(count).padStart(3)} blocks ${size.padStart(10)}  ${problems.length ? `${problems.length} problem(s)` : 'ok'}`);
    for (const p of problems) console.log(`    ${p}`);
    if (expected.length) console.log(`    (${expected.length} raw tag(s) in mrkdwn shown as text, as expected)`);
    failures += problems.length;
  }
} finally {
  await browser.close();
}
console.log(failures ? `${failures} problem(s)` : `all ${jobs.length} messages ok; screenshots in ${shotsDir}`);
process.exit(failures ? 1 : 0);
