import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPushService, type TestPushService } from '../server/test/push-service.js';
import {
  chromiumPath,
  type E2EPortal,
  launchChromium,
  newIdentity,
  phoneContext,
  SCREENSHOTS,
  startPortal,
} from './harness.js';

const TILE =
  '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" fill="#e4ecd8" stroke="#b8c4a8"/></svg>';

/** A camera-sized JPEG, so the phone-side resize has something to do. */
const cameraPhoto = () =>
  sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#8a6d3b' } })
    .jpeg({ quality: 90 })
    .toBuffer();

async function chooseLanguage(page: Page, name: 'English' | 'اردو' | 'پښتو') {
  await page.goto('/');
  await page.getByRole('button', { name, exact: true }).click();
}

/** Registers through the screens and verifies with the code from the SMS outbox; ends on the home screen. */
async function registerCitizen(page: Page, portal: E2EPortal) {
  const who = newIdentity();
  await chooseLanguage(page, 'English');
  await page.getByRole('link', { name: 'Register', exact: true }).click();
  await page.getByLabel('Full name', { exact: true }).fill(who.name);
  await page.getByLabel('CNIC', { exact: true }).fill(who.cnic);
  await page.getByLabel('Mobile number', { exact: true }).fill(who.mobile);
  await page.getByLabel('District', { exact: true }).selectOption({ label: 'Peshawar' });
  await page.getByLabel('Email', { exact: true }).fill(`citizen${Date.now()}@example.org`);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Register', exact: true }).click();

  await expect.poll(() => page.getByRole('button', { name: 'Verify', exact: true }).isVisible()).toBe(true);
  // The resend timer and the email fallback are on screen from the start.
  await expect.poll(() => page.getByText(/You can ask for a new code in \d:\d\d/).isVisible()).toBe(true);
  expect(await page.getByRole('button', { name: 'Send the code by email' }).isVisible()).toBe(true);

  await page.getByLabel('Code', { exact: true }).fill(await portal.smsCode(who.mobile));
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await page.getByRole('heading', { name: `Hello, ${who.name}` }).waitFor();
  return who;
}

/** Category, description and (optionally) a photo; leaves the flow on the location step. */
async function composeComplaint(page: Page, text: string, photo?: Buffer) {
  await page.getByRole('link', { name: 'New complaint' }).first().click();
  await page.getByLabel('Search categories').fill('pothole');
  await page.getByRole('button', { name: /Potholes/ }).click();
  await page.getByLabel('Describe the problem').fill(text);
  if (photo) {
    await page
      .getByTestId('photo-input')
      .setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.getByRole('img', { name: 'Photo 1' }).waitFor();
  }
}

/** Past the review step's offer of similar complaints nearby, when there are any, to the consent. */
async function continuePastNearby(page: Page) {
  const consent = page.getByLabel(/I confirm that this complaint is true/);
  const different = page.getByRole('button', { name: 'My problem is different: continue' });
  await consent.or(different).waitFor();
  if (await different.isVisible()) {
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-nearby.png'), fullPage: true });
    await different.click();
  }
  await consent.check();
}

/** Waits for the service worker to be active, failing after a while instead of hanging the run. */
async function serviceWorkerReady(page: Page) {
  await page.evaluate(() =>
    Promise.race([
      navigator.serviceWorker.ready,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no active service worker')), 15_000)),
    ]),
  );
}

