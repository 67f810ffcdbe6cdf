import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { startPushService, type TestDevice, type TestPushService } from '../../../test/push-service.js';

let portal: TestPortal;
let push: TestPushService;
let admin: { token: string; id: number };
let ids: Awaited<ReturnType<typeof refIds>>;

beforeAll(async () => {
  push = await startPushService();
  portal = await createTestPortal({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true', RATE_LIMITS: 'off' });
  admin = await buildStaff(portal, { role: 'admin' });
  ids = await refIds(portal);
});
afterAll(async () => {
  await portal?.destroy();
  await push?.close();
});

const hour = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();

async function citizenWithDevice(
  district: string,
  language = 'en',
): Promise<[RegisteredCitizen, TestDevice]> {
  const c = await buildCitizen(portal, { district: ids.district(district), language });
  const d = push.device();
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/push/subscriptions',
    headers: bearer(c.token),
    payload: d.subscription,
  });
  expect(res.statusCode).toBe(201);
  return [c, d];
}

const announce = (payload: object, token = admin.token) =>
  portal.app.inject({ method: 'POST', url: '/api/v1/staff/announcements', headers: bearer(token), payload });

const listFor = async (c: RegisteredCitizen) => {
  const res = await portal.app.inject({
    method: 'GET',
    url: '/api/v1/announcements',
    headers: bearer(c.token),
  });
  expect(res.statusCode).toBe(200);
  return res.json().items as { id: number; title: string; banner: boolean; readAt: string | null }[];
};

