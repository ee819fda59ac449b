// Signing up, in and out in a real browser: redirects, cookies, the CSP and
// two devices with separate sessions.
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

/** A fresh browser profile (its own cookies) that records console errors, CSP violations included. */
async function device() {
  const context = await browser.newContext({ viewport: { width: 390, height: 740 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  return { context, page, errors };
}

test('a new person signs up, stays signed in across reloads, and signs out', async () => {
  const { page, errors, context } = await device();

  await page.goto(`${server.url}/`);
  assert.match(page.url(), /\/login\?next=%2F$/);

  await page.click('text=Create an account');
  await page.fill('input[name=name]', 'Alice');
  await page.fill('input[name=email]', 'Alice@Example.com');
  await page.fill('input[name=password]', 'a long enough password');
  await page.click('button[type=submit]');

  await page.waitForURL(`${server.url}/chat`);
  assert.equal(await page.textContent("h1"), "What needs doing?");
  assert.equal(await page.textContent('[data-testid=signed-in-email]'), 'alice@example.com');
  const cookie = (await context.cookies()).find((c) => c.name === 'tasktalk_session');
  assert.ok(cookie.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(cookie.sameSite, 'Lax');
  assert.ok(cookie.expires > Date.now() / 1000 + 6 * 86400, 'the cookie outlives the browser');

  await page.reload();
  assert.equal(await page.textContent('[data-testid=signed-in-email]'), 'alice@example.com');

  await page.click('nav button[type=submit]');
  await page.waitForURL(/\/login$/);
  await page.goto(`${server.url}/`);
  assert.match(page.url(), /\/login\?next=/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong password is explained and the email is kept', async () => {
  const { page, errors, context } = await device();
  await page.goto(`${server.url}/signup`);
  await page.fill('input[name=email]', 'bob@example.com');
  await page.fill('input[name=password]', 'bobs real password');
  await page.click('button[type=submit]');
  await page.waitForURL(`${server.url}/chat`);
  await page.click('nav button[type=submit]');
  await page.waitForURL(/\/login$/);

  await page.fill('input[name=email]', 'bob@example.com');
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');

  assert.equal(await page.textContent('.error'), 'Invalid email or password');
  assert.equal(await page.inputValue('input[name=email]'), 'bob@example.com');
  // The page itself answers 401, which Chromium logs; nothing else may fail.
  assert.deepEqual(errors.filter((e) => !e.includes('status of 401')), []);
  await context.close();
});

test('two devices have their own sessions: signing out on one leaves the other', async () => {
  const laptop = await device();
  const phone = await device();
  await laptop.page.goto(`${server.url}/signup`);
  await laptop.page.fill('input[name=email]', 'carol@example.com');
  await laptop.page.fill('input[name=password]', 'carols password');
  await laptop.page.click('button[type=submit]');
  await laptop.page.waitForURL(`${server.url}/chat`);

  await phone.page.goto(`${server.url}/login?next=%2F`);
  await phone.page.fill('input[name=email]', 'carol@example.com');
  await phone.page.fill('input[name=password]', 'carols password');
  await phone.page.click('button[type=submit]');
  await phone.page.waitForURL(`${server.url}/chat`);

  await laptop.page.click('nav button[type=submit]');
  await laptop.page.waitForURL(/\/login$/);

  await phone.page.reload();
  assert.equal(await phone.page.textContent('[data-testid=signed-in-email]'), 'carol@example.com');
  assert.deepEqual([...laptop.errors, ...phone.errors], []);
  await laptop.context.close();
  await phone.context.close();
});
