import type { ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { latestCodeFor } from '../src/adapters/sms/outbox.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createPortal } from '../src/runtime.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { audio, jpeg } from './media-samples.js';
import { startServerProcess } from './server-process.js';

/** SIGKILL, then wait until the process is gone (polled: the exit event is not always delivered in time). */
async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGKILL');
  for (let i = 0; i < 400; i++) {
    if (!(await alive(child.pid))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`process ${child.pid} did not die`);
}

async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(d: string) {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else found.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  }
  await walk(dir);
  return found;
}

describe('a crash during a burst of submissions with media', () => {
  let t: TestDatabase;
  let server: { child: ChildProcess; url: string } | null = null;
  afterAll(async () => {
    if (server) await killHard(server.child);
    await t?.destroy();
  });

  it('keeps every complaint that got a 201 with all its media, and leaves no file without a complaint', async () => {
    t = await createTestDatabase({ migrate: false });
    const env: Record<string, string> = {
      DATA_DIR: t.dataDir,
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl, DATABASE_SCHEMA: t.schema! } : {}),
      RATE_LIMITS: 'off',
    };
    server = await startServerProcess(env);

    // A verified citizen, through the public routes.
    const mobile = `+92333${String(Date.now()).slice(-7)}`;
    const districts = (await (await fetch(`${server.url}/api/v1/districts`)).json()) as {
      id: number;
      code: string;
    }[];
    const peshawar = districts.find((d) => d.code === 'peshawar')!;
    const reg = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Crash Test',
        cnic: `42101${String(Date.now()).slice(-7)}1`,
        mobile,
        district: peshawar.id,
        password: 'a-long-passphrase',
        language: 'en',
      }),
    });
    expect(reg.status).toBe(201);
    let code: string | null = null;
    for (let i = 0; i < 50 && !code; i++) {
      code = await latestCodeFor(path.join(t.dataDir, 'outbox'), mobile);
      if (!code) await new Promise((r) => setTimeout(r, 100));
    }
    const verify = await fetch(`${server.url}/api/v1/auth/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mobile, code }),
    });
    const { token } = (await verify.json()) as { token: string };
    const categories = (await (await fetch(`${server.url}/api/v1/categories`)).json()) as {
      id: number;
      code: string;
    }[];
    const category = categories.find((c) => c.code === 'water-supply-no-water')!;

    const photo = await jpeg(1200, 900);
    const voice = audio.m4a();
    const submit = (i: number, url: string) => {
      const form = new FormData();
      form.set('category', String(category.id));
      form.set('description', `Burst complaint number ${i}: no water since morning.`);
      form.set('lat', '34.0151');
      form.set('lng', '71.5249');
      form.set('consent', 'true');
      form.append('media', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
      form.append('media', new Blob([voice], { type: 'audio/mp4' }), 'voice.m4a');
      return fetch(`${url}/api/v1/complaints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': `crash-test-${i}` },
        body: form,
      });
    };

    // Fire a burst, and kill the server hard once the first answers are back, while the rest are in flight.
    const created = new Map<number, { id: number }>();
    const total = 40;
    let answered = 0;
    const killed = new Promise<void>((resolve) => {
      const attempts = Array.from({ length: total }, (_, i) =>
        submit(i, server!.url)
          .then(async (res) => {
            if (res.status === 201) created.set(i, (await res.json()) as { id: number });
            if (++answered === 8) void killHard(server!.child).then(resolve);
          })
          .catch(() => {}),
      );
      void Promise.all(attempts).then(() => resolve());
    });
    await killed;
    await killHard(server.child);
    expect(created.size).toBeGreaterThan(0);

    // Restart on the same data and check every acknowledged complaint and its two files.
    server = await startServerProcess(env);
    for (const [i, body] of created) {
      const res = await fetch(`${server.url}/api/v1/complaints/${body.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status, `complaint ${i}`).toBe(200);
      const detail = (await res.json()) as { media: { url: string }[] };
      expect(detail.media, `media of complaint ${i}`).toHaveLength(2);
      for (const m of detail.media) {
        const file = await fetch(`${server.url}${m.url}`, { headers: { authorization: `Bearer ${token}` } });
        expect(file.status).toBe(200);
        await file.arrayBuffer();
      }
    }
    // Every request that got no answer is retried with its key: each arrives exactly once.
    for (let i = 0; i < total; i++) {
      if (created.has(i)) continue;
      const res = await submit(i, server.url);
      expect(res.status).toBe(201);
      created.set(i, (await res.json()) as { id: number });
    }
    const rows = await t.database.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(total);
    await killHard(server.child);
    server = null;

    // Files written by requests that died before their commit have no row; the sweep removes them.
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const portal = await createPortal(config, createLogger(config), { database: t.database });
    try {
      await portal.app.services.media.sweepOrphans(0);
      const keys = await t.database.db.selectFrom('media').select(['storage_key', 'thumb_key']).execute();
      const known = new Set(keys.flatMap((k) => [k.storage_key, k.thumb_key]).filter(Boolean));
      expect(keys).toHaveLength(total * 2);
      if (config.storage.provider === 'local') {
        const files = await filesUnder(path.join(t.dataDir, 'media'));
        expect(files.filter((f) => !known.has(f))).toEqual([]);
        expect(files.length).toBe(known.size);
      }
    } finally {
      await portal.app.close();
      await portal.jobs.stop();
    }
  }, 120_000);
});