describe('an emergency announcement for two districts', () => {
  it('reaches the devices and lists of their citizens only, in each one language, and texts them on request', async () => {
    const [peshawar, peshawarPhone] = await citizenWithDevice('peshawar', 'ur');
    const [mardan, mardanPhone] = await citizenWithDevice('mardan', 'ps');
    const [kohat, kohatPhone] = await citizenWithDevice('kohat');
    const before = push.received.length;

    const res = await announce({
      severity: 'emergency',
      title: { en: 'Flood warning', ur: 'سیلاب کی وارننگ', ps: 'د سیلاب خبرداری' },
      body: { en: 'Move to higher ground.', ur: 'اونچی جگہ پر چلے جائیں۔', ps: 'لوړ ځای ته لاړ شئ.' },
      districtIds: [ids.district('peshawar'), ids.district('mardan')],
      expiresAt: hour(6),
      sendSms: true,
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as number;
    await portal.drain();

    const pushes = push.received.slice(before);
    expect(pushes.map((p) => p.deviceId).sort()).toEqual([peshawarPhone.id, mardanPhone.id].sort());
    expect(pushes.find((p) => p.deviceId === peshawarPhone.id)!.payload.title).toBe('سیلاب کی وارننگ');
    expect(pushes.find((p) => p.deviceId === mardanPhone.id)!.payload.body).toBe('لوړ ځای ته لاړ شئ.');
    expect(pushes.some((p) => p.deviceId === kohatPhone.id)).toBe(false);

    expect((await listFor(peshawar)).find((a) => a.id === id)).toMatchObject({
      title: 'سیلاب کی وارننگ',
      banner: true,
    });
    expect((await listFor(mardan)).some((a) => a.id === id)).toBe(true);
    expect((await listFor(kohat)).some((a) => a.id === id)).toBe(false);

    const texts = (await readFile(path.join(portal.outboxDir, 'sms.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { to: string; text: string });
    expect(texts.filter((t) => t.to === peshawar.mobile && t.text.startsWith('سیلاب'))).toHaveLength(1);
    expect(texts.filter((t) => t.to === mardan.mobile && t.text.startsWith('د سیلاب'))).toHaveLength(1);
    expect(texts.some((t) => t.to === kohat.mobile && t.text.includes('Flood'))).toBe(false);

    // Reading it takes the banner away, once; the one record is shared, each reader has a marker.
    for (let i = 0; i < 2; i++) {
      const read = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/announcements/${id}/read`,
        headers: bearer(peshawar.token),
      });
      expect(read.statusCode).toBe(204);
    }
    expect((await listFor(peshawar)).find((a) => a.id === id)).toMatchObject({ banner: false });
    expect((await listFor(mardan)).find((a) => a.id === id)).toMatchObject({ banner: true, readAt: null });
    const outside = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/announcements/${id}/read`,
      headers: bearer(kohat.token),
    });
    expect(outside.statusCode).toBe(404);
    const markers = await portal.database.db
      .selectFrom('announcement_reads')
      .selectAll()
      .where('announcement_id', '=', id)
      .execute();
    expect(markers).toHaveLength(1);

    const audit = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'announcement')
      .where('entity_id', '=', String(id))
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['announcement.created']);
  });
});

describe('announcements', () => {
  it('lists current ones newest first, hides future, expired and withdrawn ones, and pushes nothing for general ones', async () => {
    const [c, phone] = await citizenWithDevice('swat');
    const before = push.received.length;
    const first = await announce({
      severity: 'general',
      title: { en: 'Polio campaign' },
      body: { en: 'Next week.' },
      expiresAt: hour(5),
    });
    const second = await announce({
      severity: 'general',
      title: { ur: 'نیا' },
      body: { ur: 'متن' },
      expiresAt: hour(5),
    });
    const future = await announce({
      severity: 'emergency',
      title: { en: 'Later' },
      body: { en: 'Tomorrow' },
      startsAt: hour(20),
      expiresAt: hour(30),
    });
    const withdrawn = await announce({
      severity: 'general',
      title: { en: 'Oops' },
      body: { en: 'Wrong' },
      expiresAt: hour(5),
    });
    for (const r of [first, second, future, withdrawn]) expect(r.statusCode).toBe(201);
    const del = await portal.app.inject({
      method: 'DELETE',
      url: `/api/v1/staff/announcements/${withdrawn.json().id}`,
      headers: bearer(admin.token),
    });
    expect(del.statusCode).toBe(200);
    expect(del.json().withdrawnAt).not.toBeNull();
    await portal.drain();

    const items = await listFor(c);
    const mine = items.filter((a) => [first, second, future, withdrawn].some((r) => r.json().id === a.id));
    expect(mine.map((a) => a.id)).toEqual([second.json().id, first.json().id]);
    // Written only in Urdu: shown in Urdu to an English reader rather than not at all.
    expect(mine[0]!.title).toBe('نیا');
    expect(push.received.slice(before).some((p) => p.deviceId === phone.id)).toBe(false);

    const patch = await portal.app.inject({
      method: 'PATCH',
      url: `/api/v1/staff/announcements/${first.json().id}`,
      headers: bearer(admin.token),
      payload: { title: { en: 'Polio campaign: Monday' } },
    });
    expect(patch.statusCode).toBe(200);
    expect((await listFor(c)).find((a) => a.id === first.json().id)!.title).toBe('Polio campaign: Monday');
  });

  it('refuses bad announcements with the error shape and stores nothing', async () => {
    const count = async () =>
      Number(
        (
          await portal.database.db
            .selectFrom('announcements')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const n = await count();
    const ok = { severity: 'general', title: { en: 'T' }, body: { en: 'B' }, expiresAt: hour(2) };
    const bad: [string, unknown][] = [
      ['no language', { ...ok, title: {}, body: {} }],
      ['blank text', { ...ok, title: { en: '  ' }, body: { en: ' ' } }],
      ['body without its title', { ...ok, title: { en: 'T' }, body: { ur: 'B' } }],
      ['unknown language', { ...ok, title: { fr: 'T' } }],
      ['bad severity', { ...ok, severity: 'panic' }],
      ['expired', { ...ok, expiresAt: hour(-1) }],
      ['ends before it starts', { ...ok, startsAt: hour(5), expiresAt: hour(4) }],
      ['not a date', { ...ok, expiresAt: 'tomorrow' }],
      ['too long', { ...ok, expiresAt: hour(24 * 100) }],
      ['unknown district', { ...ok, districtIds: [999_999] }],
      ['empty district list', { ...ok, districtIds: [] }],
      ['wrong type', { ...ok, districtIds: 'peshawar' }],
      ['SMS for a general one', { ...ok, sendSms: true }],
      ['oversized title', { ...ok, title: { en: 'x'.repeat(201) } }],
      ['extra field', { ...ok, pinned: true }],
    ];
    for (const [what, payload] of bad) {
      const res = await announce(payload as object);
      expect(res.statusCode, what).toBe(400);
      expect(errorOf(res).code, what).toBe('validation_failed');
    }
    expect(await count()).toBe(n);
  });

  it('is for admins only', async () => {
    const supervisor = await buildStaff(portal, { role: 'supervisor' });
    const officer = await buildStaff(portal, { role: 'officer' });
    const citizen = await buildCitizen(portal);
    const body = { severity: 'general', title: { en: 'T' }, body: { en: 'B' }, expiresAt: hour(2) };
    for (const token of [supervisor.token, officer.token, citizen.token]) {
      const res = await announce(body, token);
      expect(res.statusCode).toBe(403);
      errorOf(res);
      const list = await portal.app.inject({
        method: 'GET',
        url: '/api/v1/staff/announcements',
        headers: bearer(token),
      });
      expect(list.statusCode).toBe(403);
    }
    expect((await portal.app.inject({ method: 'GET', url: '/api/v1/announcements' })).statusCode).toBe(401);
    const staffList = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/announcements',
      headers: bearer(officer.token),
    });
    expect(staffList.statusCode).toBe(403);
  });
});
