import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, type E2EPortal, launchChromium, SCREENSHOTS, startPortal } from './harness.js';

// An admin brings district boundaries into the portal from the console: checks a file's names, maps the one
// the portal does not know, imports, and complaints are then placed by the new polygons.

const square = (name: string, lng: number, lat: number) => ({
  type: 'Feature',
  properties: { name },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + 0.5, lat],
        [lng + 0.5, lat + 0.5],
        [lng, lat + 0.5],
        [lng, lat],
      ],
    ],
  },
});

describe.skipIf(!chromiumPath())('district boundaries in the console', () => {
  let e2e: E2EPortal;
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    [e2e, browser] = await Promise.all([startPortal(), launchChromium()]);
    dir = await mkdtemp(path.join(tmpdir(), 'boundaries-'));
  });
  afterAll(async () => {
    await browser?.close();
    await e2e?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('checks the names, maps the unknown one, and imports', async () => {
    const file = path.join(dir, 'kp-districts.geojson');
    await writeFile(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [square('Peshawar', 71.3, 33.8), square('Abbotabad (old)', 72.9, 34.0)],
      }),
    );
    const admin = await e2e.createStaff({ role: 'admin' });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(`${e2e.url}/console#/admin/boundaries`);
      await page.getByLabel('Login').fill(admin.login);
      await page.getByLabel('Password').fill(admin.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'District boundaries' }).waitFor();

      await page.getByLabel('GeoJSON file').setInputFiles(file);
      await page.getByRole('button', { name: 'Check names' }).click();
      await page.getByText('2 features read; 1 match a district.').waitFor();
      await page.getByLabel('Abbotabad (old)').selectOption({ label: 'Abbottabad' });
      await page.getByRole('button', { name: 'Check again with these districts' }).click();
      await page.getByText('2 features read; 2 match a district.').waitFor();
      await page.getByRole('button', { name: 'Replace the boundaries of the matched districts' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'Imported 2 districts from kp-districts.geojson' })
        .waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, 'console-boundaries.png'), fullPage: true });

      const located = await e2e.portal.app.inject('/api/v1/geo/locate?lat=34.2&lng=73.1');
      expect(located.json()).toMatchObject({ district: { code: 'abbottabad' }, method: 'boundary' });
    } finally {
      await context.close();
    }
  });
});
