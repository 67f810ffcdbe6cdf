import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { seedReferenceData } from '../../db/seed/seed.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;
type Method = 'GET' | 'POST' | 'PATCH';

const DAY_MS = 86_400_000;
const names = { name: 'Name', nameUr: 'نام', namePs: 'نوم' };

describe('departments and categories administration', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let citizen: RegisteredCitizen;
  let officer: Staff;
  let supervisor: Staff;
  let admin: Staff;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    citizen = await buildCitizen(portal);
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe' });
    admin = await buildStaff(portal, { role: 'admin' });
  });
  afterAll(async () => portal?.destroy());

  const call = (method: Method, url: string, token?: string, payload?: unknown) =>
    portal.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  const db = () => portal.database.db;
  const categoryRow = (code: string) =>
    db().selectFrom('categories').selectAll().where('code', '=', code).executeTakeFirst();
  const auditOf = (type: string, id: number) =>
    db()
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_type', '=', type)
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();

  /** A citizen's complaint through the public API, at the GPS point in Peshawar. */
  const file = async (categoryId: number) =>
    call('POST', '/complaints', citizen.token, {
      category: categoryId,
      description: 'The street light has been out for a week.',
      lat: 34.0151,
      lng: 71.5249,
      consent: true,
    });

  it('every route is for admins only: 401 without a session, 403 for citizens, officers and supervisors', async () => {
    const requests: [Method, string, unknown?][] = [
      ['GET', '/staff/departments'],
      ['POST', '/staff/departments', { code: 'matrix-dept', ...names }],
      ['PATCH', `/staff/departments/${ref.department('phe')}`, { active: false }],
      ['GET', '/staff/categories'],
      [
        'POST',
        '/staff/categories',
        { code: 'matrix-cat', departmentId: ref.department('phe'), slaDays: 5, ...names },
      ],
      ['PATCH', `/staff/categories/${ref.category('water-supply-leakage')}`, { slaDays: 1 }],
    ];
    for (const [method, url, body] of requests) {
      const anonymous = await call(method, url, undefined, body);
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      errorOf(anonymous);
      for (const who of [citizen, officer, supervisor]) {
        const res = await call(method, url, who.token, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        errorOf(res);
      }
    }
    // Nothing changed.
    expect(
      await db().selectFrom('departments').select('id').where('code', '=', 'matrix-dept').execute(),
    ).toEqual([]);
    expect(await categoryRow('matrix-cat')).toBeUndefined();
    expect((await categoryRow('water-supply-leakage'))!.sla_days).not.toBe(1);
    expect(
      (await db().selectFrom('departments').select('active').where('code', '=', 'phe').executeTakeFirst())!
        .active,
    ).toBe(1);
    for (const url of ['/staff/departments', '/staff/categories']) {
      expect((await call('GET', url, admin.token)).statusCode).toBe(200);
    }
  });

  it('departments: add, rename, unlist for citizens; duplicates and bad input refused, all audited', async () => {
    const body = { code: 'Sports', name: 'Sports & Youth', nameUr: 'کھیل', namePs: 'لوبې' };
    const created = await call('POST', '/staff/departments', admin.token, body);
    expect(created.statusCode, created.body).toBe(201);
    const dept = created.json();
    expect(dept).toMatchObject({ code: 'sports', name: 'Sports & Youth', active: true });
    const listed = (await call('GET', '/staff/departments', admin.token)).json().items;
    expect(listed.map((d: { code: string }) => d.code)).toContain('sports');

    const dup = await call('POST', '/staff/departments', admin.token, { ...body, code: 'sports' });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup)).toMatchObject({
      code: 'department_code_taken',
      fields: { code: 'Already in use.' },
    });

    const bad: [string, Record<string, unknown>, number][] = [
      ['a bad code', { ...body, code: 'no spaces!' }, 400],
      ['a blank name', { ...body, code: 'blank', name: '   ' }, 400],
      ['an unknown field', { ...body, code: 'extra', extra: 1 }, 400],
      ['a number for a name', { ...body, code: 'typed', name: 42 }, 400],
      ['a missing name', { code: 'missing', nameUr: 'x', namePs: 'y' }, 400],
      ['a string of a million characters', { ...body, code: 'huge', name: 'x'.repeat(1_000_000) }, 400],
      ['a body over the 1 MB limit', { ...body, code: 'huger', name: 'x'.repeat(1024 * 1024) }, 413],
    ];
    for (const [what, payload, status] of bad) {
      const res = await call('POST', '/staff/departments', admin.token, payload);
      expect(res.statusCode, what).toBe(status);
      errorOf(res);
    }
    const codes = (await db().selectFrom('departments').select('code').execute()).map((d) => d.code);
    for (const code of ['no spaces!', 'blank', 'extra', 'typed', 'missing', 'huge', 'huger']) {
      expect(codes).not.toContain(code);
    }

    const renamed = await call('PATCH', `/staff/departments/${dept.id}`, admin.token, {
      name: 'Sports, Culture & Youth',
      active: false,
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ code: 'sports', name: 'Sports, Culture & Youth', active: false });
    // Citizens' list leaves it out; the admins' keeps it.
    const open = (await call('GET', '/departments')).json();
    expect(open.map((d: { code: string }) => d.code)).not.toContain('sports');
    expect(
      (await call('GET', '/staff/departments', admin.token))
        .json()
        .items.find((d: { id: number }) => d.id === dept.id).active,
    ).toBe(false);

    for (const [payload, status] of [
      [{}, 400],
      [{ code: 'renamed' }, 400],
      [{ name: '' }, 400],
      [{ name: ' ' }, 400],
      [{ active: 'no' }, 400],
    ] as const) {
      const res = await call('PATCH', `/staff/departments/${dept.id}`, admin.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      errorOf(res);
    }
    const missing = await call('PATCH', '/staff/departments/999999', admin.token, { name: 'x' });
    expect(missing.statusCode).toBe(404);
    errorOf(missing);
    expect((await call('PATCH', '/staff/departments/abc', admin.token, { name: 'x' })).statusCode).toBe(400);

    const entries = await auditOf('department', dept.id);
    expect(entries.map((e) => [e.action, e.actor_type, e.actor_id])).toEqual([
      ['department.create', 'staff', admin.id],
      ['department.update', 'staff', admin.id],
    ]);
    expect(entries[0]!.before).toBeNull();
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ name: 'Sports & Youth', active: true });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ name: 'Sports, Culture & Youth', active: false });
    expect((await portal.app.services.audit.verify()).ok).toBe(true);
  });

  it('categories: a group and a category inside it with its SLA; references, placement and SLA checked', async () => {
    const phe = ref.department('phe');
    const group = await call('POST', '/staff/categories', admin.token, {
      code: 'street-lights',
      departmentId: phe,
      parentId: null,
      name: 'Street lights',
      nameUr: 'اسٹریٹ لائٹس',
      namePs: 'د سړک څراغونه',
      slaDays: 10,
    });
    expect(group.statusCode, group.body).toBe(201);
    expect(group.json()).toMatchObject({ parentId: null, slaDays: 10, active: true, keywords: [] });
    const leafBody = {
      code: 'street-lights-out',
      departmentId: phe,
      parentId: group.json().id,
      name: 'Street light not working',
      nameUr: 'لائٹ خراب',
      namePs: 'څراغ خراب',
      slaDays: 3,
    };
    const leaf = await call('POST', '/staff/categories', admin.token, leafBody);
    expect(leaf.statusCode, leaf.body).toBe(201);
    expect(leaf.json()).toMatchObject({ parentId: group.json().id, departmentId: phe, slaDays: 3 });
    // Offered to citizens at once.
    const offered = (await call('GET', '/categories')).json();
    expect(offered.find((c: { code: string }) => c.code === 'street-lights-out')).toMatchObject({
      slaDays: 3,
    });

    const dup = await call('POST', '/staff/categories', admin.token, leafBody);
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup).code).toBe('category_code_taken');

    const refused: [string, Record<string, unknown>, string[]][] = [
      ['unknown department', { departmentId: 999_999, parentId: null }, ['departmentId']],
      ['unknown parent', { parentId: 999_999 }, ['parentId']],
      ['parent inside a group', { parentId: leaf.json().id }, ['parentId']],
      ['parent of another department', { parentId: ref.category('roads') }, ['parentId']],
      ['department unlike the group', { departmentId: ref.department('police') }, ['parentId']],
      ['blank name and bad code', { code: 'x y', name: '  ' }, ['code', 'name']],
    ];
    for (const [what, change, fields] of refused) {
      const res = await call('POST', '/staff/categories', admin.token, {
        ...leafBody,
        code: `refused-${fields.join('-')}-${what.length}`,
        ...change,
      });
      expect(res.statusCode, what).toBe(400);
      expect(Object.keys(errorOf(res).fields ?? {}).sort(), what).toEqual(fields);
    }
    for (const slaDays of [0, 366, -1, 1.5, '7', null]) {
      const res = await call('POST', '/staff/categories', admin.token, {
        ...leafBody,
        code: 'bad-sla',
        slaDays,
      });
      expect(res.statusCode, String(slaDays)).toBe(400);
      expect(Object.keys(errorOf(res).fields ?? {})).toEqual(['slaDays']);
    }
    for (const payload of [
      { ...leafBody, code: 'no-sla', slaDays: undefined },
      { ...leafBody, code: 'typed-dept', departmentId: 'phe' },
      { ...leafBody, code: 'huge-name', name: 'x'.repeat(1_000_000) },
      { ...leafBody, code: 'extra-field', colour: 'red' },
      { ...leafBody, code: 'blank-keyword', keywords: ['pani', '  '] },
      { ...leafBody, code: 'long-keyword', keywords: ['x'.repeat(41)] },
      { ...leafBody, code: 'many-keywords', keywords: Array.from({ length: 31 }, (_, i) => `k${i}`) },
      { ...leafBody, code: 'typed-keywords', keywords: 'pani' },
    ]) {
      const res = await call('POST', '/staff/categories', admin.token, payload);
      expect(res.statusCode, payload.code).toBe(400);
      errorOf(res);
    }
    const stored = await db().selectFrom('categories').select('code').execute();
    expect(
      stored.filter((c) =>
        /^(refused|bad-sla|no-sla|typed-dept|huge-name|extra-field|\w+-keywords?$)/.test(c.code),
      ),
    ).toEqual([]);
    const audit = await auditOf('category', leaf.json().id);
    expect(audit.map((e) => e.action)).toEqual(['category.create']);
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ code: 'street-lights-out', slaDays: 3 });
  });

  it('keywords citizens search by are set when a category is added and changed later, and audited', async () => {
    const made = await call('POST', '/staff/categories', admin.token, {
      code: 'hand-pumps',
      departmentId: ref.department('phe'),
      name: 'Broken hand pump',
      nameUr: 'خراب ہینڈ پمپ',
      namePs: 'مات لاسي پمپ',
      slaDays: 7,
      keywords: ['  Nalka ', 'nalka', 'Hand  pump', 'نلکا'],
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json().keywords).toEqual(['nalka', 'hand pump', 'نلکا']);
    const id = made.json().id as number;
    const changed = await call('PATCH', `/staff/categories/${id}`, admin.token, {
      keywords: ['pump', 'nalka'],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    // Citizens' category search reads them from the public list.
    const listed = (await call('GET', '/categories')).json() as { id: number; keywords: string[] }[];
    const found = (Array.isArray(listed) ? listed : (listed as { items: typeof listed }).items).find(
      (c) => c.id === id,
    );
    expect(found?.keywords).toEqual(['pump', 'nalka']);
    // A change of names only leaves them as they were.
    await call('PATCH', `/staff/categories/${id}`, admin.token, { name: 'Broken hand pumps' });
    expect(JSON.parse((await categoryRow('hand-pumps'))!.keywords)).toEqual(['pump', 'nalka']);
    const audit = await auditOf('category', id);
    expect(audit.map((a) => a.action)).toEqual(['category.create', 'category.update', 'category.update']);
    expect(audit[1]!.after).toContain('pump');
  });

  it('a new SLA counts for complaints filed afterwards; the earlier ones keep their due date', async () => {
    const id = ref.category('water-supply-tubewell-fault');
    const before = await file(id);
    expect(before.statusCode, before.body).toBe(201);
    const dueBefore = new Date(before.json().dueAt).getTime();

    const changed = await call('PATCH', `/staff/categories/${id}`, admin.token, { slaDays: 2 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().slaDays).toBe(2);
    const after = await file(id);
    expect(after.statusCode, after.body).toBe(201);
    const filedAt = Date.now();
    expect(Math.abs(new Date(after.json().dueAt).getTime() - (filedAt + 2 * DAY_MS))).toBeLessThan(60_000);

    const old = await db()
      .selectFrom('complaints')
      .select('due_at')
      .where('id', '=', before.json().id)
      .executeTakeFirstOrThrow();
    expect(new Date(old.due_at).getTime()).toBe(dueBefore);
    expect(dueBefore).toBeGreaterThan(filedAt + 3 * DAY_MS);

    const audit = await auditOf('category', id);
    expect(JSON.parse(audit.at(-1)!.before!).slaDays).not.toBe(2);
    expect(JSON.parse(audit.at(-1)!.after!).slaDays).toBe(2);
  });

  it('a deactivated category is withdrawn from citizens and Open311, while complaints that have it keep it', async () => {
    const id = ref.category('water-supply-leakage');
    const filed = await file(id);
    expect(filed.statusCode, filed.body).toBe(201);
    // Warm the caches that hold categories, so the change must reach them.
    expect((await call('GET', '/categories')).statusCode).toBe(200);
    await portal.app.inject({ method: 'GET', url: '/open311/v2/services.json' });

    const off = await call('PATCH', `/staff/categories/${id}`, admin.token, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().active).toBe(false);

    const codes = (await call('GET', '/categories')).json().map((c: { code: string }) => c.code);
    expect(codes).not.toContain('water-supply-leakage');
    expect(codes).toContain('water-supply-no-water');
    const services = await portal.app.inject({ method: 'GET', url: '/open311/v2/services.json' });
    expect(services.statusCode).toBe(200);
    const serviceCodes = services.json().map((s: { service_code: string }) => s.service_code);
    expect(serviceCodes).not.toContain('water-supply-leakage');
    expect(serviceCodes).toContain('water-supply-no-water');
    expect(
      (await portal.app.inject({ method: 'GET', url: '/open311/v2/services/water-supply-leakage.json' }))
        .statusCode,
    ).toBe(404);
    // A new complaint cannot use it.
    const refused = await file(id);
    expect(refused.statusCode).toBe(400);
    expect(errorOf(refused).fields).toHaveProperty('category');

    // The citizen's and the staff's views of the old complaint still name it.
    const mine = await call('GET', `/complaints/${filed.json().id}`, citizen.token);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().category).toMatchObject({
      code: 'water-supply-leakage',
      name: 'Leaking or burst water pipe',
    });
    const staffView = await call('GET', `/staff/complaints/${filed.json().id}`, admin.token);
    expect(staffView.json().category.code).toBe('water-supply-leakage');
    // The admins' list still has it, marked inactive; offering it again works.
    const all = (await call('GET', '/staff/categories', admin.token)).json().items;
    expect(all.find((c: { id: number }) => c.id === id).active).toBe(false);
    expect((await call('PATCH', `/staff/categories/${id}`, admin.token, { active: true })).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/categories')).json().map((c: { code: string }) => c.code)).toContain(
      'water-supply-leakage',
    );
  });

  it('a group takes its categories along when it moves department or is withdrawn', async () => {
    const phe = ref.department('phe');
    const wssp = ref.department('wssp');
    const group = (
      await call('POST', '/staff/categories', admin.token, {
        code: 'public-taps',
        departmentId: phe,
        slaDays: 7,
        ...names,
      })
    ).json();
    const leaf = (
      await call('POST', '/staff/categories', admin.token, {
        code: 'public-taps-broken',
        departmentId: phe,
        parentId: group.id,
        slaDays: 4,
        ...names,
      })
    ).json();

    // A group with categories cannot go inside another; a category cannot be its own group.
    const nested = await call('PATCH', `/staff/categories/${group.id}`, admin.token, {
      parentId: ref.category('water-supply'),
    });
    expect(nested.statusCode).toBe(400);
    expect(errorOf(nested).fields).toHaveProperty('parentId');
    const self = await call('PATCH', `/staff/categories/${group.id}`, admin.token, { parentId: group.id });
    expect(self.statusCode).toBe(400);
    // A category alone cannot leave its group's department.
    const alone = await call('PATCH', `/staff/categories/${leaf.id}`, admin.token, { departmentId: wssp });
    expect(alone.statusCode).toBe(400);
    expect(errorOf(alone).fields).toHaveProperty('parentId');

    const moved = await call('PATCH', `/staff/categories/${group.id}`, admin.token, { departmentId: wssp });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await categoryRow('public-taps-broken'))!.department_id).toBe(wssp);

    const withdrawn = await call('PATCH', `/staff/categories/${group.id}`, admin.token, { active: false });
    expect(withdrawn.statusCode).toBe(200);
    expect((await categoryRow('public-taps-broken'))!.active).toBe(0);
    // Its categories cannot be offered while the group is withdrawn.
    const orphan = await call('PATCH', `/staff/categories/${leaf.id}`, admin.token, { active: true });
    expect(orphan.statusCode).toBe(400);
    expect(errorOf(orphan).fields).toHaveProperty('active');
    expect((await categoryRow('public-taps-broken'))!.active).toBe(0);

    // Each change of the category inside is in the audit log too.
    const entries = await auditOf('category', leaf.id);
    expect(entries.map((e) => e.action)).toEqual(['category.create', 'category.update', 'category.update']);
    expect(JSON.parse(entries[2]!.after!)).toMatchObject({ departmentId: wssp, active: false });

    for (const [payload, status] of [
      [{}, 400],
      [{ code: 'other' }, 400],
      [{ slaDays: 0 }, 400],
      [{ slaDays: 400 }, 400],
      [{ parentId: 'none' }, 400],
    ] as const) {
      const res = await call('PATCH', `/staff/categories/${leaf.id}`, admin.token, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      errorOf(res);
    }
    const missing = await call('PATCH', '/staff/categories/999999', admin.token, { slaDays: 5 });
    expect(missing.statusCode).toBe(404);
    errorOf(missing);
    expect((await portal.app.services.audit.verify()).ok).toBe(true);
  });

  it('the seed that runs at every start leaves what admins changed as it is', async () => {
    const id = ref.category('sewerage-blocked');
    expect(
      (await call('PATCH', `/staff/categories/${id}`, admin.token, { slaDays: 9, name: 'Blocked drain' }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await call('PATCH', `/staff/departments/${ref.department('forestry')}`, admin.token, {
          active: false,
        })
      ).statusCode,
    ).toBe(200);
    const counts = async () =>
      Promise.all(
        (['departments', 'categories', 'offices', 'routing_rules'] as const).map(async (t) =>
          Number(
            (
              await db()
                .selectFrom(t)
                .select((eb) => eb.fn.countAll<number>().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          ),
        ),
      );
    const before = await counts();
    expect(await seedReferenceData(db())).toEqual({ seeded: [] });
    expect(await counts()).toEqual(before);
    expect(await categoryRow('sewerage-blocked')).toMatchObject({ sla_days: 9, name: 'Blocked drain' });
    expect(
      (await db()
        .selectFrom('departments')
        .select('active')
        .where('code', '=', 'forestry')
        .executeTakeFirst())!.active,
    ).toBe(0);
  });
});
