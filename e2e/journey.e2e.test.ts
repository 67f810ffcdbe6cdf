import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chromiumPath,
  type E2EPortal,
  launchChromium,
  newIdentity,
  phoneContext,
  SCREENSHOTS,
  startPortal,
} from './harness.js';

const photo = (color: string) =>
  sharp({ create: { width: 1200, height: 900, channels: 3, background: color } })
    .jpeg()
    .toBuffer();

/**
 * The whole loop in two browsers: a citizen files a complaint on the phone, an officer resolves it with
 * evidence in the console, and the citizen sees the new status and the Message Box item arrive live, and
 * confirms that the problem is solved.
 */
describe.skipIf(!chromiumPath())('a complaint from the phone to the console and back', () => {
  let portal: E2EPortal;
  let browser: Browser;
  beforeAll(async () => {
    [portal, browser] = await Promise.all([startPortal(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  async function citizenFiles(page: Page): Promise<string> {
    const who = newIdentity();
    await page.goto('/');
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('link', { name: 'Register', exact: true }).click();
    await page.getByLabel('Full name', { exact: true }).fill(who.name);
    await page.getByLabel('CNIC', { exact: true }).fill(who.cnic);
    await page.getByLabel('Mobile number', { exact: true }).fill(who.mobile);
    await page.getByLabel('District', { exact: true }).selectOption({ label: 'Peshawar' });
    await page.getByLabel('Password', { exact: true }).fill(who.password);
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByLabel('Code', { exact: true }).fill(await portal.smsCode(who.mobile));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();

    await page.getByRole('link', { name: 'New complaint' }).first().click();
    await page.getByLabel('Search categories').fill('pothole');
    await page.getByRole('button', { name: /Potholes/ }).click();
    await page.getByLabel('Describe the problem').fill('Two deep potholes at the Hashtnagri crossing.');
    await page.getByTestId('photo-input').setInputFiles({
      name: 'road.jpg',
      mimeType: 'image/jpeg',
      buffer: await photo('#6b5a45'),
    });
    await page.getByRole('img', { name: 'Photo 1' }).waitFor();
    await page.getByRole('button', { name: /Next/ }).click();
    await expect.poll(() => page.getByTestId('location-district').textContent()).toBe('Peshawar');
    await page.getByRole('button', { name: /Next/ }).click();
    await page.getByLabel(/I confirm that this complaint is true/).check();
    await page.getByRole('button', { name: 'Submit complaint' }).click();
    const received = page.getByText('Your complaint was received');
    await received.waitFor();
    return (await received.textContent())!.match(/KP-\d{4}-\d+/)![0];
  }

  it('is filed by a citizen, resolved with evidence by an officer, and confirmed by the citizen', async () => {
    const phone = await phoneContext(browser, portal.url);
    const citizen = await phone.newPage();
    const tracking = await citizenFiles(citizen);
    await citizen.getByRole('link', { name: 'Follow your complaint' }).click();
    await citizen.getByRole('heading', { name: `Complaint ${tracking}` }).waitFor();
    const complaintId = Number(new URL(citizen.url()).pathname.split('/').pop());

    // The officer of the office it was routed to: roads in Peshawar.
    const filed = await (await citizen.request.get(`/api/v1/complaints/${complaintId}`)).json();
    expect(filed.office.name).toMatch(/Peshawar/);
    const officer = await portal.createStaff({
      role: 'officer',
      department: filed.department.code,
      districts: ['peshawar'],
    });

    const desk = await browser.newContext({ baseURL: portal.url, viewport: { width: 1280, height: 800 } });
    desk.setDefaultTimeout(20_000);
    const console_ = await desk.newPage();
    await console_.goto(`/console#/complaints/${complaintId}`);
    await console_.getByLabel('Login').fill(officer.login);
    await console_.getByLabel('Password').fill(officer.password);
    await console_.getByRole('button', { name: 'Sign in' }).click();
    await console_.getByRole('heading', { name: new RegExp(tracking) }).waitFor();
    await console_.getByRole('button', { name: 'Start work' }).click();
    await console_.getByRole('status').filter({ hasText: 'Work started' }).waitFor();

    // The citizen's Message Box count goes up live while the page stays open.
    await citizen.goto('/');
    const badge = citizen.locator('.topbar .badge');
    await badge.waitFor();
    const count = async () => Number(await badge.getAttribute('data-count'));
    const before = await count();

    await console_.getByRole('button', { name: 'Resolve', exact: true }).click();
    await console_.getByLabel(/Report of the action taken/).fill('Both potholes filled and compacted today.');
    await console_.getByLabel('Evidence photos').setInputFiles({
      name: 'after.jpg',
      mimeType: 'image/jpeg',
      buffer: await photo('#4a4a4a'),
    });
    await console_.getByRole('button', { name: 'Resolve with this report' }).click();
    await console_.getByRole('status').filter({ hasText: 'Resolved' }).waitFor();
    await console_.screenshot({ path: path.join(SCREENSHOTS, 'journey-console-resolved.png') });

    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(before);
    await citizen.screenshot({ path: path.join(SCREENSHOTS, 'journey-badge.png') });
    await citizen
      .getByRole('link', { name: /Message Box/ })
      .first()
      .click();
    const item = citizen.locator('.card--unread').filter({ hasText: tracking }).first();
    await item.waitFor();
    await citizen.screenshot({ path: path.join(SCREENSHOTS, 'journey-inbox.png') });
    await item.getByRole('button').click();

    await citizen.getByRole('heading', { name: `Complaint ${tracking}` }).waitFor();
    await citizen.getByText('Resolved', { exact: true }).first().waitFor();
    await citizen.getByText('Both potholes filled and compacted today.').waitFor();
    // The officer's evidence photo is on the citizen's page too.
    await expect.poll(() => citizen.getByRole('img', { name: 'Photo of the problem' }).count()).toBe(2);
    await citizen.screenshot({ path: path.join(SCREENSHOTS, 'journey-resolved.png'), fullPage: true });

    await citizen.getByRole('radio', { name: '5' }).check();
    await citizen.getByRole('button', { name: 'Yes, it is solved' }).click();
    await citizen.getByText('Thank you for confirming.').waitFor();
    await citizen.getByText('Closed', { exact: true }).first().waitFor();
    const final = await (await citizen.request.get(`/api/v1/complaints/${complaintId}`)).json();
    expect(final.status).toBe('closed');
    expect(final.feedback).toMatchObject({ satisfied: true, rating: 5 });
    await desk.close();
    await phone.close();
  });
});
