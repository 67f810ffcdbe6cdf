import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

/** A built web app in miniature: what `vite build` writes, with a pre-compressed asset. */
function fakeDist(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'web-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  mkdirSync(path.join(dir, 'console', 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>citizen</title>');
  writeFileSync(path.join(dir, 'console', 'index.html'), '<!doctype html><title>console</title>');
  const js = `console.log(${JSON.stringify('x'.repeat(2000))});`;
  writeFileSync(path.join(dir, 'assets', 'citizen-abc123.js'), js);
  writeFileSync(path.join(dir, 'assets', 'citizen-abc123.js.gz'), gzipSync(js));
  writeFileSync(path.join(dir, 'console', 'assets', 'console-def456.js'), 'export {};');
  writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  writeFileSync(path.join(dir, 'manifest.webmanifest'), '{"name":"Citizen Portal"}');
  return dir;
}

describe('web app serving', () => {
  let portal: TestPortal;
  let dist: string;
  beforeAll(async () => {
    dist = fakeDist();
    portal = await createTestPortal({ WEB_DIST_DIR: dist, MAP_TILE_URL: 'off' });
  });
  afterAll(async () => {
    await portal?.destroy();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the citizen app at / and its client routes, never cached', async () => {
    for (const url of ['/', '/index.html', '/complaints/12', '/register?next=%2F']) {
      const res = await portal.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<title>citizen</title>');
    }
  });

  it('serves the console at /console and its client routes', async () => {
    for (const url of ['/console', '/console/', '/console/complaints/7', '/console/index.html']) {
      const res = await portal.app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>console</title>');
    }
    const asset = await portal.app.inject('/console/assets/console-def456.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('serves hashed assets immutable and pre-compressed, the service worker uncached', async () => {
    const plain = await portal.app.inject('/assets/citizen-abc123.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.body).toContain('console.log');

    const gz = await portal.app.inject({
      url: '/assets/citizen-abc123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(Number(gz.headers['content-length'])).toBeLessThan(plain.body.length);

    const sw = await portal.app.inject('/sw.js');
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect((await portal.app.inject('/manifest.webmanifest')).statusCode).toBe(200);
  });

  it('answers a missing file with 404, not with the app', async () => {
    const res = await portal.app.inject('/assets/missing-000.js');
    expect(res.statusCode).toBe(404);
    const malformed = await portal.app.inject('/assets/%E0%A4%A.js');
    expect([400, 404]).toContain(malformed.statusCode);
    expect((await portal.app.inject('/../package.json')).body).not.toContain('"workspaces"');
  });

  it('leaves the API and the other surfaces their JSON 404s', async () => {
    for (const url of ['/api/v1/nothing-here', '/api', '/open311/x', '/public/x', '/health/x', '/ready/x']) {
      const res = await portal.app.inject(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(errorOf(res).code).toBe('not_found');
    }
    expect((await portal.app.inject('/health')).json()).toEqual({ status: 'ok' });
  });

  it('tells the apps the map settings', async () => {
    const res = await portal.app.inject('/app-config.json');
    expect(res.json()).toEqual({ mapTileUrl: null, mapAttribution: expect.any(String) });
  });
});
