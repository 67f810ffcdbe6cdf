import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

describe('warning and blocking citizens', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off' });
  });
  afterAll(async () => portal?.destroy());

  it('an admin warns, blocks and unblocks; the citizen is told, cannot file while blocked, and it is audited', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const citizen = await buildCitizen(portal, { language: 'ur' });
    const act = (action: string, reason = 'Uploaded an irrelevant picture twice.') =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/citizens/${citizen.id}/${action}`,
        headers: bearer(admin.token),
        payload: { reason },
      });
    const warned = await act('warn');
    expect(warned.statusCode).toBe(200);
    expect(warned.json()).toMatchObject({ status: 'active', warnings: 1 });
    const blocked = await act('block');
    expect(blocked.json()).toMatchObject({
      status: 'blocked',
      blockedReason: 'Uploaded an irrelevant picture twice.',
    });
    expect((await act('block')).statusCode).toBe(409);

    const category = (await portal.app.services.geo.categories()).find(
      (c) => c.code === 'water-supply-no-water',
    )!;
    const file = () =>
      portal.app.inject({
        method: 'POST',
        url: '/api/v1/complaints',
        headers: bearer(citizen.token),
        payload: {
          category: category.id,
          description: 'No water here for days.',
          lat: 34.0151,
          lng: 71.5249,
          consent: true,
        },
      });
    const refused = await file();
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('citizen_blocked');

    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/citizens/blocked',
      headers: bearer(admin.token),
    });
    expect(list.json().items.map((i: { id: number }) => i.id)).toContain(citizen.id);

    expect((await act('unblock', 'Agreed to follow the rules.')).json().status).toBe('active');
    expect((await act('unblock', 'Again.')).statusCode).toBe(409);
    expect((await file()).statusCode).toBe(201);

    const inbox = (
      await portal.app.inject({ method: 'GET', url: '/api/v1/inbox', headers: bearer(citizen.token) })
    ).json();
    const kinds = inbox.items.map((i: { kind: string }) => i.kind);
    expect(kinds).toEqual(expect.arrayContaining(['warning', 'blocked', 'unblocked']));
    expect(inbox.items.find((i: { kind: string }) => i.kind === 'warning').title).toMatch(/[\u0600-\u06FF]/);

    const audit = await portal.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'citizen')
      .where('entity_id', '=', String(citizen.id))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['citizen.warn', 'citizen.block', 'citizen.unblock']);
    expect((await portal.app.services.audit.verify()).ok).toBe(true);
  });

  it('an admin finds a citizen by CNIC, mobile, id or part of the name', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const zarghuna = await buildCitizen(portal, { name: 'Zarghuna Afridi_Test' });
    await buildCitizen(portal, { name: 'Zarghuna Bibi' });
    const find = async (q: string) => {
      const res = await portal.app.inject({
        method: 'GET',
        url: `/api/v1/staff/citizens?q=${encodeURIComponent(q)}`,
        headers: bearer(admin.token),
      });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { id: number; name: string; cnic: string; mobile: string }[]).map(
        (c) => c.id,
      );
    };
    const urduDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
    const dashed = `${zarghuna.cnic.slice(0, 5)}-${zarghuna.cnic.slice(5, 12)}-${zarghuna.cnic.slice(12)}`;
    const national = `0${zarghuna.mobile.slice(3)}`;
    for (const q of [
      zarghuna.cnic,
      dashed,
      urduDigits(dashed),
      zarghuna.mobile,
      national,
      `#${zarghuna.id}`,
    ]) {
      expect(await find(q), q).toEqual([zarghuna.id]);
    }
    expect(await find('zarghuna')).toHaveLength(2);
    expect(await find('afridi_t')).toEqual([zarghuna.id]);
    // Wildcards are searched for as they are, and a CNIC nobody has finds nobody.
    expect(await find('%%')).toEqual([]);
    expect(await find('a%b')).toEqual([]);
    expect(await find('g_una')).toEqual([]);
    expect(await find('11111-1111111-1')).toEqual([]);
    const one = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/citizens?q=${zarghuna.mobile.replace('+', '%2B')}`,
      headers: bearer(admin.token),
    });
    // Only the masked CNIC is listed.
    expect(one.json().items[0].cnic).toMatch(/^\d{5}-\*{7}-\d$/);
    expect(one.json().items[0]).not.toHaveProperty('email');
  });

  it('is for admins only, and refuses bad input', async () => {
    const citizen = await buildCitizen(portal);
    const supervisor = await buildStaff(portal, { role: 'supervisor' });
    const officer = await buildStaff(portal, { role: 'officer' });
    const admin = await buildStaff(portal, { role: 'admin' });
    for (const who of [supervisor, officer]) {
      const res = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/citizens/${citizen.id}/block`,
        headers: bearer(who.token),
        payload: { reason: 'No reason at all here.' },
      });
      expect(res.statusCode).toBe(403);
    }
    const asCitizen = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/citizens/${citizen.id}/block`,
      headers: bearer(citizen.token),
      payload: { reason: 'Blocking myself here.' },
    });
    expect([401, 403]).toContain(asCitizen.statusCode);
    for (const [url, payload, status] of [
      [`/api/v1/staff/citizens/${citizen.id}/block`, { reason: 'x' }, 400],
      [`/api/v1/staff/citizens/${citizen.id}/block`, {}, 400],
      [`/api/v1/staff/citizens/${citizen.id}/block`, { reason: 'y'.repeat(1001) }, 400],
      ['/api/v1/staff/citizens/999999/block', { reason: 'Unknown citizen here.' }, 404],
      ['/api/v1/staff/citizens/abc/block', { reason: 'Not a number here.' }, 400],
    ] as const) {
      const res = await portal.app.inject({ method: 'POST', url, headers: bearer(admin.token), payload });
      expect(res.statusCode, `${url} ${JSON.stringify(payload).slice(0, 30)}`).toBe(status);
      errorOf(res);
    }
    const row = await portal.database.db
      .selectFrom('citizens')
      .select('status')
      .where('id', '=', citizen.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('active');

    // Finding citizens: admins only, with a query of sensible length.
    const search = (token: string, q: string) =>
      portal.app.inject({ method: 'GET', url: `/api/v1/staff/citizens${q}`, headers: bearer(token) });
    for (const who of [supervisor, officer, citizen]) {
      expect([401, 403]).toContain((await search(who.token, '?q=amina')).statusCode);
    }
    for (const q of ['', '?q=', `?q=${'x'.repeat(101)}`, '?q=amina&limit=5000']) {
      const res = await search(admin.token, q);
      expect(res.statusCode, q).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
    }
  });
});
