// Expand every Teams card template with its sample data (and a few variants), validate it with
// the official object model, render it with the official renderer in headless Chromium under a
// Teams-like light host config, and save PNGs to tests/js/screenshots/ for a human to look at.
//
//   node render-cards.mjs [name-filter] [screenshot-dir]
//
// Nothing is fetched: the UMD bundle and CSS are injected from node_modules into about:blank.
// Exit code 1 when any card has parse, validate or lint events, or an interaction check fails.
import { readFileSync, readdirSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launchChromium } from './chromium.mjs';
import { loadAdaptiveCards, validateCard, lintCard } from './ac-node.mjs';

const require = createRequire(import.meta.url);
const ACData = require('adaptivecards-templating');
const here = dirname(fileURLToPath(import.meta.url));
const cardsDir = join(here, '..', '..', 'cards', 'teams');
const shotsDir = process.argv[3] || join(here, 'screenshots');
const acDist = join(here, 'node_modules', 'adaptivecards', 'dist');
const filter = process.argv[2] ?? '';
mkdirSync(shotsDir, { recursive: true });

// Teams' text colours, the same on default and emphasis containers.
const teamsForegroundColors = {
  default: { default: '#242424', subtle: '#616161' },
  dark: { default: '#242424', subtle: '#616161' },
  light: { default: '#FFFFFF', subtle: '#F5F5F5' },
  accent: { default: '#5B5FC7', subtle: '#7F85F5' },
  good: { default: '#0E700E', subtle: '#107C10' },
  warning: { default: '#835B00', subtle: '#A07000' },
  attention: { default: '#C4314B', subtle: '#D13438' },
};

// Roughly Teams' light theme (fonts, sizes, colours, spacing); close enough to judge layout.
const hostConfig = {
  // Segoe UI is what Teams uses; Liberation Sans (Arial metrics) stands in for it on Linux.
  fontFamily: "'Segoe UI', 'Segoe UI Web (West European)', -apple-system, BlinkMacSystemFont, Roboto, 'Helvetica Neue', 'Liberation Sans', sans-serif, 'Noto Color Emoji'",
  supportsInteractivity: true,
  spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
  separator: { lineThickness: 1, lineColor: '#E1DFDD' },
  fontSizes: { small: 12, default: 14, medium: 16, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 300, default: 400, bolder: 600 },
  imageSizes: { small: 32, medium: 52, large: 100 },
  containerStyles: {
    default: {
      backgroundColor: '#FFFFFF',
      foregroundColors: teamsForegroundColors,
    },
    emphasis: {
      backgroundColor: '#F5F5F5',
      foregroundColors: teamsForegroundColors,
    },
    accent: { backgroundColor: '#E8EBFA', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, accent: { default: '#4F52B2', subtle: '#5B5FC7' } } },
    good: { backgroundColor: '#F1FAF1', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, good: { default: '#0E700E', subtle: '#107C10' } } },
    attention: { backgroundColor: '#FDF3F4', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, attention: { default: '#C4314B', subtle: '#D13438' } } },
    warning: { backgroundColor: '#FFF9F5', foregroundColors: { default: { default: '#242424', subtle: '#616161' }, warning: { default: '#835B00', subtle: '#A07000' } } },
  },
  actions: {
    maxActions: 6,
    spacing: 'default',
    buttonSpacing: 8,
    showCard: { actionMode: 'inline', inlineTopMargin: 16, style: 'emphasis' },
    actionsOrientation: 'horizontal',
    actionAlignment: 'left',
    iconPlacement: 'leftOfTitle',
  },
  adaptiveCard: { allowCustomStyle: true },
  factSet: {
    title: { color: 'default', size: 'default', isSubtle: false, weight: 'bolder', wrap: true, maxWidth: 150 },
    value: { color: 'default', size: 'default', isSubtle: false, weight: 'default', wrap: true },
    spacing: 16,
  },
};

// Teams draws its own buttons; this approximates them (neutral outline, 32 px high, 4 px radius).
const teamsCss = `
  html, body { margin: 0; background: #F5F5F5; }
  body { padding: 16px; font-family: ${hostConfig.fontFamily}; }
  .frame { background: #FFFFFF; border-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.14), 0 0 2px rgba(0,0,0,.12); overflow: hidden; }
  .ac-pushButton { font-family: inherit; font-size: 14px; font-weight: 600; min-height: 32px; padding: 0 12px;
    border: 1px solid #D1D1D1; border-radius: 4px; background: #FFFFFF; color: #242424; white-space: nowrap; }
  .ac-pushButton:hover, .ac-pushButton:active { background: #F5F5F5; color: #242424; border: 1px solid #C7C7C7; }
  .ac-pushButton.expanded { background: #EBEBEB; color: #242424; border: 1px solid #C7C7C7; }
  .ac-pushButton.expandable:after { font-family: inherit; font-size: 12px; margin-left: 6px; content: "\\25BE"; }
  .ac-pushButton.expandable.expanded:after { content: "\\25B4"; }
  .ac-pushButton.style-positive, .ac-pushButton.style-positive:hover { background: #5B5FC7; border-color: #5B5FC7; color: #FFFFFF; }
`;

