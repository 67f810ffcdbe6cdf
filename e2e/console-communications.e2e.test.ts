import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, type E2EPortal, launchChromium, SCREENSHOTS, startPortal } from './harness.js';

// An admin writes to the citizens of a district from the console; a citizen registered there finds the
// message in their Message Box.

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.skipIf(!chromiumPath())('messages to citizens in the console', () => {
  let e2e: E2EPortal;
  let browser: Browser;
  beforeAll(async () => {
    [e2e, browser] = await Promise.all([startPortal(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  /** What the citizen's Message Box holds; delivery to an audience runs in the background. */
  async function inboxTitles(token: string) {
    const inbox = await e2e.portal.app.inject({
      method: 'GET',
      url: '/api/v1/inbox',
      headers: bearer(token),
    });
    return (inbox.json().items as { title: string }[]).map((i) => i.title);
  }

  async function signInAdmin(page: import('playwright-core').Page) {
    const admin = await e2e.createStaff({ role: 'admin' });
    await page.goto(`${e2e.url}/console#/`);
    await page.getByLabel('Login').fill(admin.login);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByText('Messages to citizens')
      .click();
    await page.getByRole('heading', { name: 'Messages to citizens', level: 1 }).waitFor();
  }

  it('an admin writes to a district and its citizen has the message in the Message Box', async () => {
    const citizenToken = (await e2e.registerCitizen({ district: 'mardan' })).token;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await signInAdmin(page);

      // Without a title the server refuses, and the refusal is read out.
      await page.getByLabel('Send to').selectOption({ label: 'Citizens of a district' });
      await page.getByLabel('District', { exact: true }).selectOption({ label: 'Mardan' });
      await page.getByRole('button', { name: 'Send message' }).click();
      await page.getByRole('alert').filter({ hasText: /title/i }).waitFor();

      await page.getByLabel('Title (English)').fill('Water supply restored in Mardan');
      await page.getByLabel('Message (English)').fill('The main line is repaired; water runs from today.');
      await page.getByRole('button', { name: 'Send message' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /queued/ })
        .waitFor();

      // The job delivers it in the background; the list then shows it done.
      await expect
        .poll(() => inboxTitles(citizenToken), { timeout: 15_000 })
        .toContain('Water supply restored in Mardan');

      await page.reload();
      const row = page.getByRole('row').filter({ hasText: 'Water supply restored in Mardan' });
      await row.getByText('Citizens of Mardan').waitFor();
      await row.getByText('Delivered to 1 citizen').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'console-communications.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('an admin finds one citizen by the mobile number they gave on the phone, and writes to them', async () => {
    const { token, who } = await e2e.registerCitizen({ district: 'mardan' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await signInAdmin(page);
      await page.getByLabel('Send to').selectOption({ label: 'One citizen' });
      // Typed as people say it, with a space: 0301 2345678.
      const national = `${who.mobile.slice(0, 4)} ${who.mobile.slice(4)}`;
      await page.getByLabel('Find a citizen').fill(national);
      await page.getByLabel('Find a citizen').press('Enter');
      await page.getByRole('button', { name: new RegExp(`^Choose citizen \\d+, ${who.name}$`) }).click();
      await expect.poll(() => page.getByLabel('Citizen id').inputValue()).toMatch(/^\d+$/);
      await page.getByText(`Chosen: ${who.name}`).waitFor();
      await page.getByLabel('Title (English)').fill('About your complaint');
      await page
        .getByLabel('Message (English)')
        .fill('Please call the Mardan office about your water complaint.');
      await page.getByRole('button', { name: 'Send message' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /delivered to 1 citizen|queued/ })
        .waitFor();
      await expect.poll(() => inboxTitles(token), { timeout: 15_000 }).toContain('About your complaint');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'console-find-citizen.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
