import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

const PESHAWAR = { lat: 34.0151, lng: 71.5249 };
const SWAT = { lat: 34.7717, lng: 72.3602 };

describe('complaints: the citizen side', () => {
  let portal: TestPortal;
  let amina: RegisteredCitizen;
  let bilal: RegisteredCitizen;
  let waterCategory: number;
  let roadsCategory: number;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off' });
    amina = await buildCitizen(portal);
    bilal = await buildCitizen(portal);
    const categories = await portal.app.services.geo.categories();
    waterCategory = categories.find((c) => c.code === 'water-supply-no-water')!.id;
    roadsCategory = categories.find(
      (c) =>
        c.parent_id === null &&
        c.department_id !== categories.find((x) => x.id === waterCategory)!.department_id,
    )!.id;
  });
  afterAll(async () => portal?.destroy());

  const submit = (
    who: RegisteredCitizen,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) =>
    portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(who.token), ...headers },
      payload: body,
    });

  const waterAt = (point: { lat: number; lng: number }, extra: Record<string, unknown> = {}) => ({
    category: waterCategory,
    description: 'No water in our street for three days.',
    ...point,
    accuracy: 12,
    consent: true,
    ...extra,
  });

  it('files from a GPS point: district from the point, routed to that district\u2019s office of the department', async () => {
    const res = await submit(amina, waterAt(PESHAWAR));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.trackingNumber).toMatch(/^KP-\d{4}-\d{6}$/);
    expect(body.status).toBe('assigned');
    expect(body.district.code).toBe('peshawar');
    expect(body.department.code).toBe('phe');
    expect(body.office.code).toBe('phe.peshawar');
    const due = new Date(body.dueAt).getTime() - Date.now();
    expect(due).toBeGreaterThan(6.9 * 86_400_000);
    expect(due).toBeLessThan(7.1 * 86_400_000);

    const detail = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${body.id}`,
      headers: bearer(amina.token),
    });
    expect(detail.statusCode).toBe(200);
    const d = detail.json();
    expect(d.timeline.map((e: { type: string }) => e.type)).toEqual(['submitted', 'assigned']);
    expect(d.location).toEqual({ lat: PESHAWAR.lat, lng: PESHAWAR.lng, accuracyM: 12 });
    expect(d.office.code).toBe('phe.peshawar');
  });

  it('the GPS point decides the district even when another district is named', async () => {
    const res = await submit(amina, waterAt(SWAT, { district: 1 }));
    expect(res.statusCode).toBe(201);
    expect(res.json().district.code).toBe('swat');
    expect(res.json().office.code).toBe('phe.swat');
  });

  it('refuses a point outside the territory with a clear message', async () => {
    const res = await submit(amina, waterAt({ lat: 24.86, lng: 67.0 })); // Karachi
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).code).toBe('outside_territory');
    expect(errorOf(res).message).toMatch(/outside the area/);
  });

  it('without GPS needs the district and an address', async () => {
    const none = await submit(amina, {
      category: waterCategory,
      description: 'Pipe burst near the school.',
      consent: true,
    });
    expect(none.statusCode).toBe(400);
    expect(Object.keys(errorOf(none).fields!)).toEqual(expect.arrayContaining(['district', 'address']));
    const districts = await portal.app.services.geo.listDistricts();
    const mardan = districts.find((d) => d.code === 'mardan')!;
    const ok = await submit(amina, {
      category: waterCategory,
      description: 'Pipe burst near the school.',
      district: mardan.id,
      address: 'Near Government High School No. 1, Mardan',
      consent: true,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().district.code).toBe('mardan');
    expect(ok.json().office.code).toBe('phe.mardan');
  });

  it('requires the acceptable-use consent', async () => {
    const before = await countComplaints();
    const res = await submit(amina, waterAt(PESHAWAR, { consent: false }));
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).fields?.consent).toBeTruthy();
    const missing = await submit(amina, {
      category: waterCategory,
      description: 'x'.repeat(20),
      ...PESHAWAR,
    });
    expect(missing.statusCode).toBe(400);
    expect(errorOf(missing).fields?.consent).toBeTruthy();
    expect(await countComplaints()).toBe(before);
  });

  it('answers bad input with 400 in the error shape and stores nothing', async () => {
    const before = await countComplaints();
    const cases: Record<string, unknown>[] = [
      waterAt(PESHAWAR, { category: 'water' }),
      waterAt(PESHAWAR, { category: 999_999 }),
      waterAt(PESHAWAR, { lat: 'north' }),
      waterAt(PESHAWAR, { lat: 91 }),
      waterAt({ lat: 34.0 } as { lat: number; lng: number }),
      waterAt(PESHAWAR, { description: 'x'.repeat(4001) }),
      waterAt(PESHAWAR, { description: '   short  ' }),
      waterAt(PESHAWAR, { extra: 'field' }),
      waterAt(PESHAWAR, { consent: 'yes' }),
    ];
    for (const body of cases) {
      const res = await submit(amina, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      errorOf(res);
    }
    const notJson = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(amina.token), 'content-type': 'application/json' },
      payload: '{"category":',
    });
    expect(notJson.statusCode).toBe(400);
    const text = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(amina.token), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    expect(await countComplaints()).toBe(before);
  });

  it('stores SQL and HTML in text as text', async () => {
    const hostile = `<script>alert(1)</script>'; DROP TABLE complaints; --`;
    const res = await submit(amina, waterAt(PESHAWAR, { description: hostile, address: '<b>bold</b>' }));
    expect(res.statusCode).toBe(201);
    const detail = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${res.json().id}`,
      headers: bearer(amina.token),
    });
    expect(detail.json().description).toBe(hostile);
    expect(detail.headers['content-type']).toMatch(/application\/json/);
  });

  it('a retry with the same Idempotency-Key returns the first answer and creates nothing', async () => {
    const before = await countComplaints();
    const key = 'offline-draft-0001';
    const first = await submit(amina, waterAt(PESHAWAR), { 'idempotency-key': key });
    const second = await submit(amina, waterAt(PESHAWAR), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countComplaints()).toBe(before + 1);

    const reused = await submit(amina, waterAt(SWAT), { 'idempotency-key': key });
    expect(reused.statusCode).toBe(409);
    expect(errorOf(reused).code).toBe('idempotency_key_reused');
    // Keys are per citizen: another citizen's same key is a different request.
    const other = await submit(bilal, waterAt(PESHAWAR), { 'idempotency-key': key });
    expect(other.statusCode).toBe(201);
    expect(other.json().id).not.toBe(first.json().id);

    const bad = await submit(amina, waterAt(PESHAWAR), { 'idempotency-key': 'bad key with spaces' });
    expect(bad.statusCode).toBe(400);
  });

  it('the same key sent twice at once creates exactly one complaint', async () => {
    const before = await countComplaints();
    const key = 'race-key-000000042';
    const results = await Promise.all(
      Array.from({ length: 5 }, () => submit(amina, waterAt(PESHAWAR), { 'idempotency-key': key })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
    expect(await countComplaints()).toBe(before + 1);
  });

  it('lists only the citizen\u2019s own complaints and hides others\u2019 behind 404', async () => {
    const mine = await submit(bilal, waterAt(PESHAWAR, { description: 'Bilal\u2019s own complaint here.' }));
    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/complaints?limit=100',
      headers: bearer(amina.token),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.some((c: { id: number }) => c.id === mine.json().id)).toBe(false);
    const peek = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${mine.json().id}`,
      headers: bearer(amina.token),
    });
    expect(peek.statusCode).toBe(404);
    expect(errorOf(peek).code).toBe('not_found');
    const anonymous = await portal.app.inject({ method: 'GET', url: `/api/v1/complaints/${mine.json().id}` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('pages the citizen\u2019s list with a cursor', async () => {
    const first = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/complaints?limit=2',
      headers: bearer(amina.token),
    });
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).toBeTruthy();
    const second = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints?limit=2&cursor=${page1.nextCursor}`,
      headers: bearer(amina.token),
    });
    const ids = [...page1.items, ...second.json().items].map((c: { id: number }) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const bad = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/complaints?cursor=abc',
      headers: bearer(amina.token),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('offers nearby open complaints of the same category, and a citizen can support one once', async () => {
    const original = (await submit(amina, waterAt(PESHAWAR))).json();
    const near = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/nearby?lat=${PESHAWAR.lat + 0.0003}&lng=${PESHAWAR.lng}&category=${waterCategory}`,
      headers: bearer(bilal.token),
    });
    expect(near.statusCode).toBe(200);
    const hit = near.json().items.find((i: { id: number }) => i.id === original.id);
    expect(hit).toBeTruthy();
    expect(hit.distanceM).toBeGreaterThan(20);
    expect(hit.distanceM).toBeLessThan(50);
    expect(JSON.stringify(hit)).not.toContain('No water in our street');

    const far = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/nearby?lat=${PESHAWAR.lat + 0.01}&lng=${PESHAWAR.lng}&category=${waterCategory}`,
      headers: bearer(bilal.token),
    });
    expect(far.json().items.some((i: { id: number }) => i.id === original.id)).toBe(false);
    const otherKind = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/nearby?lat=${PESHAWAR.lat}&lng=${PESHAWAR.lng}&category=${roadsCategory}`,
      headers: bearer(bilal.token),
    });
    expect(otherKind.json().items.some((i: { id: number }) => i.id === original.id)).toBe(false);

    const support = () =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${original.id}/support`,
        headers: bearer(bilal.token),
      });
    const [a, b] = await Promise.all([support(), support()]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const own = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${original.id}/support`,
      headers: bearer(amina.token),
    });
    expect(own.statusCode).toBe(409);
    const row = await portal.t.database.db
      .selectFrom('complaints')
      .select('support_count')
      .where('id', '=', original.id)
      .executeTakeFirstOrThrow();
    expect(row.support_count).toBe(1);
  });

  it('a blocked citizen cannot file', async () => {
    const carol = await buildCitizen(portal);
    await portal.t.database.db
      .updateTable('citizens')
      .set({ status: 'blocked', blocked_at: new Date().toISOString(), blocked_reason: 'test' })
      .where('id', '=', carol.id)
      .execute();
    const res = await submit(carol, waterAt(PESHAWAR));
    expect(res.statusCode).toBe(403);
    expect(errorOf(res).code).toBe('citizen_blocked');
  });

  it('feedback: satisfied closes; not satisfied reopens escalated once, then to the admins; refused out of order', async () => {
    const { id } = (await submit(amina, waterAt(PESHAWAR))).json();
    const feedback = (body: Record<string, unknown>, who = amina) =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${id}/feedback`,
        headers: bearer(who.token),
        payload: body,
      });
    const early = await feedback({ satisfied: true });
    expect(early.statusCode).toBe(409);
    expect(errorOf(early).code).toBe('invalid_transition');

    await resolve(id);
    expect((await feedback({ satisfied: true }, bilal)).statusCode).toBe(404);
    expect((await feedback({ satisfied: false })).statusCode).toBe(400); // needs a comment
    const reopened = await feedback({ satisfied: false, rating: 1, comment: 'Still no water.' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toEqual({ status: 'reopened', escalationLevel: 1 });

    await resolve(id);
    const again = await feedback({ satisfied: false, rating: 1, comment: 'Still nothing.' });
    expect(again.json()).toEqual({ status: 'reopened', escalationLevel: 2 });

    await resolve(id);
    const closed = await feedback({ satisfied: true, rating: 5, comment: 'Fixed, thank you.' });
    expect(closed.json().status).toBe('closed');
    const twice = await feedback({ satisfied: true });
    expect(twice.statusCode).toBe(409);
    const detail = (
      await portal.app.inject({
        method: 'GET',
        url: `/api/v1/complaints/${id}`,
        headers: bearer(amina.token),
      })
    ).json();
    expect(detail.closeReason).toBe('satisfied');
    expect(detail.feedback).toMatchObject({ satisfied: true, rating: 5 });
    expect(detail.timeline.filter((e: { type: string }) => e.type === 'reopened')).toHaveLength(2);
  });

  it('the citizen answers the office from the Message Box; not on a closed complaint', async () => {
    const { id } = (await submit(amina, waterAt(PESHAWAR))).json();
    const reply = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${id}/messages`,
      headers: bearer(amina.token),
      payload: { message: 'The leak is now near house 12.' },
    });
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().type).toBe('citizen_reply');
    const other = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/complaints/${id}/messages`,
      headers: bearer(bilal.token),
      payload: { message: 'Not mine.' },
    });
    expect(other.statusCode).toBe(404);
  });

  it('keeps the per-office counts equal to the complaints', async () => {
    const db = portal.t.database.db;
    const counted = await db
      .selectFrom('complaints')
      .select(['office_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy(['office_id', 'status'])
      .execute();
    const kept = await db.selectFrom('complaint_counts').selectAll().where('count', '!=', 0).execute();
    const norm = (rows: { office_id: number | null; status: string; n?: number; count?: number }[]) =>
      rows.map((r) => `${r.office_id ?? 0}:${r.status}:${Number(r.n ?? r.count)}`).sort();
    expect(norm(kept)).toEqual(norm(counted));
  });

  async function resolve(id: number) {
    const { lifecycle } = portal.app.services;
    await portal.t.database.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('complaints')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (row.status === 'assigned' || row.status === 'reopened') {
        await lifecycle.apply(trx, id, {
          type: 'in_progress',
          visibility: 'public',
          actor: { type: 'staff', id: null },
          toStatus: 'in_progress',
        });
      }
      await lifecycle.apply(trx, id, {
        type: 'resolved',
        visibility: 'public',
        actor: { type: 'staff', id: null },
        toStatus: 'resolved',
        message: 'Pipe repaired.',
        patch: { resolved_at: new Date().toISOString() },
      });
    });
  }

  async function countComplaints(): Promise<number> {
    const r = await portal.t.database.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
});

describe('complaints: flood protection', () => {
  it('limits one citizen to 30 submissions a minute, with a 429 in the error shape', async () => {
    const portal = await createTestPortal();
    try {
      const citizen = await buildCitizen(portal);
      const category = (await portal.app.services.geo.categories()).find(
        (c) => c.code === 'water-supply-no-water',
      )!;
      const submit = () =>
        portal.app.inject({
          method: 'POST',
          url: '/api/v1/complaints',
          headers: bearer(citizen.token),
          payload: {
            category: category.id,
            description: 'Flooding the portal.',
            lat: 34.0151,
            lng: 71.5249,
            consent: true,
          },
        });
      for (let i = 0; i < 30; i++) expect((await submit()).statusCode).toBe(201);
      const refused = await submit();
      expect(refused.statusCode).toBe(429);
      expect(errorOf(refused).code).toBe('rate_limited');
      const other = await buildCitizen(portal);
      const fromOther = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/complaints',
        headers: bearer(other.token),
        payload: {
          category: category.id,
          description: 'A different citizen.',
          lat: 34.0151,
          lng: 71.5249,
          consent: true,
        },
      });
      expect(fromOther.statusCode).toBe(201);
    } finally {
      await portal.destroy();
    }
  });
});
