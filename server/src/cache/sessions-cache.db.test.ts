import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../test/portal.js';
import { loadConfig } from '../config.js';
import { channelName } from '../db/pg-listener.js';
import { createLogger } from '../logger.js';
import { createPortal, type Portal } from '../runtime.js';
import type { PgChangeFeed } from './change-feed.js';

/**
 * Sessions and profiles are remembered by each node; these tests hold the promise that a change made on
 * any node is seen at once on that node and within moments on the others. On SQLite there is one node,
 * so "the other node" is the same one.
 */
const postgres = process.env.TEST_ENGINE === 'postgres';

let portal: TestPortal;
let other: Portal | null = null;
let nodeB: Portal['app'];

async function eventually(check: () => Promise<boolean>, ms = 5000) {
  const stop = Date.now() + ms;
  while (!(await check()) && Date.now() < stop) await new Promise((r) => setTimeout(r, 25));
  return check();
}

const me = (app: Portal['app'], token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

/** Asks until the feed of this node listens, so the first answer is already one that is remembered. */
async function warm(app: Portal['app'], token: string) {
  expect((await me(app, token)).statusCode).toBe(200);
  if (postgres) await (app.services.changes as PgChangeFeed).ready();
  expect((await me(app, token)).statusCode).toBe(200);
}

beforeAll(async () => {
  portal = await createTestPortal();
  if (postgres) {
    // A second node on the same database and keys, as a province runs several.
    const config = loadConfig({
      DATA_DIR: portal.t.dataDir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: portal.t.databaseUrl!,
      DATABASE_SCHEMA: portal.t.schema!,
      JOBS_WORKERS: 'false',
    });
    other = await createPortal(config, createLogger(config));
  }
  nodeB = other?.app ?? portal.app;
});

afterAll(async () => {
  if (other) {
    await other.app.close();
    await other.jobs.stop();
    await other.database.close();
  }
  await portal.destroy();
});

describe('remembered sessions and profiles', () => {
  let amina: RegisteredCitizen;
  beforeAll(async () => {
    amina = await buildCitizen(portal);
  });

  it('a session ended on this node stops working at once', async () => {
    const again = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: amina.mobile, password: amina.password },
    });
    const token = again.json().token as string;
    await warm(portal.app, token);
    const out = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(token),
    });
    expect(out.statusCode).toBe(204);
    expect((await me(portal.app, token)).statusCode).toBe(401);
    expect((await me(portal.app, amina.token)).statusCode).toBe(200);
  });

  it('a password change ends the other sessions at once, and keeps the one that made it', async () => {
    const citizen = await buildCitizen(portal);
    const second = (
      await portal.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: citizen.cnic, password: citizen.password },
      })
    ).json().token as string;
    await warm(portal.app, second);
    await warm(portal.app, citizen.token);
    const changed = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(citizen.token),
      payload: { currentPassword: citizen.password, newPassword: 'another-long-passphrase' },
    });
    expect(changed.statusCode).toBe(204);
    expect((await me(portal.app, second)).statusCode).toBe(401);
    expect((await me(portal.app, citizen.token)).statusCode).toBe(200);
  });

  it('a profile change and a block show at once', async () => {
    const citizen = await buildCitizen(portal);
    await warm(portal.app, citizen.token);
    const patched = await portal.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: bearer(citizen.token),
      payload: { name: 'Renamed Citizen', language: 'ps' },
    });
    expect(patched.statusCode).toBe(200);
    expect((await me(portal.app, citizen.token)).json()).toMatchObject({
      name: 'Renamed Citizen',
      language: 'ps',
    });

    const admin = await buildStaff(portal, { role: 'admin' });
    const blocked = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/citizens/${citizen.id}/block`,
      headers: bearer(admin.token),
      payload: { reason: 'Repeated illegal uploads' },
    });
    expect(blocked.statusCode).toBe(200);
    expect((await me(portal.app, citizen.token)).json().status).toBe('blocked');
  });

  it('changes made on another node reach this one', async () => {
    const citizen = await buildCitizen(portal);
    await warm(portal.app, citizen.token);
    await warm(nodeB, citizen.token);
    const patched = await nodeB.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: bearer(citizen.token),
      payload: { name: 'Changed Elsewhere' },
    });
    expect(patched.statusCode).toBe(200);
    expect(
      await eventually(async () => (await me(portal.app, citizen.token)).json().name === 'Changed Elsewhere'),
    ).toBe(true);
    const out = await nodeB.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(citizen.token),
    });
    expect(out.statusCode).toBe(204);
    expect(await eventually(async () => (await me(portal.app, citizen.token)).statusCode === 401)).toBe(true);
  });

  it('a staff account changed by an admin loses its remembered session everywhere', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const officer = await buildStaff(portal, { role: 'officer' });
    const staffMe = (app: Portal['app']) =>
      app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(officer.token) });
    expect((await staffMe(portal.app)).statusCode).toBe(200);
    expect((await staffMe(nodeB)).statusCode).toBe(200);
    const off = await nodeB.inject({
      method: 'PATCH',
      url: `/api/v1/staff/accounts/${officer.id}`,
      headers: bearer(admin.token),
      payload: { active: false },
    });
    expect(off.statusCode).toBe(200);
    expect(await eventually(async () => (await staffMe(portal.app)).statusCode === 401)).toBe(true);
  });

  it.runIf(postgres)(
    'reads through while its listener is down, and remembers again once it is back',
    async () => {
      const citizen = await buildCitizen(portal);
      await warm(portal.app, citizen.token);
      const feed = portal.app.services.changes as PgChangeFeed;
      const channel = channelName('changes', portal.t.schema);
      const killed = await sql<{ pid: number }>`
      select pid, pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'citizen-portal-changes' and query = ${`listen "${channel}"`}`.execute(
        portal.database.db,
      );
      expect(killed.rows.length).toBeGreaterThanOrEqual(1);
      expect(await eventually(async () => !feed.live, 2000)).toBe(true);
      // A change no notice announces (another tool's write): seen at once while nothing is trusted.
      await portal.database.db
        .updateTable('citizens')
        .set({ name: 'Written Directly' })
        .where('id', '=', citizen.id)
        .execute();
      expect((await me(portal.app, citizen.token)).json().name).toBe('Written Directly');
      expect(await eventually(async () => feed.live)).toBe(true);
      expect((await me(portal.app, citizen.token)).json().name).toBe('Written Directly');
    },
  );
});
