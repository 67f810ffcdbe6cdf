import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { canonicalJson } from './service.js';

describe('audit log', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal();
  });
  afterAll(async () => portal?.destroy());

  const append = (n: number) =>
    portal.database.db.transaction().execute((trx) =>
      portal.app.services.audit.append(trx, {
        actor: { type: 'staff', id: n },
        action: 'test.append',
        entity: { type: 'test', id: n },
        before: { n, nested: { b: 2, a: 1 } },
        after: { n: n + 1 },
      }),
    );

  it('writes canonical JSON: the same value always hashes the same', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 2 } })).toBe(
      '{"a":{"c":2,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson(undefined)).toBeNull();
  });

  it('chains concurrent appends into one line and verifies it', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => append(i + 1)));
    const rows = await portal.database.db
      .selectFrom('audit_log')
      .select(['id', 'prev_hash', 'hash'])
      .orderBy('id')
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
    const result = await portal.app.services.audit.verify({ batchSize: 7 });
    expect(result).toEqual({ ok: true, checked: rows.length });
  });

  it('names the first altered entry, and the first entry after a deleted one', async () => {
    const rows = await portal.database.db.selectFrom('audit_log').select('id').orderBy('id').execute();
    const altered = rows[5]!.id;
    const original = await portal.database.db
      .selectFrom('audit_log')
      .select('after')
      .where('id', '=', altered)
      .executeTakeFirstOrThrow();
    await sql`update audit_log set after = ${'{"n":999}'} where id = ${altered}`.execute(portal.database.db);
    const broken = await portal.app.services.audit.verify({ batchSize: 4 });
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken!.id).toBe(altered);
    expect(broken.firstBroken!.reason).toMatch(/changed/);
    await sql`update audit_log set after = ${original.after} where id = ${altered}`.execute(
      portal.database.db,
    );
    expect((await portal.app.services.audit.verify()).ok).toBe(true);

    const removed = rows[9]!.id;
    await sql`delete from audit_log where id = ${removed}`.execute(portal.database.db);
    const gap = await portal.app.services.audit.verify();
    expect(gap.ok).toBe(false);
    expect(gap.firstBroken!.id).toBe(rows[10]!.id);
    expect(gap.firstBroken!.reason).toMatch(/link/);
  });

  it('is readable and verifiable by admins only', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const officer = await buildStaff(portal, { role: 'officer' });
    const citizen = await buildCitizen(portal);
    const list = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/audit?limit=5',
      headers: bearer(admin.token),
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(5);
    expect(list.json().nextCursor).toBeTruthy();
    const verify = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/audit/verify',
      headers: bearer(admin.token),
    });
    expect(verify.statusCode).toBe(200);
    expect(verify.json().ok).toBe(false); // the deleted entry above
    expect(
      (await portal.app.inject({ method: 'GET', url: '/api/v1/staff/audit', headers: bearer(officer.token) }))
        .statusCode,
    ).toBe(403);
    const asCitizen = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/audit',
      headers: bearer(citizen.token),
    });
    expect([401, 403]).toContain(asCitizen.statusCode);
    errorOf(asCitizen);
    const bad = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/audit?cursor=x',
      headers: bearer(admin.token),
    });
    expect(bad.statusCode).toBe(400);
  });
});
