// The browser tests' world: a real portal (the built web app, the API, the job workers) on a temporary
// DATA_DIR and a free port, and Debian's Chromium driven by playwright-core with a fresh profile, a phone's
// viewport, fake camera and microphone, and the GPS in Peshawar.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { latestCodeFor } from '../server/src/adapters/sms/outbox.js';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { createPortal, type Portal } from '../server/src/runtime.js';
import { ensureWebBuilt } from '../web/build/ensure-built.js';

export const PESHAWAR = { latitude: 34.0151, longitude: 71.5249 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Debian's Chromium (or CHROMIUM_PATH); null when the machine has none and the browser tests skip. */
export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? null;
}

export interface E2EPortal {
  url: string;
  dataDir: string;
  portal: Portal;
  /** The newest verification code the portal sent to this mobile (E.164 or as typed). */
  smsCode(mobile: string): Promise<string>;
  createStaff(input: {
    role: 'admin' | 'supervisor' | 'officer';
    department?: string;
    districts?: string[];
  }): Promise<{ login: string; password: string }>;
  /** A citizen registered and verified through the public API, as the app does it. */
  registerCitizen(input: { district: string; name?: string }): Promise<{
    token: string;
    who: ReturnType<typeof newIdentity>;
  }>;
  stop(): Promise<void>;
}

export async function startPortal(env: Record<string, string> = {}): Promise<E2EPortal> {
  ensureWebBuilt();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portal-e2e-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    JOBS_POLL_MS: '50',
    RATE_LIMITS: 'off',
    MAP_TILE_URL: 'off',
    ...env,
  });
  const portal = await createPortal(config, createLogger(config));
  await portal.jobs.start();
  await portal.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = portal.app.server.address() as AddressInfo;
  const outboxDir = path.join(dataDir, 'outbox');
  let staffCount = 0;
  const e2e: E2EPortal = {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    portal,
    async smsCode(mobile) {
      const e164 = mobile.replace(/^0/, '+92').replace(/[\s-]/g, '');
      for (let i = 0; i < 100; i++) {
        const code = await latestCodeFor(outboxDir, e164);
        if (code) return code;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no SMS code reached ${e164}`);
    },
    async createStaff(input) {
      const { services } = portal.app;
      const departments = await services.geo.departments();
      const districts = await services.geo.listDistricts();
      const login = `${input.role}${++staffCount}`;
      const password = 'e2e staff passphrase';
      await services.staff.create({
        role: input.role,
        login,
        password,
        name: `E2E ${input.role}`,
        departmentId: input.department ? departments.find((d) => d.code === input.department)!.id : null,
        districtIds: (input.districts ?? []).map((c) => districts.find((d) => d.code === c)!.id),
      });
      return { login, password };
    },
    async registerCitizen(input) {
      const who = newIdentity();
      const district = (await portal.app.services.geo.listDistricts()).find(
        (d) => d.code === input.district,
      )!;
      const registered = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/auth/register',
        payload: {
          name: input.name ?? who.name,
          cnic: who.cnic,
          mobile: who.mobile,
          district: district.id,
          password: who.password,
          language: 'en',
        },
      });
      if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
      const code = await e2e.smsCode(who.mobile);
      const verified = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/auth/verify',
        payload: { mobile: who.mobile, code },
      });
      if (verified.statusCode !== 200) throw new Error(`verify failed: ${verified.body}`);
      return { token: verified.json().token as string, who: { ...who, name: input.name ?? who.name } };
    },
    async stop() {
      await portal.jobs.stop();
      await portal.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return e2e;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium on this machine');
  await mkdir(SCREENSHOTS, { recursive: true });
  // launch() gives every run a fresh, temporary profile.
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}

/** A phone: small viewport, touch, the GPS in Peshawar and the permissions a citizen grants. */
export async function phoneContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    geolocation: PESHAWAR,
    permissions: ['geolocation', 'microphone', 'camera', 'notifications'],
    locale: 'en-PK',
  });
  context.setDefaultTimeout(20_000);
  return context;
}

let sequence = 0;
/** A citizen nobody has registered yet: a CNIC and a Pakistani mobile that are unique in this run. */
export function newIdentity() {
  sequence++;
  const n = `${Date.now() % 1e6}`.padStart(6, '0') + String(sequence).padStart(1, '0');
  return {
    name: `Ayesha Khan ${sequence}`,
    cnic: `17301-${n.slice(0, 7).padEnd(7, '0')}-${sequence % 10}`,
    mobile: `0301${n.slice(0, 7).padEnd(7, '0')}`,
    password: 'citizen passphrase 1',
  };
}
