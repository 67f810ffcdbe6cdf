import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint } from '../../../test/complaints.js';
import { bearer, buildCitizen, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import type { ComplaintStatus } from '../../db/schema.js';
import { EVENT_TITLES } from './messages.js';
import { itemsQuery, unreadQuery } from './repo.js';

let nextComplaintId = 700_000;

/** A complaint and one public event on it, written directly (the lifecycle is another module's). */
async function complaintWithEvent(
  portal: TestPortal,
  citizenId: number,
  event: { type?: string; toStatus?: ComplaintStatus | null; message?: string | null } = {},
) {
  const db = portal.database.db;
  const category = await db
    .selectFrom('categories')
    .select(['id', 'department_id'])
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const district = await db
    .selectFrom('districts')
    .select('id')
    .orderBy('id')
    .limit(1)
    .executeTakeFirstOrThrow();
  const id = nextComplaintId++;
  const trackingNumber = `KP-2026-${String(id).padStart(6, '0')}`;
  const now = new Date().toISOString();
  await db
    .insertInto('complaints')
    .values({
      id,
      tracking_number: trackingNumber,
      citizen_id: citizenId,
      source: 'app',
      category_id: category.id,
      department_id: category.department_id,
      district_id: district.id,
      description: 'The street light has been out for a week.',
      status: 'resolved',
      due_at: now,
      consent_at: now,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const type = event.type ?? 'resolved';
  const toStatus = event.toStatus === undefined ? 'resolved' : event.toStatus;
  const message = event.message === undefined ? 'The light was replaced.' : event.message;
  const saved = await db
    .insertInto('complaint_events')
    .values({
      complaint_id: id,
      type,
      visibility: 'public',
      actor_type: 'staff',
      actor_id: null,
      to_status: toStatus,
      message,
      data: null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { complaintId: id, trackingNumber, eventId: saved.id, type, toStatus, message };
}

type Delivery = Awaited<ReturnType<typeof complaintWithEvent>>;

function setup() {
  const ctx = {} as { portal: TestPortal };
  beforeAll(async () => {
    ctx.portal = await createTestPortal();
  });
  afterAll(async () => ctx.portal?.destroy());
  return ctx;
}

describe('Message Box delivery', () => {
  const ctx = setup();
  const deliver = (e: Delivery, recipients: number[]) =>
    ctx.portal.database.db
      .transaction()
      .execute((trx) => ctx.portal.app.services.inbox.deliverComplaintEvent(trx, { ...e, recipients }));
  const itemsOf = (citizenId: number) =>
    ctx.portal.database.db
      .selectFrom('inbox_items')
      .selectAll()
      .where('citizen_id', '=', citizenId)
      .execute();

  it('titles each item in its recipient\u2019s language, with the event message as the body', async () => {
    const en = await buildCitizen(ctx.portal, { language: 'en' });
    const ur = await buildCitizen(ctx.portal, { language: 'ur' });
    const ps = await buildCitizen(ctx.portal, { language: 'ps' });
    const e = await complaintWithEvent(ctx.portal, en.id);
    const delivered = await deliver(e, [en.id, ur.id, ps.id]);
    expect(delivered.sort()).toEqual([en.id, ur.id, ps.id].sort());
    const tn = e.trackingNumber;
    const [enItem] = await itemsOf(en.id);
    expect(enItem).toMatchObject({
      kind: 'resolved',
      complaint_id: e.complaintId,
      event_id: e.eventId,
      title: `Complaint ${tn} was resolved: please confirm`,
      body: 'The light was replaced.',
      read_at: null,
    });
    expect((await itemsOf(ur.id))[0]!.title).toBe(EVENT_TITLES.resolved.ur.replace('{tn}', tn));
    expect((await itemsOf(ps.id))[0]!.title).toBe(EVENT_TITLES.resolved.ps.replace('{tn}', tn));
  });

  it('tells supporters of a resolution without asking them to confirm it', async () => {
    const supporter = await buildCitizen(ctx.portal, { language: 'ur' });
    const e = await complaintWithEvent(ctx.portal, supporter.id);
    await deliver({ ...e, type: 'supported_resolved' }, [supporter.id]);
    const [item] = await itemsOf(supporter.id);
    expect(item!.kind).toBe('supported_resolved');
    expect(item!.title).toBe(EVENT_TITLES.supported_resolved.ur.replace('{tn}', e.trackingNumber));
  });

  it('delivers an event once however often, and however concurrently, it is delivered', async () => {
    const amina = await buildCitizen(ctx.portal);
    const e = await complaintWithEvent(ctx.portal, amina.id, {
      type: 'reply',
      toStatus: null,
      message: 'Once.',
    });
    expect(await deliver(e, [amina.id, amina.id])).toEqual([amina.id]);
    expect(await deliver(e, [amina.id])).toEqual([]);
    const racing = await Promise.all([deliver(e, [amina.id]), deliver(e, [amina.id])]);
    expect(racing).toEqual([[], []]);
    const items = await itemsOf(amina.id);
    expect(items).toHaveLength(1);
    expect(items[0]!.title).toBe(`New message about complaint ${e.trackingNumber}`);

    // A second event of the same complaint is a new item.
    const next = await ctx.portal.database.db
      .insertInto('complaint_events')
      .values({
        complaint_id: e.complaintId,
        type: 'escalated',
        visibility: 'public',
        actor_type: 'system',
        actor_id: null,
        data: null,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await deliver({ ...e, eventId: next.id, type: 'escalated', message: null }, [amina.id])).toEqual([
      amina.id,
    ]);
    expect(await itemsOf(amina.id)).toHaveLength(2);
  });

  it('stores nothing when the delivering transaction rolls back, and skips unknown recipients', async () => {
    const gul = await buildCitizen(ctx.portal);
    const e = await complaintWithEvent(ctx.portal, gul.id);
    await expect(
      ctx.portal.database.db.transaction().execute(async (trx) => {
        await ctx.portal.app.services.inbox.deliverComplaintEvent(trx, { ...e, recipients: [gul.id] });
        throw new Error('the status change failed');
      }),
    ).rejects.toThrow('the status change failed');
    expect(await itemsOf(gul.id)).toEqual([]);
    expect(await deliver(e, [gul.id, 987_654_321])).toEqual([gul.id]);
  });

  it('delivers general messages, and refuses an empty or oversized one', async () => {
    const zara = await buildCitizen(ctx.portal);
    const send = (title: string, body: string | null) =>
      ctx.portal.database.db
        .transaction()
        .execute((trx) =>
          ctx.portal.app.services.inbox.deliverMessage(trx, { citizenId: zara.id, title, body }),
        );
    await send('  Polio campaign next week  ', 'Teams will visit every house.');
    const [item] = await itemsOf(zara.id);
    expect(item).toMatchObject({
      kind: 'message',
      complaint_id: null,
      event_id: null,
      title: 'Polio campaign next week',
      body: 'Teams will visit every house.',
    });
    await expect(send('   ', null)).rejects.toMatchObject({
      kind: 'invalid',
      fields: { title: expect.any(String) },
    });
    await expect(send('ok', 'x'.repeat(10_001))).rejects.toMatchObject({
      fields: { body: expect.any(String) },
    });
    expect(await itemsOf(zara.id)).toHaveLength(1);
  });

  it('is wired to the complaint lifecycle: a filed complaint is confirmed in the citizen\u2019s language', async () => {
    const ps = await buildCitizen(ctx.portal, { language: 'ps' });
    const c = await buildComplaint(ctx.portal, { citizenId: ps.id });
    const items = await itemsOf(ps.id);
    const submitted = items.find((i) => i.kind === 'submitted');
    expect(submitted?.title).toBe(EVENT_TITLES.submitted.ps.replace('{tn}', c.trackingNumber));
    expect(submitted?.complaint_id).toBe(c.id);
  });

  it('reads the list from the (citizen, id) index and the unread count from the partial index', async () => {
    const db = ctx.portal.database.db;
    const list = itemsQuery(db, 1, { before: 100, limit: 31, unreadOnly: false }).compile();
    const unread = unreadQuery(db, 1).compile();
    const postgres = ctx.portal.database.dialect === 'postgres';
    await db.transaction().execute(async (trx) => {
      // On a table this small PostgreSQL would rightly scan it; this asks which index it would use.
      if (postgres) await sql`set local enable_seqscan = off`.execute(trx);
      const explain = async (q: CompiledQuery) =>
        JSON.stringify(
          (
            await trx.executeQuery(
              CompiledQuery.raw(`explain ${postgres ? '' : 'query plan '}${q.sql}`, [...q.parameters]),
            )
          ).rows,
        );
      expect(await explain(list)).toContain('inbox_items_citizen');
      expect(await explain(unread)).toContain('inbox_items_unread');
    });
  });
});

describe('Message Box routes', () => {
  const ctx = setup();
  let amina: RegisteredCitizen;
  let gul: RegisteredCitizen;
  const get = (who: RegisteredCitizen, query = '') =>
    ctx.portal.app.inject({ method: 'GET', url: `/api/v1/inbox${query}`, headers: bearer(who.token) });
  const read = (who: RegisteredCitizen, payload: unknown) =>
    ctx.portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: bearer(who.token),
      payload: payload as object,
    });

  beforeAll(async () => {
    amina = await buildCitizen(ctx.portal);
    gul = await buildCitizen(ctx.portal, { language: 'ps' });
    for (const who of [amina, gul, amina, gul, amina, amina, amina, amina]) {
      const e = await complaintWithEvent(ctx.portal, who.id, {
        type: 'reply',
        toStatus: null,
        message: `for ${who.id}`,
      });
      await ctx.portal.database.db
        .transaction()
        .execute((trx) =>
          ctx.portal.app.services.inbox.deliverComplaintEvent(trx, { ...e, recipients: [who.id] }),
        );
    }
  });

  it('lists the citizen\u2019s own items newest first, with their complaint', async () => {
    const res = await get(amina);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.unread).toBe(6);
    expect(body.nextCursor).toBeNull();
    expect(body.items).toHaveLength(6);
    expect(body.items.every((i: { body: string }) => i.body === `for ${amina.id}`)).toBe(true);
    const ids = body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(body.items[0]).toEqual({
      id: expect.any(Number),
      kind: 'reply',
      complaintId: expect.any(Number),
      trackingNumber: expect.stringMatching(/^KP-2026-\d{6}$/),
      title: expect.stringContaining('New message about complaint KP-2026-'),
      body: `for ${amina.id}`,
      createdAt: expect.any(String),
      readAt: null,
    });
  });

  it('pages with a cursor, without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(amina, `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      seen.push(...res.json().items.map((i: { id: number }) => i.id));
      cursor = res.json().nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(seen).toEqual((await get(amina)).json().items.map((i: { id: number }) => i.id));
  });

  it('marks read only the citizen\u2019s own items; another\u2019s ids are ignored', async () => {
    const gulItems = (await get(gul)).json().items as { id: number }[];
    const mine = (await get(amina)).json().items as { id: number }[];
    const res = await read(amina, { ids: [gulItems[0]!.id, gulItems[1]!.id, mine[0]!.id, mine[0]!.id] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ unread: 5 });
    expect((await get(gul)).json().unread).toBe(2);
    expect((await get(gul)).json().items.every((i: { readAt: null }) => i.readAt === null)).toBe(true);
    const after = (await get(amina)).json().items;
    expect(after[0].readAt).toEqual(expect.any(String));
    const unreadOnly = (await get(amina, '?unread=true')).json();
    expect(unreadOnly.items.map((i: { id: number }) => i.id)).toEqual(mine.slice(1).map((i) => i.id));

    expect((await read(amina, { all: true })).json()).toEqual({ unread: 0 });
    expect((await get(amina, '?unread=true')).json().items).toEqual([]);
    expect((await get(gul)).json().unread).toBe(2);
  });

  it('refuses bad input with 400 in the error shape, changing nothing', async () => {
    for (const q of [
      '?limit=0',
      '?limit=101',
      '?limit=abc',
      '?cursor=abc',
      '?cursor=-1',
      '?cursor=0',
      '?cursor=1e3',
      '?cursor=99999999999999999999',
      '?unread=maybe',
      '?sort=asc',
    ]) {
      const res = await get(gul, q);
      expect(res.statusCode, q).toBe(400);
      expect(errorOf(res).code, q).toBe('validation_failed');
    }
    for (const payload of [
      { ids: ['x'] },
      { ids: ['1'] },
      { ids: [1.5] },
      { ids: [0] },
      { ids: [] },
      { ids: Array.from({ length: 501 }, (_, i) => i + 1) },
      { all: false },
      { all: 'true' },
      { ids: [1], all: true },
      {},
      [],
    ]) {
      const res = await read(gul, payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 40)).toBe(400);
      errorOf(res);
    }
    const malformed = await ctx.portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: { ...bearer(gul.token), 'content-type': 'application/json' },
      payload: '{"ids": [1,',
    });
    expect(malformed.statusCode).toBe(400);
    expect(errorOf(malformed).code).toBe('malformed_body');
    expect((await get(gul)).json().unread).toBe(2);
  });

  it('is for citizens only, and a cookie session needs its CSRF token to mark items', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/inbox'],
      ['POST', '/api/v1/inbox/read'],
      ['GET', '/api/v1/inbox/stream'],
    ] as const) {
      const res = await ctx.portal.app.inject({
        method,
        url,
        payload: method === 'POST' ? { all: true } : undefined,
      });
      expect(res.statusCode, url).toBe(401);
      errorOf(res);
    }
    const cookie = { cookie: `cp_session=${gul.token}` };
    expect(
      (await ctx.portal.app.inject({ method: 'GET', url: '/api/v1/inbox', headers: cookie })).statusCode,
    ).toBe(200);
    const noCsrf = await ctx.portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: cookie,
      payload: { all: true },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(errorOf(noCsrf).code).toBe('csrf');
    expect((await get(gul)).json().unread).toBe(2);
    const withCsrf = await ctx.portal.app.inject({
      method: 'POST',
      url: '/api/v1/inbox/read',
      headers: { ...cookie, 'x-csrf-token': gul.csrfToken },
      payload: { all: true },
    });
    expect(withCsrf.json()).toEqual({ unread: 0 });
  });
});
