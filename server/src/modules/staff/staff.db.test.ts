import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

describe('staff accounts list', () => {
  let portal: TestPortal;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
  });
  afterAll(async () => portal?.destroy());

  const list = (token: string | undefined, query = '') =>
    portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/accounts${query}`,
      headers: token ? bearer(token) : {},
    });

  it('is for admins, and for supervisors within their own department', async () => {
    const officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    const supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe' });
    await buildStaff(portal, { role: 'officer', department: 'health', districts: ['peshawar'] });
    const citizen = await buildCitizen(portal);
    expect((await list(undefined)).statusCode).toBe(401);
    for (const token of [officer.token, citizen.token]) {
      const res = await list(token);
      expect(res.statusCode).toBe(403);
      errorOf(res);
    }
    const own = await list(supervisor.token, '?limit=200');
    expect(own.statusCode).toBe(200);
    const items = own.json().items as { id: number; departmentId: number }[];
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining([officer.id, supervisor.id]));
    expect(new Set(items.map((i) => i.departmentId))).toEqual(new Set([officer.departmentId]));
  });

  it('lists accounts with their role, department and districts, page by page, without password hashes', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const officer = await buildStaff(portal, {
      role: 'officer',
      department: 'police',
      districts: ['swat', 'peshawar'],
    });
    const all = await list(admin.token, '?limit=200');
    expect(all.statusCode).toBe(200);
    const items = all.json().items as { id: number; districtIds: number[]; departmentId: number | null }[];
    const found = items.find((i) => i.id === officer.id)!;
    expect(found).toMatchObject({ login: officer.login, role: 'officer', active: true });
    expect(found.districtIds).toEqual([...officer.districtIds].sort((a, b) => a - b));
    expect(all.body).not.toContain('password');

    const police = await list(admin.token, `?department=${officer.departmentId}`);
    expect(police.json().items.map((i: { id: number }) => i.id)).toEqual([officer.id]);

    const first = await list(admin.token, '?limit=2');
    const cursor = first.json().nextCursor as string;
    expect(cursor).not.toBeNull();
    const second = await list(admin.token, `?limit=2&cursor=${cursor}`);
    const firstIds = first.json().items.map((i: { id: number }) => i.id);
    const secondIds = second.json().items.map((i: { id: number }) => i.id);
    expect(Math.min(...secondIds)).toBeGreaterThan(Math.max(...firstIds));
  });

  it('audits an account made on the command line as made by the system', async () => {
    const made = await buildStaff(portal, { role: 'officer' });
    const entries = await portal.database.db
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id', 'action', 'after'])
      .where('entity_type', '=', 'staff')
      .where('entity_id', '=', String(made.id))
      .execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_type: 'system', actor_id: null, action: 'staff.create' });
    expect(entries[0]!.after).toContain(made.login);
    expect(entries[0]!.after).not.toContain('password');
  });

  it('refuses bad queries with the error shape', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    for (const q of ['?limit=0', '?limit=1000', '?cursor=abc', '?department=-1', '?other=1']) {
      const res = await list(admin.token, q);
      expect(res.statusCode, q).toBe(400);
      errorOf(res);
    }
  });
});
