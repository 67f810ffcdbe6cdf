import path from 'node:path';
import type { InjectOptions } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audio, jpeg, video } from '../server/test/media-samples.js';
import { chromiumPath, type E2EPortal, launchChromium, SCREENSHOTS, startPortal } from './harness.js';

// The officers' console in Chromium at desk size: an officer works a complaint from the queue to its
// resolution, a supervisor notes and forwards one, an admin verifies the audit chain, and an officer of
// another department cannot open a complaint outside their scope.

const DESK = { width: 1280, height: 800 };
const TILE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="#e4ecd8" stroke="#b8c4a8"/></svg>';
const shot = (name: string) => path.join(SCREENSHOTS, `console-${name}.png`);

/** A copy in a plain ArrayBuffer, as the DOM's Blob wants it. */
const blob = (bytes: Buffer, type: string) => new Blob([new Uint8Array(bytes)], { type });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

type Staff = { login: string; password: string };

describe.skipIf(!chromiumPath())('officers’ console', () => {
  let e2e: E2EPortal;
  let browser: Browser;
  let baseUrl: string;
  let citizenToken: string;
  let adminToken: string;
  let officer: Staff;
  let supervisor: Staff;
  let admin: Staff;
  let policeOfficer: Staff;

  const inject = (options: InjectOptions) => e2e.portal.app.inject(options);

  async function staffToken(who: Staff): Promise<string> {
    const res = await inject({ method: 'POST', url: '/api/v1/staff/auth/login', payload: who });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().token as string;
  }

  beforeAll(async () => {
    e2e = await startPortal();
    baseUrl = e2e.url;
    browser = await launchChromium();
    citizenToken = (await e2e.registerCitizen({ district: 'peshawar', name: 'Amina Khan' })).token;
    officer = await e2e.createStaff({ role: 'officer', department: 'phe', districts: ['peshawar'] });
    supervisor = await e2e.createStaff({ role: 'supervisor', department: 'phe' });
    admin = await e2e.createStaff({ role: 'admin' });
    policeOfficer = await e2e.createStaff({ role: 'officer', department: 'police', districts: ['peshawar'] });
    adminToken = await staffToken(admin);
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
  });

  /** A desk: a wide window in a fresh browser context, so each person's cookies are their own. */
  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: DESK, locale: 'en-PK' });
    context.setDefaultTimeout(20_000);
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('page error:', err.message));
    return page;
  }

  /** A complaint as a citizen files it from the app: a form with a photo and the phone's GPS point. */
  async function fileComplaint(description: string, color = '#3070c0', withRecordings = false) {
    const category = (await e2e.portal.app.services.geo.categories()).find(
      (c) => c.code === 'water-supply-no-water',
    )!;
    const form = new FormData();
    form.set('category', String(category.id));
    form.set('description', description);
    form.set('lat', '34.0151');
    form.set('lng', '71.5249');
    form.set('accuracy', '8');
    form.set('consent', 'true');
    form.append('media', blob(await jpeg(800, 600, color), 'image/jpeg'), 'street.jpg');
    if (withRecordings) {
      form.append('media', blob(audio.m4a(), 'audio/mp4'), 'voice.m4a');
      form.append('media', blob(video.mp4(), 'video/mp4'), 'clip.mp4');
    }
    const request = new Request('http://portal.test/api/v1/complaints', { method: 'POST', body: form });
    const res = await inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(citizenToken), 'content-type': request.headers.get('content-type')! },
      payload: Buffer.from(await request.arrayBuffer()),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: number; trackingNumber: string };
  }

  async function staffView(id: number) {
    const res = await inject({
      method: 'GET',
      url: `/api/v1/staff/complaints/${id}`,
      headers: bearer(adminToken),
    });
    return res.json();
  }

  async function signIn(page: Page, who: Staff, hash = '', tiles = false) {
    await page.goto(`${baseUrl}/console${hash}`);
    if (tiles) {
      // A tile server of our own, named in the runtime settings the console reads at sign-in.
      await page.route('**/tiles/**', (route) =>
        route.fulfill({ status: 200, contentType: 'image/svg+xml', body: TILE }),
      );
      await page.route('**/app-config.json', (route) =>
        route.fulfill({ json: { mapTileUrl: '/tiles/{z}/{x}/{y}.svg', mapAttribution: 'test tiles' } }),
      );
    }
    await page.getByLabel('Login').fill(who.login);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
  }

  it('an officer filters the queue, opens a complaint with its photo, starts work and resolves it with evidence', async () => {
    const complaint = await fileComplaint(
      'No water in Gulbahar street for three days; the main line is broken.',
      '#3070c0',
      true,
    );
    const other = await fileComplaint('Tube well pump in Hayatabad phase 3 has stopped working.', '#c07030');
    const page = await newPage();

    await signIn(page, officer, '', true);
    // Both are in the Peshawar water office's queue; the search narrows it to one.
    const rows = page.locator('a.row');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: /^Assigned/ }).click();
    await expect.poll(() => page.locator('a.row .badge.status-assigned').count()).toBe(await rows.count());
    await page.keyboard.press('/');
    await page.keyboard.type(complaint.trackingNumber);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().textContent()).toContain(complaint.trackingNumber);
    await page.screenshot({ path: shot('queue-filtered') });

    // Keyboard: j moves onto the row, Enter opens it.
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: new RegExp(complaint.trackingNumber) }).waitFor();
    const photo = page.getByRole('img', { name: 'Attachment 1' });
    await expect
      .poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    await expect.poll(() => page.getByText('34.015100, 71.524900').count()).toBe(1);
    // Leaflet came in lazily and drew the point on the tiles.
    await page.locator('.leaflet-container path.leaflet-interactive').first().waitFor();
    await page.locator('.leaflet-tile-loaded').first().waitFor();
    // The voice note and the video have players whose source answers range requests (seeking).
    const player = page.getByLabel('Attachment 2 (voice note)');
    const src = await player.getAttribute('src');
    expect(await page.getByLabel('Attachment 3 (video)').getAttribute('src')).toMatch(
      /^\/api\/v1\/media\/\d+$/,
    );
    const ranged = await page.evaluate(async (url) => {
      const res = await fetch(url!, { headers: { range: 'bytes=0-99' } });
      return { status: res.status, bytes: (await res.arrayBuffer()).byteLength };
    }, src);
    expect(ranged).toEqual({ status: 206, bytes: 100 });
    // The complainant is shown to the officer in scope.
    await expect
      .poll(() => page.getByRole('region', { name: 'Complainant' }).textContent())
      .toContain('Amina Khan');
    await page.screenshot({ path: shot('complaint') });

    await page.getByRole('button', { name: 'Start work' }).click();
    await page.getByRole('status').filter({ hasText: 'Work started' }).waitFor();
    expect((await staffView(complaint.id)).status).toBe('in_progress');

    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page
      .getByLabel(/Report of the action taken/)
      .fill('Replaced the broken main; water is back since this morning.');
    await page.getByLabel('Evidence photos').setInputFiles({
      name: 'after.jpg',
      mimeType: 'image/jpeg',
      buffer: await jpeg(640, 480, '#208020'),
    });
    await page.getByRole('button', { name: 'Resolve with this report' }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved' }).waitFor();
    const evidence = page.locator('.event-resolved img');
    await expect
      .poll(() => evidence.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    await page.screenshot({ path: shot('resolved') });

    const resolved = await staffView(complaint.id);
    expect(resolved.status).toBe('resolved');
    const report = resolved.timeline.find((e: { type: string }) => e.type === 'resolved');
    expect(report.message).toContain('Replaced the broken main');
    expect(resolved.media.filter((m: { eventId: number }) => m.eventId === report.id)).toHaveLength(1);
    // The other complaint was not touched.
    expect((await staffView(other.id)).status).toBe('assigned');

    await page.getByRole('link', { name: /Back to the queue/ }).click();
    await page.context().close();
  });

  it('a supervisor adds an internal note and forwards; an admin verifies the audit chain', async () => {
    const complaint = await fileComplaint('Sewage water mixing with drinking water in Kohat Road.');
    const page = await newPage();
    await signIn(page, supervisor, `#/complaints/${complaint.id}`);
    await page.getByRole('heading', { name: new RegExp(complaint.trackingNumber) }).waitFor();

    await page.getByRole('button', { name: 'Add note' }).click();
    await page
      .getByRole('textbox', { name: 'Internal note (staff only)' })
      .fill('Lab sample taken; waiting for the result.');
    await page.getByRole('button', { name: 'Save note' }).click();
    await page.getByRole('status').filter({ hasText: 'Note added' }).waitFor();
    const internal = page.getByRole('region', { name: 'Internal notes and events' });
    await expect.poll(() => internal.textContent()).toContain('Lab sample taken');
    const publicTimeline = page.getByRole('region', { name: 'Public timeline' });
    expect(await publicTimeline.textContent()).not.toContain('Lab sample taken');

    // A refusal from the API is read out: a forward without a reason the server accepts.
    await page.getByRole('button', { name: 'Forward', exact: true }).click();
    await page.getByLabel('Department', { exact: true }).selectOption({ label: 'Public Health Engineering' });
    await page.getByLabel(/Reason for forwarding/).fill('Same office, on purpose.');
    await page.getByRole('button', { name: 'Forward complaint' }).click();
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringContaining('already with this office'));
    await page.screenshot({ path: shot('forward-refused') });

    await page.getByLabel('Department', { exact: true }).selectOption({ label: 'Local Government & TMAs' });
    await page.getByLabel(/Reason for forwarding/).fill('The sewer line belongs to the TMA.');
    await page.getByRole('button', { name: 'Forward complaint' }).click();
    await page.getByText('It is no longer in your queue').waitFor();
    const forwarded = await staffView(complaint.id);
    expect(forwarded.office.code).toBe('local-government.peshawar');
    await page.context().close();

    const adminPage = await newPage();
    await signIn(adminPage, admin, `#/complaints/${complaint.id}`);
    await adminPage.getByRole('heading', { name: new RegExp(complaint.trackingNumber) }).waitFor();
    await expect
      .poll(() => adminPage.getByRole('region', { name: 'Offices it passed through' }).textContent())
      .toContain('Local Government');
    await adminPage.screenshot({ path: shot('admin-complaint') });
    await adminPage.getByRole('link', { name: 'Audit log' }).click();
    await adminPage.getByRole('button', { name: 'Verify the audit chain' }).click();
    await adminPage.getByText(/The chain is intact: \d+ entries checked/).waitFor();
    await expect.poll(() => adminPage.locator('table.audit').textContent()).toContain('complaint.forwarded');
    await adminPage.screenshot({ path: shot('audit') });
    await adminPage.context().close();
  });

  it('an officer of another department sees neither the complaint in the queue nor its page', async () => {
    const complaint = await fileComplaint('Water tanker never came to Board Bazaar.');
    const page = await newPage();
    await signIn(page, policeOfficer);
    await page.getByLabel('Search').fill(complaint.trackingNumber);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No complaints match these filters.').waitFor();

    await page.goto(`${baseUrl}/console#/complaints/${complaint.id}`);
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toContainEqual(expect.stringContaining('The complaint was not found'));
    expect(await page.getByText('Amina Khan').count()).toBe(0);
    await page.screenshot({ path: shot('out-of-scope') });
    // Nor can the admin screens be reached by an officer.
    expect(await page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    await page.context().close();
  });

  it('an admin adds a category with its SLA and an officer account; the new officer signs in', async () => {
    const page = await newPage();
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Categories', exact: true }).click();
    const category = page.getByRole('form', { name: 'Add a category' });
    await category.getByLabel('Department').selectOption({ label: 'Public Health Engineering' });
    await category.getByLabel('Group').selectOption({ label: 'Water supply' });
    await category.getByLabel('SLA (days to resolve)').fill('4');
    await category.getByLabel('Code', { exact: true }).fill('water-supply-low-pressure');
    await category.getByLabel('Name (English)').fill('Low water pressure');
    await category.getByLabel('Name (Urdu)').fill('پانی کا کم دباؤ');
    await category.getByLabel('Name (Pashto)').fill('د اوبو کم فشار');
    await category.getByLabel('Search words').fill('Pressure, kam pani، نلکا');
    await category.getByRole('button', { name: 'Add category' }).click();
    await page.getByRole('status').filter({ hasText: 'Category “Low water pressure” added.' }).waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: /Public Health Engineering/ }).textContent())
      .toContain('Low water pressure');
    await page.screenshot({ path: shot('reference'), fullPage: false });
    const offered = (await inject({ method: 'GET', url: '/api/v1/categories' })).json();
    const created = offered.find((c: { code: string }) => c.code === 'water-supply-low-pressure');
    const group = offered.find((c: { code: string }) => c.code === 'water-supply');
    expect(created).toMatchObject({
      slaDays: 4,
      parentId: group.id,
      departmentId: group.departmentId,
      keywords: ['pressure', 'kam pani', 'نلکا'],
    });

    await page.getByRole('link', { name: 'Staff', exact: true }).click();
    const account = page.getByRole('form', { name: 'New staff account' });
    await account.getByLabel('Login').fill('bilal.phe');
    await account.getByLabel('Full name').fill('Bilal Ahmad');
    await account.getByLabel('Password').fill('officer passphrase 1');
    await account.getByLabel('Role').selectOption({ label: 'Officer' });
    await account.getByLabel('Department').selectOption({ label: 'Public Health Engineering' });
    await account.getByLabel('Districts').selectOption([{ label: 'Peshawar' }]);
    await account.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status').filter({ hasText: 'Account “bilal.phe” created' }).waitFor();
    await expect.poll(() => page.locator('table').textContent()).toContain('Bilal Ahmad');
    // Edited in place: the name, then a new password (Cancel first leaves the form unsent).
    await page.getByRole('button', { name: 'Edit bilal.phe' }).click();
    const edit = page.getByRole('form', { name: 'Edit bilal.phe' });
    await edit.getByLabel('Full name').fill('Bilal Ahmad Khan');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Account “bilal.phe” saved.' }).waitFor();
    await expect.poll(() => page.locator('table').textContent()).toContain('Bilal Ahmad Khan');
    await page.getByRole('button', { name: 'Reset password of bilal.phe' }).click();
    await page
      .getByRole('form', { name: 'New password for bilal.phe' })
      .getByRole('button', { name: 'Cancel' })
      .click();
    expect(await page.getByRole('form', { name: 'New password for bilal.phe' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Reset password of bilal.phe' }).click();
    const reset = page.getByRole('form', { name: 'New password for bilal.phe' });
    await reset.getByLabel('New password').fill('officer passphrase 2');
    await reset.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('status').filter({ hasText: 'New password set for “bilal.phe”' }).waitFor();
    await page.screenshot({ path: shot('staff') });
    await page.context().close();

    const officerPage = await newPage();
    await signIn(officerPage, { login: 'bilal.phe', password: 'officer passphrase 2' });
    await expect.poll(() => officerPage.locator('.who').textContent()).toContain('Bilal Ahmad Khan');
    // The new category is in the officer's filters; the admin screens are not in their menu.
    await expect
      .poll(() =>
        officerPage.getByLabel('Category').locator('option', { hasText: 'Low water pressure' }).count(),
      )
      .toBe(1);
    expect(await officerPage.getByRole('link', { name: 'Staff', exact: true }).count()).toBe(0);
    await officerPage.context().close();

    const audit = await inject({
      method: 'GET',
      url: '/api/v1/staff/audit?limit=20',
      headers: bearer(adminToken),
    });
    const actions = audit.json().items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['category.create', 'staff.create']));
  });
});
