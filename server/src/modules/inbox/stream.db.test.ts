import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../../test/portal.js';
import { createAuthGuards } from '../../http/auth.js';
import { registerErrorHandling } from '../../http/error-handler.js';
import { validatorCompiler } from '../../http/validation.js';
import { inboxChannel } from './notifier.js';
import { inboxRoutes } from './routes.js';

interface Summary {
  unread: number;
  latestId: number;
}

/** A real SSE client over HTTP: collects `inbox` events and comment lines until the server ends or it aborts. */
async function openStream(base: string, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/v1/inbox/stream`, {
    headers: bearer(token),
    signal: controller.signal,
  });
  const events: Summary[] = [];
  const comments: string[] = [];
  let ended = false;
  const done =
    res.status === 200
      ? (async () => {
          const reader = res.body!.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let cut = buffer.indexOf('\n\n');
            while (cut >= 0) {
              const block = buffer.slice(0, cut);
              buffer = buffer.slice(cut + 2);
              const data = /^event: inbox\ndata: (.*)$/m.exec(block);
              if (data) events.push(JSON.parse(data[1]!));
              if (block.startsWith(':')) comments.push(block);
              cut = buffer.indexOf('\n\n');
            }
          }
        })()
          .catch(() => {})
          .finally(() => {
            ended = true;
          })
      : Promise.resolve();
  const until = async (check: () => boolean, ms = 5000) => {
    const stop = Date.now() + ms;
    while (!check() && Date.now() < stop) await new Promise((r) => setTimeout(r, 20));
    return check();
  };
  return {
    res,
    events,
    comments,
    done,
    get ended() {
      return ended;
    },
    /** Waits until n events arrived (or the time is up) and answers whether they did. */
    waitFor: (n: number, ms?: number) => until(() => events.length >= n, ms),
    until,
    async close() {
      controller.abort();
      await done;
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('live Message Box stream', () => {
  let portal: TestPortal;
  let base: string;
  let amina: RegisteredCitizen;
  let gul: RegisteredCitizen;

  beforeAll(async () => {
    portal = await createTestPortal();
    base = await portal.app.listen({ port: 0, host: '127.0.0.1' });
    amina = await buildCitizen(portal);
    gul = await buildCitizen(portal);
  });
  afterAll(async () => portal?.destroy());

  const message = (citizenId: number, title: string) =>
    portal.database.db
      .transaction()
      .execute((trx) => portal.app.services.inbox.deliverMessage(trx, { citizenId, title, body: null }));

  it('sends the summary at once, with the headers an event stream needs', async () => {
    await message(amina.id, 'Welcome to the Citizen Portal');
    const stream = await openStream(base, amina.token);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get('cache-control')).toMatch(/no-cache/);
    expect(stream.res.headers.get('x-accel-buffering')).toBe('no');
    expect(stream.res.headers.get('x-request-id')).toBeTruthy();
    expect(await stream.waitFor(1)).toBe(true);
    const [latest] = await portal.database.db
      .selectFrom('inbox_items')
      .select('id')
      .where('citizen_id', '=', amina.id)
      .orderBy('id', 'desc')
      .execute();
    expect(stream.events[0]).toEqual({ unread: 1, latestId: latest!.id });
    await stream.close();
  });

  it('delivers committed items live; rolled-back ones and other citizens\u2019 never reach it', async () => {
    const stream = await openStream(base, amina.token);
    expect(await stream.waitFor(1)).toBe(true);
    const first = stream.events[0]!;

    await portal.database.db
      .transaction()
      .execute(async (trx) => {
        await portal.app.services.inbox.deliverMessage(trx, {
          citizenId: amina.id,
          title: 'Rolled back',
          body: null,
        });
        throw new Error('roll back');
      })
      .catch(() => {});
    await message(gul.id, 'For Gul only');
    expect(await stream.waitFor(2, 400)).toBe(false);

    await message(amina.id, 'Live!');
    expect(await stream.waitFor(2)).toBe(true);
    expect(stream.events[1]!.unread).toBe(first.unread + 1);
    expect(stream.events[1]!.latestId).toBeGreaterThan(first.latestId);

    // Items delivered in one transaction arrive as one update after the commit.
    await portal.database.db.transaction().execute(async (trx) => {
      for (const title of ['One', 'Two', 'Three'])
        await portal.app.services.inbox.deliverMessage(trx, { citizenId: amina.id, title, body: null });
    });
    expect(await stream.waitFor(3)).toBe(true);
    await pause(200);
    expect(stream.events).toHaveLength(3);
    expect(stream.events[2]!.unread).toBe(first.unread + 4);
    await stream.close();
  });

  it('removes its listener when the client goes away', async () => {
    const { inbox } = portal.app.services;
    const before = inbox.listenerCount(gul.id);
    const stream = await openStream(base, gul.token);
    expect(await stream.waitFor(1)).toBe(true);
    expect(inbox.listenerCount(gul.id)).toBe(before + 1);
    await stream.close();
    expect(await stream.until(() => inbox.listenerCount(gul.id) === before)).toBe(true);
  });

  it('caps the streams one citizen may hold open', async () => {
    const zara = await buildCitizen(portal);
    const streams: Awaited<ReturnType<typeof openStream>>[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await openStream(base, zara.token);
      expect(s.res.status).toBe(200);
      streams.push(s);
    }
    const refused = await openStream(base, zara.token);
    expect(refused.res.status).toBe(429);
    expect(((await refused.res.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    await streams.pop()!.close();
    expect(await refused.until(() => portal.app.services.inbox.listenerCount(zara.id) === 4)).toBe(true);
    const again = await openStream(base, zara.token);
    expect(again.res.status).toBe(200);
    await Promise.all([...streams, again].map((s) => s.close()));
  });

  it.runIf(process.env.TEST_ENGINE === 'postgres')(
    'reconnects its LISTEN connection when PostgreSQL drops it, and catches up',
    async () => {
      const stream = await openStream(base, amina.token);
      expect(await stream.waitFor(1)).toBe(true);
      const channel = inboxChannel(portal.t.schema);
      const killed = await sql<{ pid: number }>`
        select pid, pg_terminate_backend(pid) from pg_stat_activity
        where application_name = 'citizen-portal-inbox' and query = ${`listen "${channel}"`}`.execute(
        portal.database.db,
      );
      expect(killed.rows).toHaveLength(1);
      // Delivered while no one listens: the catch-up on reconnect sends it.
      await message(amina.id, 'While reconnecting');
      expect(await stream.waitFor(2, 5000)).toBe(true);
      await message(amina.id, 'After reconnecting');
      expect(await stream.waitFor(3, 5000)).toBe(true);
      expect(stream.events[2]!.unread).toBe(stream.events[0]!.unread + 2);
      await stream.close();
    },
  );
});

describe('stream lifetime', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal();
  });
  afterAll(async () => {
    await portal.app.close().catch(() => {});
    await portal.jobs.stop();
    await portal.t.destroy();
  });

  it('sends heartbeats, and ends the stream when its session ends', async () => {
    // The same routes and services on a second server with a short heartbeat.
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    registerErrorHandling(app);
    await app.register(cookie);
    app.decorateRequest('principal', null);
    const { services } = portal.app;
    await app.register(inboxRoutes, {
      prefix: '/api/v1',
      services,
      guards: createAuthGuards(services.sessions, services.staff),
      heartbeatMs: 50,
    });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const citizen = await buildCitizen(portal);
      const stream = await openStream(base, citizen.token);
      expect(await stream.until(() => stream.comments.length >= 2)).toBe(true);
      expect(stream.comments[0]).toBe(': keep-alive');
      expect(stream.ended).toBe(false);
      const logout = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: bearer(citizen.token),
      });
      expect(logout.statusCode).toBe(204);
      expect(await stream.until(() => stream.ended)).toBe(true);
      expect(services.inbox.listenerCount(citizen.id)).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('ends open streams when the app closes, so shutdown does not hang', async () => {
    const base = await portal.app.listen({ port: 0, host: '127.0.0.1' });
    const citizen = await buildCitizen(portal);
    const stream = await openStream(base, citizen.token);
    expect(await stream.waitFor(1)).toBe(true);
    const closing = portal.app.close();
    const finished = await Promise.race([closing.then(() => true), pause(5000).then(() => false)]);
    expect(finished).toBe(true);
    expect(await stream.until(() => stream.ended, 2000)).toBe(true);
  });
});