describe.skipIf(!chromiumPath())('the citizen app in Chromium', () => {
  let portal: E2EPortal;
  let browser: Browser;
  let pushService: TestPushService;
  beforeAll(async () => {
    pushService = await startPushService();
    [portal, browser] = await Promise.all([
      startPortal({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true' }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await pushService?.close();
  });

  let context: BrowserContext;
  afterAll(async () => context?.close());

  it('registers with the SMS code and files a complaint with a photo, a voice note and the GPS point', async () => {
    context = await phoneContext(browser, portal.url);
    const page = await context.newPage();
    const fonts: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('.woff2')) fonts.push(r.url());
    });
    await registerCitizen(page, portal);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-home.png') });

    await composeComplaint(page, 'Deep pothole in front of the Khyber Bazaar mosque.', await cameraPhoto());
    await page.getByRole('button', { name: 'Record a voice note' }).click();
    await page.getByRole('button', { name: 'Start recording' }).click();
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Stop' }).click();
    // Played back before it is attached.
    await page.getByLabel('Your voice note').waitFor();
    expect(await page.getByLabel('Your voice note').evaluate((a: HTMLAudioElement) => a.src)).toMatch(
      /^blob:/,
    );
    await page.getByRole('button', { name: 'Attach' }).click();
    await page.route('**/app-config.json', (route) =>
      route.fulfill({ json: { mapTileUrl: '/tiles/{z}/{x}/{y}.svg', mapAttribution: 'test tiles' } }),
    );
    await page.route('**/tiles/**', (route) => route.fulfill({ contentType: 'image/svg+xml', body: TILE }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-details.png'), fullPage: true });
    await page.getByRole('button', { name: /Next/ }).click();

    const facts = page.getByTestId('location-facts');
    await expect.poll(() => facts.textContent()).toContain('34.01510, 71.52490');
    await expect.poll(() => page.getByTestId('location-district').textContent()).toBe('Peshawar');
    // Leaflet arrived lazily on this step, with the tile server from the runtime settings; the citizen
    // drags the pin a little east, and the coordinates follow.
    const pin = page.locator('.leaflet-marker-icon');
    await pin.waitFor();
    await page.locator('.leaflet-tile-loaded').first().waitFor();
    const at = (await pin.boundingBox())!;
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
    await page.mouse.down();
    await page.mouse.move(at.x + at.width / 2 + 30, at.y + at.height / 2, { steps: 5 });
    await page.mouse.move(at.x + at.width / 2 + 60, at.y + at.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => facts.textContent()).not.toContain('71.52490');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-location.png') });
    await page.getByRole('button', { name: /Next/ }).click();

    await page.getByLabel(/I confirm that this complaint is true/).check();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-review.png'), fullPage: true });
    await page.getByRole('button', { name: 'Submit complaint' }).click();
    await page.getByText('Your complaint was received').waitFor();

    const mine = await (await page.request.get('/api/v1/complaints')).json();
    expect(mine.items).toHaveLength(1);
    const complaint = await (await page.request.get(`/api/v1/complaints/${mine.items[0].id}`)).json();
    expect(complaint.location.lat).toBeCloseTo(34.0151, 4);
    // Moved east by the drag: a few tens of metres at zoom 17.
    expect(complaint.location.lng).toBeGreaterThan(71.5249);
    expect(complaint.location.lng).toBeLessThan(71.53);
    expect(complaint.district.name).toBe('Peshawar');
    const kinds = complaint.media.map((m: { kind: string }) => m.kind).sort();
    expect(kinds).toHaveLength(2);
    expect(kinds[0]).toBe('photo');
    // Chromium records WebM, which the portal files with its video container type; it is the voice note.
    expect(['audio', 'video']).toContain(kinds[1]);
    const photo = complaint.media.find((m: { kind: string }) => m.kind === 'photo');
    const stored = await (await page.request.get(photo.url)).body();
    const meta = await sharp(stored).metadata();
    // Resized on the phone: the long edge is at most 1600 pixels.
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1600);

    await page.getByRole('link', { name: 'Follow your complaint' }).click();
    await page.getByRole('heading', { name: /Complaint KP-/ }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'en-complaint.png'), fullPage: true });
    // The Naskh font is for Urdu and Pashto: an English reader never downloads it.
    expect(fonts).toEqual([]);
  });

  it('lays Urdu out right to left in a Naskh font and accepts Urdu digits in the CNIC and mobile fields', async () => {
    const urdu = await phoneContext(browser, portal.url);
    try {
      const page = await urdu.newPage();
      await chooseLanguage(page, 'اردو');
      await page.getByRole('heading', { name: 'لاگ اِن' }).waitFor();
      expect(
        await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang]),
      ).toEqual(['rtl', 'ur']);
      await page.getByRole('link', { name: 'رجسٹر کریں' }).click();
      const who = newIdentity();
      const toUrdu = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
      await page.getByLabel('پورا نام', { exact: true }).fill('عائشہ خان');
      await page.getByLabel('شناختی کارڈ نمبر', { exact: true }).fill(toUrdu(who.cnic));
      await page.getByLabel('موبائل نمبر', { exact: true }).fill(toUrdu(who.mobile));
      await page.getByLabel('ضلع', { exact: true }).selectOption({ label: 'پشاور' });
      await page.getByLabel('پاس ورڈ', { exact: true }).fill(who.password);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ur-register.png'), fullPage: true });
      await page.getByRole('button', { name: 'رجسٹر کریں', exact: true }).click();

      await page.getByRole('button', { name: 'تصدیق کریں', exact: true }).waitFor();
      const code = await portal.smsCode(who.mobile);
      await page.getByLabel('کوڈ', { exact: true }).fill(toUrdu(code));
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ur-verify.png') });
      await page.getByRole('button', { name: 'تصدیق کریں', exact: true }).click();
      await page.getByRole('heading', { name: 'السلام علیکم، عائشہ خان' }).waitFor();

      // The Naskh face is loaded, and it draws Pashto's own letters too.
      await page.evaluate(() => document.fonts.ready);
      const naskh = await page.evaluate(() =>
        [...document.fonts].filter((f) => f.family.includes('Noto Naskh Arabic')).map((f) => f.status),
      );
      expect(naskh).toContain('loaded');
      expect(
        await page.evaluate(() => document.fonts.check('16px "Noto Naskh Arabic"', 'ټ ځ ډ ړ ږ ښ ګ ڼ ې')),
      ).toBe(true);
      // Start-aligned text sits on the right: the page is mirrored, not just translated.
      const heading = await page.getByRole('heading', { level: 1 }).boundingBox();
      expect(heading!.x + heading!.width).toBeGreaterThan(390 - 40);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ur-home.png') });

      await page.getByRole('link', { name: 'نئی شکایت' }).first().click();
      await page.getByLabel('زمرے تلاش کریں').fill('گڑھے');
      await page.getByRole('button', { name: /سڑک میں گڑھے/ }).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ur-category.png') });

      await page.goto('/profile');
      await page.getByRole('button', { name: 'پښتو' }).click();
      await page.getByRole('heading', { name: 'پروفایل' }).waitFor();
      expect(
        await page.evaluate(() => [document.documentElement.dir, document.documentElement.lang]),
      ).toEqual(['rtl', 'ps']);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'ps-profile.png'), fullPage: true });
    } finally {
      await urdu.close();
    }
  });

  it('keeps a complaint composed offline on the phone and delivers it exactly once on reconnect', async () => {
    const phone = await phoneContext(browser, portal.url);
    try {
      const page = await phone.newPage();
      await registerCitizen(page, portal);
      // The service worker has cached the app shell: the app opens with no connection at all.
      await serviceWorkerReady(page);
      await page.reload();
      await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
      await phone.setOffline(true);
      await page.reload();
      await page.getByText('You are offline.').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-offline-home.png') });

      await composeComplaint(
        page,
        'Broken road near the Peshawar museum, composed offline.',
        await cameraPhoto(),
      );
      await page.getByRole('button', { name: /Next/ }).click();
      await expect
        .poll(() => page.getByTestId('location-facts').textContent())
        .toContain('34.01510, 71.52490');
      await page.getByRole('button', { name: /Next/ }).click();
      await page.getByLabel(/I confirm that this complaint is true/).check();
      await page.getByRole('button', { name: 'Submit complaint' }).click();
      await page.getByText('Your complaint is saved on this phone').waitFor();
      await page.getByRole('link', { name: 'My complaints' }).click();
      await page.getByText('Waiting to send').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-offline-waiting.png') });

      // The first answer is lost on the way back (the portal has filed it): the phone must send it
      // again, and the Idempotency-Key must keep it from being filed twice.
      const posts: string[] = [];
      await page.route('**/api/v1/complaints', async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        posts.push(route.request().headers()['idempotency-key'] ?? '');
        if (posts.length === 1) {
          await route.fetch();
          return route.abort('connectionreset');
        }
        return route.continue();
      });
      await phone.setOffline(false);
      await expect.poll(() => posts.length).toBe(1);
      await page.getByRole('button', { name: 'Send now' }).click();
      await page.getByText(/^Sent /).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-offline-sent.png') });

      expect(posts).toHaveLength(2);
      expect(posts[0]).toMatch(/^[0-9a-f-]{32,36}$/);
      expect(posts[1]).toBe(posts[0]);
      const mine = await (await page.request.get('/api/v1/complaints')).json();
      expect(mine.items).toHaveLength(1);
      expect(mine.items[0].description).toContain('composed offline');
    } finally {
      await phone.close();
    }
  });

  it('registers this phone for Web Push and receives the portal’s notifications', async () => {
    const phone = await phoneContext(browser, portal.url);
    // Chromium registers with its vendor's push service (FCM), which this machine cannot reach; the page
    // gets a subscription at a local push service instead. From the permission prompt to the stored
    // subscription, the signed and encrypted push and its delivery, everything else is the real thing.
    const device = pushService.device();
    await phone.addInitScript((subscription) => {
      const fake = {
        endpoint: subscription.endpoint,
        expirationTime: null,
        options: { userVisibleOnly: true },
        getKey: () => null,
        toJSON: () => ({ endpoint: subscription.endpoint, expirationTime: null, keys: subscription.keys }),
        unsubscribe: async () => {
          current = null;
          return true;
        },
      };
      let current: typeof fake | null = null;
      PushManager.prototype.subscribe = async () => {
        current = fake;
        return fake as unknown as PushSubscription;
      };
      PushManager.prototype.getSubscription = async () => current as unknown as PushSubscription | null;
    }, device.subscription);
    try {
      const page = await phone.newPage();
      await registerCitizen(page, portal);
      await serviceWorkerReady(page);
      await page.getByRole('link', { name: 'Profile' }).first().click();
      await page.getByRole('button', { name: 'Turn on notifications on this phone' }).click();
      await page.getByText('Notifications are on for this phone.').waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-profile-push.png'), fullPage: true });
      const subscriptions = await (await page.request.get('/api/v1/push/subscriptions')).json();
      expect(subscriptions.items).toHaveLength(1);

      // A complaint's first steps reach the phone as pushes.
      await page.goto('/');
      await composeComplaint(page, 'Streetlight pole fallen on the road.');
      await page.getByRole('button', { name: /Next/ }).click();
      await page.getByRole('button', { name: /Next/ }).click();
      await continuePastNearby(page);
      await page.getByRole('button', { name: 'Submit complaint' }).click();
      await page.getByText('Your complaint was received').waitFor();
      await expect.poll(() => pushService.received.length, { timeout: 20_000 }).toBeGreaterThan(0);
      expect(pushService.received[0]!.deviceId).toBe(device.id);
      expect(pushService.received[0]!.payload.title).toBeTruthy();
    } finally {
      await phone.close();
    }
  });

  it('opens signed in when only the session cookie remains, and says so when a link leads nowhere', async () => {
    const phone = await phoneContext(browser, portal.url);
    try {
      const page = await phone.newPage();
      const who = await registerCitizen(page, portal);
      // The phone forgot what the app kept (storage cleared, or a second tab): the cookie still signs in.
      await page.evaluate(() => localStorage.removeItem('cp.user'));
      await page.goto('/');
      await page.getByRole('heading', { name: `Hello, ${who.name}` }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/');
      // Signed in, the sign-in form is no place to be.
      await page.goto('/login');
      await page.getByRole('heading', { name: `Hello, ${who.name}` }).waitFor();
      await page.goto('/complaints/new');
      await page.getByRole('heading', { name: 'This page does not exist' }).waitFor();
    } finally {
      await phone.close();
    }
  });

  it('shows an emergency announcement as a banner until read, and lets the citizen vote and see results', async () => {
    const admin = await portal.createStaff({ role: 'admin' });
    const app = portal.portal.app;
    const login = await app.inject({ method: 'POST', url: '/api/v1/staff/auth/login', payload: admin });
    const staff = { authorization: `Bearer ${login.json().token}` };
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const announced = await app.inject({
      method: 'POST',
      url: '/api/v1/staff/announcements',
      headers: staff,
      payload: {
        severity: 'emergency',
        title: { en: 'Flood warning for Peshawar', ur: 'پشاور کے لیے سیلاب کی وارننگ' },
        body: {
          en: 'Stay away from the Kabul river banks tonight.',
          ur: 'آج رات دریائے کابل کے کناروں سے دور رہیں۔',
        },
        expiresAt: inAWeek,
      },
    });
    expect(announced.statusCode, announced.body).toBe(201);
    const poll = await app.inject({
      method: 'POST',
      url: '/api/v1/staff/polls',
      headers: staff,
      payload: {
        question: { en: 'Which road should be repaired first?' },
        kind: 'single',
        options: [{ label: { en: 'Ring Road' } }, { label: { en: 'GT Road' } }],
        closesAt: inAWeek,
        results: 'live',
      },
    });
    expect(poll.statusCode, poll.body).toBe(201);

    const phone = await phoneContext(browser, portal.url);
    try {
      const page = await phone.newPage();
      await registerCitizen(page, portal);
      const banner = page.getByRole('alert').filter({ hasText: 'Flood warning for Peshawar' });
      await banner.waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-emergency-banner.png') });
      await banner.getByRole('link', { name: 'Read' }).click();
      await page.getByRole('heading', { name: 'Announcements' }).waitFor();
      await page.getByText('Stay away from the Kabul river banks tonight.').waitFor();
      await page.getByRole('link', { name: 'Home' }).first().click();
      await page.getByRole('link', { name: 'Polls' }).click();
      await page.getByRole('link', { name: 'Which road should be repaired first?' }).click();
      await page.getByRole('radio', { name: 'GT Road' }).check();
      await page.getByRole('button', { name: 'Vote' }).click();
      await page.getByText('Thank you for voting.').waitFor();
      await page.getByRole('heading', { name: 'Results (1 voter)' }).waitFor();
      await expect.poll(() => page.locator('.results li').nth(1).textContent()).toContain('100% (1)');
      await page.screenshot({ path: path.join(SCREENSHOTS, 'en-poll-results.png'), fullPage: true });
      // Read once, the emergency no longer covers every screen.
      await page.goto('/');
      await page.getByRole('link', { name: 'New complaint' }).first().waitFor();
      expect(await page.getByRole('alert').filter({ hasText: 'Flood warning' }).count()).toBe(0);
    } finally {
      await phone.close();
    }
  });
});
