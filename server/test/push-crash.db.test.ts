import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDeliveries } from '../src/modules/notifications/repo.js';
import { bearer, buildCitizen, buildStaff } from './factories.js';
import { createTestPortal, type TestPortal } from './portal.js';
import { startPushService, type TestPushService } from './push-service.js';
import { startServerProcess } from './server-process.js';

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let portal: TestPortal;
let push: TestPushService;
let child: ChildProcess | null = null;

beforeAll(async () => {
  push = await startPushService();
  portal = await createTestPortal({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true', RATE_LIMITS: 'off' });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await portal?.destroy();
  await push?.close();
});

/** Lets the queue hand a dead worker's job to the next worker now rather than after the lock's five minutes. */
async function expireLocks(p: TestPortal) {
  const db = p.database.db;
  if (p.t.engine === 'sqlite') {
    await db
      .updateTable('jobs')
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where('state', '=', 'active')
      .execute();
    return;
  }
  const jobs = sql.id(`${p.t.schema}_jobs`, 'job');
  await sql`update ${jobs} set started_on = now() - interval '1 hour' where state = 'active'`.execute(db);
  await p.jobs.drain(['push.batch']);
  await sql`update ${jobs} set start_after = now() where state = 'retry'`.execute(db);
}

describe('a push worker killed in the middle of a batch', () => {
  it('leaves every device with exactly one copy once the job is retried', async () => {
    const citizens = await Promise.all([0, 1, 2, 3].map(() => buildCitizen(portal)));
    const devices = [];
    for (const c of citizens) {
      for (let i = 0; i < 5; i++) {
        const d = push.device();
        devices.push(d);
        const res = await portal.app.inject({
          method: 'POST',
          url: '/api/v1/push/subscriptions',
          headers: bearer(c.token),
          payload: d.subscription,
        });
        expect(res.statusCode).toBe(201);
      }
    }
    const admin = await buildStaff(portal, { role: 'admin' });
    // The service takes 7 pushes, then holds every further request unanswered: the worker is mid-batch.
    push.stallAfter(7);
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/staff/announcements',
      headers: bearer(admin.token),
      payload: {
        severity: 'emergency',
        title: { en: 'Flood warning' },
        body: { en: 'Move to higher ground.' },
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    expect(created.statusCode).toBe(201);
    const key = `a${created.json().id}`;

    ({ child } = await startServerProcess({
      DATA_DIR: portal.t.dataDir,
      ...(portal.t.databaseUrl
        ? { DATABASE_URL: portal.t.databaseUrl, DATABASE_SCHEMA: portal.t.schema! }
        : {}),
      PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
      PUSH_CONCURRENCY: '3',
      JOBS_POLL_MS: '50',
    }));
    await waitFor('the first pushes', () => push.received.length === 7);
    // Each accepted push is recorded before the worker dies; the held ones never got an answer.
    await waitFor('their records', async () => (await countDeliveries(portal.database.db, key)) === 7);
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    child = null;
    await waitFor("the dead worker's connections to close", () => push.heldOpen() === 0);
    push.release();
    expect(push.received).toHaveLength(7);

    await expireLocks(portal);
    await portal.jobs.drain(['push.plan', 'push.batch']);

    const perDevice = new Map<string, number>();
    for (const p of push.received) perDevice.set(p.deviceId, (perDevice.get(p.deviceId) ?? 0) + 1);
    expect(push.received).toHaveLength(devices.length);
    expect([...perDevice.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(perDevice.keys())).toEqual(new Set(devices.map((d) => d.id)));
    for (const p of push.received) {
      expect(p.topic).toBe(key);
      expect(p.urgency).toBe('high');
      expect(p.payload).toMatchObject({
        title: 'Flood warning',
        body: 'Move to higher ground.',
        tag: `announcement-${key.slice(1)}`,
      });
    }
    expect(await countDeliveries(portal.database.db, key)).toBe(devices.length);
  });
});
