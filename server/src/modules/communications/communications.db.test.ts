import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint, refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { COMMUNICATIONS_QUEUE } from './service.js';

let portal: TestPortal;
let admin: { token: string; id: number; name: string };
let ids: Awaited<ReturnType<typeof refIds>>;

beforeAll(async () => {
  portal = await createTestPortal({ RATE_LIMITS: 'off' });
  admin = await buildStaff(portal, { role: 'admin' });
  ids = await refIds(portal);
});
afterAll(async () => {
  await portal?.destroy();
});

const send = (payload: object, token = admin.token) =>
  portal.app.inject({ method: 'POST', url: '/api/v1/staff/communications', headers: bearer(token), payload });

async function messagesOf(citizenId: number, communicationId: number) {
  const rows = await portal.database.db
    .selectFrom('inbox_items')
    .select(['title', 'body', 'kind', 'data'])
    .where('citizen_id', '=', citizenId)
    .where('kind', '=', 'message')
    .execute();
  return rows.filter((r) => {
    const data = typeof r.data === 'string' ? JSON.parse(r.data) : r.data;
    return (data as { communicationId?: number } | null)?.communicationId === communicationId;
  });
}

describe('general communications', () => {
  it('reach one citizen at once, in their language', async () => {
    const c = await buildCitizen(portal, { language: 'ps' });
    const res = await send({
      audience: { type: 'citizen', id: c.id },
      title: { en: 'Your water connection', ps: 'ستاسو د اوبو نښلول' },
      body: { en: 'It is ready.', ps: 'چمتو دی.' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      delivered: 1,
      finishedAt: expect.any(String),
      createdByName: admin.name,
    });
    expect(await messagesOf(c.id, res.json().id)).toMatchObject([
      { title: 'ستاسو د اوبو نښلول', body: 'چمتو دی.' },
    ]);
    await portal.drain();
    expect(await messagesOf(c.id, res.json().id)).toHaveLength(1);
  });

  it('reach a district and the complainants of a category through the queue, once each', async () => {
    const inSwat = await buildCitizen(portal, { district: ids.district('swat') });
    const inSwat2 = await buildCitizen(portal, { district: ids.district('swat') });
    const elsewhere = await buildCitizen(portal, { district: ids.district('kohat') });
    const district = await send({
      audience: { type: 'district', id: ids.district('swat') },
      title: { en: 'Road closed' },
    });
    expect(district.statusCode).toBe(201);
    const id = district.json().id as number;
    // Not in the request: a job delivers it; replaying the job delivers nothing twice.
    expect(await messagesOf(inSwat.id, id)).toHaveLength(0);
    await portal.drain();
    await portal.app.services.communications.deliverPage(id);
    await portal.jobs.enqueue(portal.database.db, COMMUNICATIONS_QUEUE, { id });
    await portal.drain();
    expect(await messagesOf(inSwat.id, id)).toHaveLength(1);
    expect(await messagesOf(inSwat2.id, id)).toHaveLength(1);
    expect(await messagesOf(elsewhere.id, id)).toHaveLength(0);

    const complainant = await buildCitizen(portal);
    await buildComplaint(portal, { citizenId: complainant.id, category: 'water-supply-no-water' });
    await buildComplaint(portal, { citizenId: complainant.id, category: 'water-supply-no-water' });
    const category = await send({
      audience: { type: 'category', id: ids.category('water-supply-no-water') },
      title: { en: 'Water supply restored' },
    });
    await portal.drain();
    expect(await messagesOf(complainant.id, category.json().id)).toHaveLength(1);
    expect(await messagesOf(elsewhere.id, category.json().id)).toHaveLength(0);

    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/communications',
      headers: bearer(admin.token),
    });
    expect(list.json().items.find((m: { id: number }) => m.id === id)).toMatchObject({
      audience: { type: 'district', id: ids.district('swat') },
      delivered: 2,
      finishedAt: expect.any(String),
      createdBy: admin.id,
      createdByName: admin.name,
    });
    const audit = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'communication')
      .where('entity_id', '=', String(id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['communication.sent']);
  });

  it('refuses bad messages and non-admins with the error shape, storing nothing', async () => {
    const count = async () =>
      (await portal.database.db.selectFrom('communications').select('id').execute()).length;
    const before = await count();
    const bad: object[] = [
      { audience: { type: 'district', id: 999_999 }, title: { en: 'x' } },
      { audience: { type: 'everyone', id: 1 }, title: { en: 'x' } },
      { audience: { type: 'district', id: ids.district('swat') }, title: {} },
      { audience: { type: 'district', id: ids.district('swat') }, title: { en: 'x'.repeat(301) } },
      { audience: { type: 'district', id: '1' }, title: { en: 'x' } },
      { title: { en: 'x' } },
    ];
    for (const payload of bad) {
      const res = await send(payload as object);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      errorOf(res);
    }
    const supervisor = await buildStaff(portal, { role: 'supervisor' });
    const c = await buildCitizen(portal);
    for (const token of [supervisor.token, c.token]) {
      const res = await send({ audience: { type: 'citizen', id: c.id }, title: { en: 'x' } }, token);
      expect(res.statusCode).toBe(403);
    }
    expect(await count()).toBe(before);
  });
});