// Sample data variants beside the .data.json files: the edge cases the app will really send.
const clone = (o) => JSON.parse(JSON.stringify(o));
const variants = {
  stretch: {
    'bar-hang-submit': (d) => {
      d = clone(d);
      d.promptId = null;
      d.heading = 'Your stretch';
      d.intro = 'A short hang to take the load off your spine.';
      d.capabilities.execute = false;
      d.doneCount = 0;
      d.doneText = '';
      d.stretch = {
        id: 'bar-hang', name: 'Hang on the horizontal bar', targets: 'Whole spine', where: 'Gym', equipment: 'Horizontal bar',
        duration: 'under 1 min', dose: null, breathing: null,
        cautions: ['Keep the hang short and comfortable: hanging too long can overstretch the discs and cause injury.'],
        steps: [
          { number: 1, text: 'Grab the bar with both hands and hang on straight arms.', isFirst: true, isLast: false },
          { number: 2, text: 'Keep it short and comfortable, then step down gently.', isFirst: false, isLast: true },
        ],
        stepCount: 2,
      };
      return d;
    },
    'long-name-scheduled': (d) => {
      d = clone(d);
      d.doneCount = 0;
      d.doneText = 'Be the first to do this stretch';
      d.stretch.name = 'Standing incline with both hands resting on your hips while you lean back slowly and carefully, as far as is comfortable';
      return d;
    },
    'one-step': (d) => {
      d = clone(d);
      d.capabilities.execute = false;
      d.stretch.cautions = [];
      d.stretch.breathing = null;
      d.stretch.steps = [{ number: 1, text: 'Get on your hands and knees and move slowly between cat and cow, 5 to 10 times.', isFirst: true, isLast: true }];
      d.stretch.stepCount = 1;
      return d;
    },
  },
  walkthrough: {
    'first-step': (d) => ({ ...clone(d), step: 1, stepTitle: 'Step 1 of 4', progress: '● ○ ○ ○', text: 'Get on your hands and knees, with your back flat like a table.', isFirst: true }),
    'last-step': (d) => ({ ...clone(d), step: 4, stepTitle: 'Step 4 of 4', progress: '● ● ● ●', text: 'Keep going slowly, in the rhythm of your breath, for 5 to 10 cycles.', isLast: true }),
    'long-name': (d) => ({
      ...clone(d),
      name: 'Standing incline with both hands resting on your hips while you lean back slowly and carefully, as far as is comfortable',
      step: 7, stepCount: 8, stepTitle: 'Step 7 of 8', progress: '● ● ● ● ● ● ● ○', dose: null, breathing: null, alreadyDone: true,
      text: 'Hold the twist for a slow count of ten, keeping both sitting bones firmly on the chair and your shoulders relaxed and level.',
      cautions: ['Twist only as far as is comfortable.', 'If you feel pain in your back, stop.'],
    }),
    'one-step-submit': (d) => ({ ...clone(d), capabilities: { execute: false }, step: 1, stepCount: 1, stepTitle: 'How to do it', progress: '●', isFirst: true, isLast: true, cautions: [] }),
  },
  done: {
    already: (d) => ({ ...clone(d), alreadyDone: true, title: 'Already counted ✓', rank: null, rankText: null }),
    'first-ever': (d) => ({ ...clone(d), message: 'Nice work, Ada! Your first stretch.', streakDays: 1, streakText: '1-day streak', totalStretches: 1, weekCount: 1, rank: 1, rankText: '#1 this week', doneCount: 1, doneText: '1 person did this stretch' }),
  },
  welcome: { returning: (d) => ({ ...clone(d), firstContact: false }) },
  catalog: {
    desk: (d) => ({ ...clone(d), filterText: 'desk', count: 2, stretches: d.stretches.filter(s => s.where.startsWith('Desk')) }),
    'no-match': (d) => ({ ...clone(d), filterText: 'yoga', count: 0, stretches: [] }),
  },
  stats: { empty: (d) => ({ ...clone(d), total: 0, weekCount: 0, streakDays: 0, streakText: 'No streak yet', favourite: null, recent: [], hasAny: false }) },
  message: { 'no-title': (d) => ({ title: null, text: 'Paused until Monday 23 Nov. Say "resume" to start again sooner.', hint: null, safety: null }) },
  leaderboard: { empty: (d) => ({ ...clone(d), entries: [], isEmpty: true, myLine: null }) },
  schedule: {
    empty: (d) => ({ ...clone(d), heading: "This chat's schedule", hasSchedule: false, when: null, next: [], facts: d.facts.filter(f => f.title !== 'Status' && f.title !== 'Holidays' && f.title !== 'Jitter'), note: null, hint: 'Type **schedule weekdays 10:30 15:00** to set one.' }),
    paused: (d) => ({ ...clone(d), heading: 'Paused until Mon 30 Nov, 00:00', next: ['• Mon 30 Nov, 10:30', '• Mon 30 Nov, 15:00', '• Tue 1 Dec, 10:30'], facts: clone(d).facts.map((f) => f.title === 'Status' ? { ...f, value: 'Paused until Mon 30 Nov, 00:00. Type **resume** to start again sooner.' } : f), note: null, hint: 'Type **resume** to start again sooner.' }),
    reminder: (d) => ({ ...clone(d), heading: 'Your reminder', isPersonal: true, when: 'Weekdays (Mon–Fri) at 11:00', note: null }),
  },
};

