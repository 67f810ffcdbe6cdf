import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint } from '../../../test/complaints.js';
import { bearer, buildCitizen, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { EVENT_TITLES } from './messages.js';

describe('Message Box', () => {
  let portal: TestPortal;
  let amina: RegisteredCitizen;
  let gul: RegisteredCitizen;
  beforeAll(async () => {
    portal = await createTestPortal();
    amina = await buildCitizen(portal);
    gul = await buildCitizen(portal, { language: 'ps' });
  });
  afterAll(async () => portal?.destroy());

  const inbox = (who: RegisteredCitizen, query = '') =>
    portal.app.inject({ method: 'GET', url: `/api/v1/inbox${query}`, headers: bearer(who.token) });

  const reply = (complaintId: number, message: string) =>
    portal.database.db.transaction().execute((trx) =>
      portal.app.services.lifecycle.apply(trx, complaintId, {
        type: 'reply',
        visibility: 'public',
        actor: { type: 'staff', id: null },
        message,
      }),
    );

  it('has every title in English, Urdu and Pashto, naming the tracking number', () => {
    for (const [type, titles] of Object.entries(EVENT_TITLES)) {
      for (const lang of ['en', 'ur', 'ps'] as const) {
        expect(titles[lang], `${type}.${lang}`).toContain('{tn}');
      }
      expect(titles.ur).not.toBe(titles.en);
      expect(titles.ps).not.toBe(titles.ur);
    }
  });

  it('gets one item per public event in the citizen\u2019s language; internal notes never arrive', async () => {
    const c = await buildComplaint(portal, { citizenId: gul.id });
    await reply(c.id, 'A team will visit tomorrow.');
    await portal.database.db.transaction().execute((trx) =>
      portal.app.services.lifecycle.apply(trx, c.id, {
        type: 'note',
        visibility: 'internal',
        actor: { type: 'staff', id: null },
        message: 'Internal: the contractor is slow.',
      }),
    );
    const res = await inbox(gul);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const mine = body.items.filter((i: { complaintId: number }) => i.complaintId === c.id);
    expect(mine.map((i: { kind: string }) => i.kind)).toEqual(['reply', 'assigned', 'submitted']);
    expect(mine[0].title).toContain(c.trackingNumber);
    expect(mine[0].title).toMatch(/[\u0600-\u06FF]/);
    expect(mine[0].body).toBe('A team will visit tomorrow.');
    expect(JSON.stringify(body)).not.toContain('contractor');
    expect(body.unread).toBe(body.items.length);
  });

  it('delivers an event once however often it is delivered', async () => {
    const c = await buildComplaint(portal, { citizenId: amina.id });
    const event = await reply(c.id, 'Once only.');
    const again = await portal.database.db.transaction().execute((trx) =>
      portal.app.services.inbox.deliverComplaintEvent(trx, {
        eventId: event.event.id,
        complaintId: c.id,
        trackingNumber: c.trackingNumber,
        type: 'reply',
        toStatus: null,
        message: 'Once only.',
        recipients: [amina.id, amina.id],
      }),
    );
    expect(again).toEqual([]);
    const items = (await inbox(amina)).json().items.filter((i: { body: string }) => i.body === 'Once only.');
    expect(items).toHaveLength(1);
  });

  it('marks read only the citizen\u2019s own items', async () => {
    const gulItems = (await inbox(gul)).json().items as { id: number }[];
    const aminaBefore = (await inbox(amina)).json();
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: bearer(amina.token),
      payload: { ids: [gulItems[0]!.id, aminaBefore.items[0].id] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().unread).toBe(aminaBefore.unread - 1);
    expect((await inbox(gul)).json().unread).toBe(gulItems.length);
    const all = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: bearer(amina.token),
      payload: { all: true },
    });
    expect(all.json()).toEqual({ unread: 0 });
    expect((await inbox(amina, '?unread=true')).json().items).toEqual([]);
  });

  it('pages with a cursor and refuses bad input in the error shape', async () => {
    const first = (await inbox(gul, '?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await inbox(gul, `?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items[0].id).toBeLessThan(first.items[1].id);
    for (const q of ['?limit=0', '?limit=1000', '?cursor=abc', '?cursor=-1', '?unread=maybe']) {
      const res = await inbox(gul, q);
      expect(res.statusCode, q).toBe(400);
      errorOf(res);
    }
    for (const payload of [
      { ids: ['x'] },
      { ids: [] },
      { all: false },
      { ids: Array.from({ length: 501 }, (_, i) => i + 1) },
      {},
    ]) {
      const res = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/inbox/read',
        headers: bearer(gul.token),
        payload,
      });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 40)).toBe(400);
    }
    expect((await portal.app.inject({ method: 'GET', url: '/api/v1/inbox' })).statusCode).toBe(401);
  });

  it('streams new items live: committed ones arrive, rolled-back ones do not', async () => {
    const c = await buildComplaint(portal, { citizenId: amina.id });
    const address = await portal.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${address}/api/v1/inbox/stream`, {
      headers: bearer(amina.token),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const events: { unread: number; latestId: number }[] = [];
    let buffer = '';
    const pump = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value);
        for (const m of buffer.matchAll(/event: inbox\ndata: (.*)\n\n/g)) events.push(JSON.parse(m[1]!));
        buffer = buffer.slice(buffer.lastIndexOf('\n\n') + 2);
      }
    })().catch(() => {});
    const waitFor = async (n: number) => {
      for (let i = 0; i < 100 && events.length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await waitFor(1);
    expect(events).toHaveLength(1);

    await portal.database.db
      .transaction()
      .execute(async (trx) => {
        await portal.app.services.lifecycle.apply(trx, c.id, {
          type: 'reply',
          visibility: 'public',
          actor: { type: 'staff', id: null },
          message: 'Rolled back.',
        });
        throw new Error('roll back');
      })
      .catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toHaveLength(1);

    await reply(c.id, 'Live!');
    await waitFor(2);
    expect(events).toHaveLength(2);
    expect(events[1]!.latestId).toBeGreaterThan(events[0]!.latestId);
    expect(events[1]!.unread).toBe(events[0]!.unread + 1);
    controller.abort();
    await pump;
  });
});
