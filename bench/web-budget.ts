// The citizen app's performance budget: the first screen's JavaScript and CSS in gzipped kilobytes
// (target <= 150 KB), and, in Chromium throttled to 400 kbps both ways with 400 ms of latency, the time
// until the first visit is usable (target 6 s) and a repeat visit with the service worker warm (1 s).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchChromium, PHONE, startPortal } from '../e2e/harness.js';
import { ensureWebBuilt } from '../web/build/ensure-built.js';
import { benchDir, record } from './lib.js';

const dist = path.join(benchDir, '..', 'web', 'dist');
const KBPS = 400;
const LATENCY_MS = 400;

/** What index.html loads before the first screen: the entry script, its preloads and the stylesheets. */
export function firstScreenAssets(): { file: string; bytes: number; gzip: number }[] {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const urls = [
    ...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g),
  ].map((m) => m[1]!);
  return [...new Set(urls)].map((url) => {
    const data = readFileSync(path.join(dist, url));
    return { file: url, bytes: data.length, gzip: gzipSync(data, { level: 9 }).length };
  });
}

async function throttle(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: LATENCY_MS,
    downloadThroughput: (KBPS * 1000) / 8,
    uploadThroughput: (KBPS * 1000) / 8,
  });
}

/** Milliseconds from the start of navigation until the screen's main control can be used. */
async function timeToUsable(page: Page, url: string, control: { role: 'button'; name: string }) {
  await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
  await page.getByRole(control.role, { name: control.name, exact: true }).waitFor({ timeout: 60_000 });
  return page.evaluate(() => performance.now());
}

export async function benchWebBudget(): Promise<void> {
  ensureWebBuilt();
  const assets = firstScreenAssets();
  const kb = assets.reduce((sum, a) => sum + a.gzip, 0) / 1024;
  record({
    name: 'citizen app first screen JS+CSS (gzip)',
    value: Math.round(kb * 10) / 10,
    unit: 'KB',
    ceilingName: null,
    ceiling: null,
    target: '<= 150 KB',
    maxValue: 150,
    detail: Object.fromEntries(assets.map((a) => [a.file, Math.round(a.gzip / 102.4) / 10])),
  });

  if (!chromiumPath()) {
    console.log('  (first and repeat visit times skipped: no Chromium on this machine)');
    return;
  }
  const portal = await startPortal();
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const first = await context.newPage();
    await throttle(first);
    const firstMs = await timeToUsable(first, `${portal.url}/`, { role: 'button', name: 'English' });
    // The service worker installs in the background and precaches the shell; wait until it is active.
    // (A string: the bench type-checks with Node's types, where `navigator` has no service workers.)
    await first.evaluate('navigator.serviceWorker.ready.then(() => undefined)');
    await first.getByRole('button', { name: 'English', exact: true }).click();
    await first.getByRole('button', { name: 'Log in', exact: true }).waitFor();
    await first.close();

    const repeat = await context.newPage();
    await throttle(repeat);
    const repeatMs = await timeToUsable(repeat, `${portal.url}/`, { role: 'button', name: 'Log in' });
    await repeat.close();

    record({
      name: `first visit usable (${KBPS} kbps, ${LATENCY_MS} ms)`,
      value: Math.round(firstMs) / 1000,
      unit: 's',
      ceilingName: null,
      ceiling: null,
      target: '<= 6 s',
      maxValue: 6,
    });
    record({
      name: `repeat visit usable (service worker warm)`,
      value: Math.round(repeatMs) / 1000,
      unit: 's',
      ceilingName: null,
      ceiling: null,
      target: '<= 1 s',
      maxValue: 1,
    });
  } finally {
    await browser?.close();
    await portal.stop();
  }
}

// `tsx bench/web-budget.ts` runs it alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.join(benchDir, 'web-budget.ts')) {
  console.log('Citizen app budget\n');
  await benchWebBudget();
}