const expand = (template, data) => new ACData.Template(template).expand({ $root: data });

const jobs = [];
for (const file of readdirSync(cardsDir).filter(f => f.endsWith('.json') && !f.endsWith('.data.json')).sort()) {
  const name = basename(file, '.json');
  if (!name.includes(filter)) continue;
  const dataPath = join(cardsDir, `${name}.data.json`);
  if (!existsSync(dataPath)) { console.warn(`${name}: no ${name}.data.json, skipped`); continue; }
  const template = JSON.parse(readFileSync(join(cardsDir, file), 'utf8'));
  const data = JSON.parse(readFileSync(dataPath, 'utf8'));
  jobs.push({ name, card: expand(template, data) });
  for (const [v, make] of Object.entries(variants[name] ?? {})) jobs.push({ name: `${name}.${v}`, card: expand(template, make(data)) });
}

const AC = loadAdaptiveCards();
let failures = 0;
for (const job of jobs) {
  const events = [...validateCard(AC, job.card), ...lintCard(job.card)];
  const bytes = Buffer.byteLength(JSON.stringify(job.card), 'utf8');
  console.log(`${job.name.padEnd(28)} ${String(bytes).padStart(6)} B  ${events.length ? events.length + ' event(s)' : 'ok'}`);
  for (const e of events) console.log(`    [${e.phase}] ${e.event}: ${e.message}`);
  failures += events.length;
}

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 560, height: 400 }, deviceScaleFactor: 1 });
  page.on('console', m => { if (m.type() === 'error') console.log(`  console: ${m.text()}`); });
  page.on('request', r => { if (!r.url().startsWith('about:') && !r.url().startsWith('data:')) console.log(`  unexpected request: ${r.url()}`); });
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body><div id="frame" class="frame"></div></body></html>');
  await page.addStyleTag({ path: join(acDist, 'adaptivecards.css') });
  await page.addStyleTag({ content: teamsCss });
  // With markdown-it on the page the renderer processes TextBlock markdown, as its docs set it up and as every host
  // does: without it, the escapes in our data (\[, \*) would show as written.
  await page.addScriptTag({ path: join(here, 'node_modules', 'markdown-it', 'dist', 'markdown-it.min.js') });
  await page.addScriptTag({ path: join(acDist, 'adaptivecards.min.js') });

  // Teams on a phone: narrow, card actions stacked full width.
  const phoneConfig = { ...hostConfig, actions: { ...hostConfig.actions, actionsOrientation: 'vertical', actionAlignment: 'stretch' } };
  const render = async (card, width) => page.evaluate(({ card, hostConfig, width }) => {
    const AC = window.AdaptiveCards;
    const frame = document.getElementById('frame');
    frame.style.width = `${width}px`;
    frame.innerHTML = '';
    window.lastAction = null;
    const ac = new AC.AdaptiveCard();
    ac.hostConfig = new AC.HostConfig(hostConfig);
    ac.onExecuteAction = (a) => {
      window.lastAction = { type: a.getJsonTypeName(), verb: a.verb ?? null, data: a.data ?? null };
    };
    ac.parse(card);
    frame.appendChild(ac.render());
  }, { card, hostConfig: width < 400 ? phoneConfig : hostConfig, width });

  const shot = async (file) => {
    await page.mouse.move(0, 0); // no hover state in the pictures
    await page.locator('#frame').screenshot({ path: join(shotsDir, file) });
  };
  const click = async (title) => {
    const button = page.locator('#frame button.ac-pushButton:visible', { hasText: title }).first();
    await button.click();
  };
  const check = (ok, what) => { if (!ok) { failures++; console.log(`  FAIL ${what}`); } };

  for (const job of jobs) {
    await render(job.card, 500);
    await shot(`${job.name}.png`);
    const stepByStep = job.card.body.some(e => typeof e.id === 'string' && e.id.startsWith('step-'));
    if ((job.name === 'stretch' || job.name.startsWith('stretch.')) && !stepByStep) {
      // Teams' overview: no steps on the shared card; Start, Done and Later go to the server with the prompt.
      for (const [title, verb] of [['Start', 'start'], ['Done', 'done'], ['Later', 'later']]) {
        await click(title);
        const raised = await page.evaluate(() => window.lastAction);
        check(raised && raised.type === 'Action.Execute' && raised.verb === verb && raised.data && raised.data.action === verb && raised.data.promptId === job.card.body.find(e => e.type === 'ActionSet').actions[0].data.promptId,
          `${job.name}: ${title} raised ${JSON.stringify(raised)}`);
      }
      check(await page.getByText(/^Step \d+ of \d+$/).count() === 0, `${job.name}: the overview shows no step`);
      await click('Safety');
      await shot(`${job.name}.safety.png`);
    }
    if (job.name === 'walkthrough' || job.name.startsWith('walkthrough.')) {
      // One person's step: Next/Back/Done carry the step the card shows, for the server to move from.
      const data = JSON.parse(JSON.stringify(job.card.body.find(e => e.type === 'ActionSet').actions[0].data));
      const wantType = JSON.stringify(job.card.body).includes('"Action.Execute"') ? 'Action.Execute' : 'Action.Submit';
      const last = !JSON.stringify(job.card.body).includes('"Next step"');
      await click(last ? 'Done' : 'Next step');
      const raised = await page.evaluate(() => window.lastAction);
      check(raised && raised.type === wantType && raised.data && raised.data.action === (last ? 'done' : 'next') && raised.data.step === data.step && typeof raised.data.step === 'number',
        `${job.name}: ${last ? 'Done' : 'Next'} raised ${JSON.stringify(raised)}`);
      console.log(`  ${job.name}: ${last ? 'Done' : 'Next'} -> ${JSON.stringify(raised)}`);
    }
    if ((job.name === 'stretch' || job.name.startsWith('stretch.')) && stepByStep) {
      const steps = job.card.body.filter(e => typeof e.id === 'string' && e.id.startsWith('step-')).length;
      for (let i = 1; i < steps; i++) {
        check(await page.getByText(`Step ${i} of ${steps}`, { exact: true }).isVisible(), `${job.name}: step ${i} visible before Next`);
        await click('Next step');
      }
      if (steps > 1) check(await page.getByText(`Step ${steps} of ${steps}`, { exact: true }).isVisible(), `${job.name}: last step visible`);
      check(await page.locator('#frame button.ac-pushButton:visible', { hasText: 'Next step' }).count() === 0, `${job.name}: no Next step on the last step`);
      await shot(`${job.name}.last-step.png`);
      await click('Done');
      const done = await page.evaluate(() => window.lastAction);
      const wantExecute = job.card.body.some(e => JSON.stringify(e).includes('"Action.Execute"'));
      check(done && done.type === (wantExecute ? 'Action.Execute' : 'Action.Submit') && done.data && done.data.action === 'done', `${job.name}: Done raised ${JSON.stringify(done)}`);
      console.log(`  ${job.name}: Done -> ${JSON.stringify(done)}`);
      await click('Later');
      const later = await page.evaluate(() => window.lastAction);
      check(later && later.type === 'Action.Submit' && later.data && later.data.action === 'later', `${job.name}: Later raised ${JSON.stringify(later)}`);
      if (steps > 1) {
        await click('Back');
        check(await page.getByText(`Step ${steps - 1} of ${steps}`, { exact: true }).isVisible(), `${job.name}: Back shows the previous step`);
      }
      await click('Safety');
      await shot(`${job.name}.safety.png`);
    }
    if (job.name === 'welcome.returning') {
      await click('Safety');
      await shot(`${job.name}.safety.png`);
    }
    if (!job.name.includes('.')) {
      // about the width of Teams on a phone
      await render(job.card, 320);
      await shot(`${job.name}.narrow.png`);
    }
  }
} finally {
  await browser.close();
}
console.log(failures ? `${failures} problem(s)` : `all ${jobs.length} cards ok; screenshots in ${shotsDir}`);
process.exit(failures ? 1 : 0);
