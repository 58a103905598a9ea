// Drives the StretchBot playground (the official Web Chat bundle on our Direct Line endpoint) in Debian's
// headless Chromium, as a person would: see the greeting on open, give a name, ask for a desk stretch, click through
// every step, click Done, ask for stats and the leaderboard; then the same at phone width (390 px).
//
//   node e2e-playground.mjs <baseUrl> <screenshotDir>
//
// Prints one JSON line with what it saw; exits 1 with the reason when a step fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const [baseUrl, shots] = process.argv.slice(2);
if (!baseUrl || !shots) {
  console.error('usage: node e2e-playground.mjs <baseUrl> <screenshotDir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await launchChromium();
const seen = { requests: [], consoleErrors: [], steps: 0 };
let n = 0;
const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
const shot = async (name) => page.screenshot({ path: join(shots, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: false });

try {
  page.on('request', (r) => { if (!r.url().startsWith(baseUrl) && !/^(data|blob):/.test(r.url())) seen.requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') seen.consoleErrors.push(m.text()); });
  page.setDefaultTimeout(15000);

  const opened = Date.now();
  await page.goto(baseUrl + '/');
  const input = page.locator('[data-id="webchat-sendbox-input"]');
  await input.waitFor();
  seen.sendBoxMs = Date.now() - opened;
  seen.loading = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter(r => r.name.includes('/lib/'))
    .map(r => ({ url: r.name.replace(location.origin, ''), ms: Math.round(r.duration), bytes: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })));
  seen.domContentLoadedMs = await page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd));

  // Greeted on open, before typing anything: a newcomer gets the welcome card, which says what they're called.
  const welcome = page.locator('.ac-adaptiveCard').filter({ hasText: /Hi, I.m StretchBot/ }).first();
  await welcome.waitFor();
  seen.greeting = (await welcome.innerText()).replace(/\s+/g, ' ').slice(0, 400);
  seen.transcriptOnOpen = await page.locator('[role="log"] article, .webchat__basic-transcript__activity').count();
  await shot('playground');

  await input.fill('name Ada');
  await input.press('Enter');
  await page.getByText(/I.ll call you Ada from now on/).first().waitFor();

  await input.fill('stretch desk');
  await input.press('Enter');
  // The stretch card: the last Adaptive Card with a "Step 1 of" line.
  const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Step 1 of' }).last();
  await card.waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot('stretch-card');
  const total = Number((await card.locator('text=/Step 1 of \\d+/').first().innerText()).match(/of (\d+)/)[1]);
  seen.stepCount = total;
  seen.firstStep = await card.locator('text=/Step 1 of/').first().innerText();

  for (let step = 1; step < total; step++) {
    const next = card.locator('button.ac-pushButton:visible', { hasText: 'Next step' }).first();
    await next.click();
    await card.locator(`text=/Step ${step + 1} of ${total}/`).first().waitFor({ state: 'visible' });
    seen.steps = step + 1;
    await card.scrollIntoViewIfNeeded();
    await shot(`step-${step + 1}`);
  }
  if (total === 1) seen.steps = 1;

  const done = card.locator('button.ac-pushButton:visible', { hasText: 'Done' }).first();
  await done.waitFor({ state: 'visible' });
  await done.click();
  const confirmation = page.locator('.ac-adaptiveCard').filter({ hasText: 'day streak' }).filter({ hasText: 'Done ✓' }).last();
  await confirmation.waitFor();
  await confirmation.scrollIntoViewIfNeeded();
  await shot('done');
  seen.confirmation = (await confirmation.innerText()).replace(/\s+/g, ' ').slice(0, 300);

  await input.fill('stats');
  await input.press('Enter');
  const stats = page.locator('.ac-adaptiveCard').filter({ hasText: 'Your stretch stats' }).last();
  await stats.waitFor();
  await stats.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot('stats');
  seen.stats = (await stats.innerText()).replace(/\s+/g, ' ').slice(0, 300);

  await input.fill('leaderboard');
  await input.press('Enter');
  // The leaderboard's own line ("This week (Mon 16 Nov – Sun 22 Nov)"): the welcome card also says "leaderboard" and "stretches".
  const board = page.locator('.ac-adaptiveCard').filter({ hasText: 'Leaderboard' }).filter({ hasText: /This week \(\w{3} \d/ }).last();
  await board.waitFor();
  await board.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot('leaderboard');
  seen.leaderboard = (await board.innerText()).replace(/\s+/g, ' ').slice(0, 300);

  // A phone: the same person, 390 px wide. Every text on the stats card must fit (nothing cut to "🔥..").
  await page.setViewportSize({ width: 390, height: 844 });
  await input.fill('stats');
  await input.press('Enter');
  const phoneStats = page.locator('.ac-adaptiveCard').filter({ hasText: 'Your stretch stats' }).nth(1);
  await phoneStats.waitFor();
  await phoneStats.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await shot('phone-stats');
  seen.phoneCut = await phoneStats.evaluate((card) => [...card.querySelectorAll('.ac-textBlock')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    .map(e => e.textContent));
  seen.phoneStats = (await phoneStats.innerText()).replace(/\s+/g, ' ').slice(0, 300);
  await page.reload();
  await input.waitFor();
  // Back again: a short hello, not the welcome card twice.
  const hello = page.getByText('Welcome back').last();
  await hello.waitFor();
  seen.hello = (await hello.locator('xpath=ancestor::*[contains(@class,"webchat__bubble__content")][1]').innerText().catch(() => hello.innerText())).replace(/\s+/g, ' ').slice(0, 200);
  await page.waitForTimeout(300);
  await shot('phone-welcome-back');

  writeFileSync(join(shots, 'report.json'), JSON.stringify(seen, null, 2));
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await shot('failure').catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error && error.message || error), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
