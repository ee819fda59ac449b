// The chat in a real browser: a message streams its answer in over SSE with
// tool cards, the task is created, the draft survives an expired session,
// and the page fits a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer, chromiumOptions } from './server.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await chromium.launch(chromiumOptions);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(email, viewport = { width: 1200, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/signup`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'a long enough password');
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.url}/chat`);
  return { context, page, errors };
}

async function send(page, text) {
  await page.fill('[data-testid=composer]', text);
  await page.press('[data-testid=composer]', 'Enter');
}

test('a message gets a streamed answer with a tool card, and the conversation is kept', async () => {
  const { page, errors, context } = await signedIn('dana@example.com');
  await send(page, 'Add a task to buy groceries');
  await page.waitForURL(/\/chat\/\d+$/);
  const answer = page.locator('[data-testid=assistant-message]').last();
  await answer.waitFor();
  assert.match(await answer.textContent(), /Added task #1: Buy groceries\./);
  assert.equal(await page.textContent('[data-testid=tool-card]'), 'Added task #1 · Buy groceries');

  // A second message in the same conversation, sent with HTMX (no page load).
  const url = page.url();
  await send(page, 'Show me all my tasks');
  await page.locator('[data-testid=assistant-message]').nth(1).waitFor();
  assert.equal(page.url(), url);
  assert.equal(await page.inputValue('[data-testid=composer]'), '', 'the composer is cleared');
  assert.match(await page.locator('[data-testid=assistant-message]').nth(1).textContent(), /#1 Buy groceries/);

  await page.reload();
  assert.equal(await page.locator('[data-testid=user-message]').count(), 2);
  assert.equal(await page.locator('[data-testid=conversation-link]').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a draft typed while the session expired is back after signing in again', async () => {
  const { page, errors, context } = await signedIn('erin@example.com');
  await send(page, 'add water the plants');
  await page.locator('[data-testid=assistant-message]').waitFor();
  const conversation = page.url();

  await context.clearCookies();
  await send(page, 'a long draft I do not want to lose');
  const toast = page.locator('.toast');
  await toast.waitFor();
  assert.match(await toast.textContent(), /session expired/i);
  assert.equal(await page.inputValue('[data-testid=composer]'), 'a long draft I do not want to lose');

  // Signing in opens in a new tab, so this page (and its draft) stays as it is.
  const [login] = await Promise.all([context.waitForEvent('page'), toast.locator('a').click()]);
  await login.waitForURL(/\/login\?next=/);
  await login.fill('input[name=email]', 'erin@example.com');
  await login.fill('input[name=password]', 'a long enough password');
  await login.click('button[type=submit]');
  await login.waitForURL(conversation);
  assert.equal(await login.inputValue('[data-testid=composer]'), 'a long draft I do not want to lose');

  // Back on the first tab, sending now works and clears the saved draft.
  await page.press('[data-testid=composer]', 'Enter');
  await page.locator('[data-testid=assistant-message]').nth(1).waitFor();
  await login.reload();
  assert.equal(await login.inputValue('[data-testid=composer]'), '');
  // The 401 itself is logged by Chromium and htmx; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !e.includes('401')), []);
  await context.close();
});

test('the chat fits a phone screen', async () => {
  const { page, errors, context } = await signedIn('fay@example.com', { width: 390, height: 740 });
  await send(page, 'I need to remember to pay bills');
  await page.locator('[data-testid=assistant-message]').waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px too wide)`);
  const composer = await page.locator('[data-testid=composer]').boundingBox();
  assert.ok(composer.y + composer.height <= 740, 'the composer is on screen');
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/chat-phone.png` });
  assert.deepEqual(errors, []);
  await context.close();
});
