// The tasks page in a real browser: add, edit in place, complete, filter and
// delete without a page load, and a task added in the chat showing up.
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

test('tasks are added, edited, completed, filtered and deleted in place', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 740 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/signup`);
  await page.fill('input[name=email]', 'gil@example.com');
  await page.fill('input[name=password]', 'a long enough password');
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.url}/chat`);

  // A task from the chat is on the tasks page.
  await page.fill('[data-testid=composer]', 'Add a task to buy groceries');
  await page.press('[data-testid=composer]', 'Enter');
  await page.locator('[data-testid=assistant-message]').waitFor();
  await page.click('[data-testid=nav-tasks]');
  await page.waitForURL(`${server.url}/tasks`);
  assert.deepEqual(await page.locator('[data-testid=task-title]').allTextContents(), ['Buy groceries']);

  // Every change below happens without a page load: this marker would vanish.
  await page.evaluate(() => { window.stillHere = true; });

  await page.fill('[data-testid=new-title]', 'Pay bills');
  await page.click('[data-testid=add]');
  await page.locator('[data-testid=task-title]', { hasText: 'Pay bills' }).waitFor();
  assert.equal(await page.inputValue('[data-testid=new-title]'), '', 'the form is cleared');
  assert.match(await page.textContent('[data-testid=filter-pending]'), /2/);

  const bills = page.locator('[data-testid=task]', { hasText: 'Pay bills' });
  await bills.locator('[data-testid=edit]').click();
  await page.fill('[data-testid=edit-title]', 'Pay the electricity bill');
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=task-title]', { hasText: 'Pay the electricity bill' }).waitFor();

  await page.locator('[data-testid=task]', { hasText: 'Buy groceries' }).locator('[data-testid=toggle]').click();
  await page.locator('[data-testid=task].done').waitFor();
  await page.click('[data-testid=filter-completed]');
  await page.waitForURL(/status=completed/);
  assert.deepEqual(await page.locator('[data-testid=task-title]').allTextContents(), ['Buy groceries']);

  await page.click('[data-testid=filter-all]');
  await page.waitForURL(/status=all/);
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('[data-testid=task]', { hasText: 'electricity' }).locator('[data-testid=delete]').click();
  await page.locator('[data-testid=task]', { hasText: 'electricity' }).waitFor({ state: 'detached' });
  assert.equal(await page.locator('[data-testid=task]').count(), 1);

  assert.equal(await page.evaluate(() => window.stillHere), true, 'no full page load');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/tasks-phone.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
