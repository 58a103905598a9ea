// Opens the StretchBot playground in Debian's headless Chromium and waits for a card the bot pushes on its own
// (no message typed: a scheduled nudge), then walks through it and clicks Done, as a person would.
//
//   node e2e-push.mjs <baseUrl> <screenshotDir> [message to type first] [regex of its answer]
//
// Prints {"ready":true,"conversationId":…} once Web Chat is connected (the test then pushes the card), and one
// JSON line with what it saw at the end; exits 1 with the reason when a step fails. With a message (for example
// "schedule every 1m"), it types it once connected, waits for the bot's answer and prints {"said":…,"answer":…}
// (the test then lets time pass until the nudge is due).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const [baseUrl, shots, say, expect] = process.argv.slice(2);
if (!baseUrl || !shots) {
  console.error('usage: node e2e-push.mjs <baseUrl> <screenshotDir>');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await launchChromium();
const seen = {};
const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
const shot = async (name) => page.screenshot({ path: join(shots, `${name}.png`) });

try {
  page.setDefaultTimeout(20000);
  const started = page.waitForResponse((r) => r.request().method() === 'POST' && /\/v3\/directline\/conversations$/.test(r.url()));
  await page.goto(baseUrl + '/');
  const conversation = await (await started).json();
  await page.locator('[data-id="webchat-sendbox-input"]').waitFor();
  console.log(JSON.stringify({ ready: true, conversationId: conversation.conversationId }));

  if (say) {
    await page.locator('[data-id="webchat-sendbox-input"]').fill(say);
    await page.locator('[data-id="webchat-sendbox-input"]').press('Enter');
    const answer = page.getByText(new RegExp(expect ?? '.')).last();
    await answer.waitFor();
    await answer.scrollIntoViewIfNeeded();
    await shot('said');
    // The whole card the answer is on, where it is one.
    const card = answer.locator('xpath=ancestor::*[contains(@class,"ac-adaptiveCard")][1]');
    const text = (await card.count()) > 0 ? await card.innerText() : await answer.innerText();
    console.log(JSON.stringify({ said: say, answer: text.replace(/\s+/g, ' ').slice(0, 800) }));
  }

  const card = page.locator('.ac-adaptiveCard').filter({ hasText: /Time for a .*stretch/ }).last();
  await card.waitFor();
  await card.scrollIntoViewIfNeeded();
  await shot('pushed-card');
  seen.card = (await card.innerText()).replace(/\s+/g, ' ').slice(0, 300);

  const total = Number((await card.locator('text=/Step 1 of \\d+/').first().innerText()).match(/of (\d+)/)[1]);
  for (let step = 1; step < total; step++) {
    await card.locator('button.ac-pushButton:visible', { hasText: 'Next step' }).first().click();
    await card.locator(`text=/Step ${step + 1} of ${total}/`).first().waitFor({ state: 'visible' });
  }
  // The answer to this click is a card that wasn't there before it (an earlier card may match the same words).
  const answers = page.locator('.ac-adaptiveCard').filter({ hasText: 'streak' }).filter({ hasText: 'Done' });
  const before = await answers.count();
  await card.locator('button.ac-pushButton:visible', { hasText: 'Done' }).first().click();
  const confirmation = answers.nth(before);
  await confirmation.waitFor();
  await confirmation.scrollIntoViewIfNeeded();
  await shot('pushed-card-done');
  seen.confirmation = (await confirmation.innerText()).replace(/\s+/g, ' ').slice(0, 300);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await shot('pushed-card-failure').catch(() => {});
  console.log(JSON.stringify({ ok: false, error: String(error && error.message || error), ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
