import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint, refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;

describe('routing administration', () => {
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

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    token?: string,
    payload?: unknown,
  ) =>
    portal.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  const route = async (categoryCode: string, districtCode: string) => {
    const category = await portal.database.db
      .selectFrom('categories')
      .selectAll()
      .where('code', '=', categoryCode)
      .executeTakeFirstOrThrow();
    return portal.app.services.routing.route(portal.database.db, category, ref.district(districtCode));
  };

  it('every route is for admins only: 401 without a session, 403 for citizens, officers and supervisors', async () => {
    const requests: [Parameters<typeof call>[0], string, unknown?][] = [
      ['GET', '/staff/offices'],
      [
        'POST',
        '/staff/offices',
        {
          code: 'x.y',
          departmentId: ref.department('phe'),
          districtId: ref.district('swat'),
          name: 'a',
          nameUr: 'b',
          namePs: 'c',
        },
      ],
      ['PATCH', `/staff/offices/${ref.office('phe.swat')}`, { active: false }],
      ['GET', '/staff/routing-rules'],
      [
        'POST',
        '/staff/routing-rules',
        { categoryId: ref.category('stray-dogs'), departmentId: ref.department('phe') },
      ],
      ['PATCH', '/staff/routing-rules/1', { departmentId: ref.department('phe') }],
      ['DELETE', '/staff/routing-rules/1'],
    ];
    for (const [method, url, body] of requests) {
      expect((await call(method, url, undefined, body)).statusCode, `${method} ${url}`).toBe(401);
      for (const who of [citizen, officer, supervisor]) {
        const res = await call(method, url, who.token, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        errorOf(res);
      }
    }
    // Nothing changed.
    expect((await portal.app.services.routing.office(ref.office('phe.swat'))).active).toBe(true);
    expect(await portal.app.services.routing.rules({ categoryId: ref.category('stray-dogs') })).toEqual([]);
    expect((await call('GET', '/staff/offices', admin.token)).statusCode).toBe(200);
    expect((await call('GET', '/staff/routing-rules', admin.token)).statusCode).toBe(200);
  });

  it('offices: open, list, rename, close; duplicates and unknown references refused', async () => {
    const body = {
      code: 'phe.peshawar-cantt',
      departmentId: ref.department('phe'),
      districtId: ref.district('peshawar'),
      name: 'PHE Sub-division Cantonment',
      nameUr: 'پبلک ہیلتھ کینٹ',
      namePs: 'پبلک هیلت کنټ',
    };
    const created = await call('POST', '/staff/offices', admin.token, body);
    expect(created.statusCode).toBe(201);
    const office = created.json();
    expect(office).toMatchObject({ code: 'phe.peshawar-cantt', active: true });

    const dup = await call('POST', '/staff/offices', admin.token, body);
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup).code).toBe('office_code_taken');
    const unknown = await call('POST', '/staff/offices', admin.token, {
      ...body,
      code: 'phe.nowhere',
      departmentId: 999_999,
      districtId: 999_998,
    });
    expect(unknown.statusCode).toBe(400);
    expect(Object.keys(errorOf(unknown).fields ?? {}).sort()).toEqual(['departmentId', 'districtId']);
    for (const bad of [
      { ...body, code: 'bad code!' },
      { ...body, code: 'phe.blank', name: '   ' },
      { ...body, code: 'phe.extra', extra: 1 },
      { ...body, departmentId: '1' },
    ]) {
      expect((await call('POST', '/staff/offices', admin.token, bad)).statusCode).toBe(400);
    }
    const offices = await portal.database.db.selectFrom('offices').select('code').execute();
    expect(
      offices.filter((o) => o.code.startsWith('phe.peshawar-cantt') || o.code === 'phe.nowhere'),
    ).toHaveLength(1);

    const listed = await call(
      'GET',
      `/staff/offices?department=${ref.department('phe')}&district=${ref.district('peshawar')}`,
      admin.token,
    );
    expect(listed.json().items.map((o: { code: string }) => o.code)).toEqual([
      'phe.peshawar',
      'phe.peshawar-cantt',
    ]);

    const renamed = await call('PATCH', `/staff/offices/${office.id}`, admin.token, {
      name: 'PHE Cantonment',
      active: false,
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'PHE Cantonment', nameUr: body.nameUr, active: false });
    const inactive = await call('GET', '/staff/offices?active=false', admin.token);
    expect(inactive.json().items.map((o: { id: number }) => o.id)).toEqual([office.id]);
    expect((await call('PATCH', '/staff/offices/999999', admin.token, { active: true })).statusCode).toBe(
      404,
    );
    expect((await call('PATCH', `/staff/offices/${office.id}`, admin.token, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/staff/offices/${office.id}`, admin.token, { code: 'x' })).statusCode).toBe(
      400,
    );
  });

  it('a new office is known at once to the staff screens (the cached offices are refreshed)', async () => {
    // The staff screens read offices from a cache: warm it first.
    expect((await call('GET', '/staff/complaints', officer.token)).statusCode).toBe(200);
    const res = await call('POST', '/staff/offices', admin.token, {
      code: 'phe.peshawar-hayatabad',
      departmentId: ref.department('phe'),
      districtId: ref.district('peshawar'),
      name: 'PHE Hayatabad',
      nameUr: 'حیات آباد',
      namePs: 'حیات اباد',
    });
    const office = res.json();
    const c = await buildComplaint(portal);
    const forwarded = await call('POST', `/staff/complaints/${c.id}/actions`, officer.token, {
      type: 'forward',
      officeId: office.id,
      reason: 'Hayatabad has its own sub-division now.',
    });
    expect(forwarded.statusCode).toBe(200);
    // The officer covers every phe office in Peshawar, the new one too.
    const file = await call('GET', `/staff/complaints/${c.id}`, officer.token);
    expect(file.statusCode).toBe(200);
    expect(file.json().office.code).toBe('phe.peshawar-hayatabad');
  });

  it('rules: a new rule changes where the next complaint goes; changing and removing it too', async () => {
    expect(await route('stray-dogs', 'mardan')).toEqual({
      departmentId: ref.department('local-government'),
      officeId: ref.office('local-government.mardan'),
    });
    const created = await call('POST', '/staff/routing-rules', admin.token, {
      categoryId: ref.category('stray-dogs'),
      districtId: ref.district('mardan'),
      departmentId: ref.department('health'),
    });
    expect(created.statusCode).toBe(201);
    const rule = created.json();
    expect(rule).toMatchObject({ districtId: ref.district('mardan'), officeId: null });
    expect(await route('stray-dogs', 'mardan')).toEqual({
      departmentId: ref.department('health'),
      officeId: ref.office('health.mardan'),
    });
    // Other districts keep the province-wide rule.
    expect((await route('stray-dogs', 'swat')).departmentId).toBe(ref.department('local-government'));

    const fixed = await call('PATCH', `/staff/routing-rules/${rule.id}`, admin.token, {
      departmentId: ref.department('wssp'),
      officeId: ref.office('wssp.peshawar'),
    });
    expect(fixed.statusCode).toBe(200);
    expect(await route('stray-dogs', 'mardan')).toEqual({
      departmentId: ref.department('wssp'),
      officeId: ref.office('wssp.peshawar'),
    });

    const listed = await call(
      'GET',
      `/staff/routing-rules?category=${ref.category('stray-dogs')}`,
      admin.token,
    );
    expect(listed.json().items.map((r: { id: number }) => r.id)).toContain(rule.id);

    expect((await call('DELETE', `/staff/routing-rules/${rule.id}`, admin.token)).statusCode).toBe(204);
    expect((await call('DELETE', `/staff/routing-rules/${rule.id}`, admin.token)).statusCode).toBe(404);
    expect((await route('stray-dogs', 'mardan')).departmentId).toBe(ref.department('local-government'));
  });

  it('rules: one per category and district (or province-wide); references must exist and agree', async () => {
    const base = { categoryId: ref.category('roads-potholes'), departmentId: ref.department('cw') };
    const first = await call('POST', '/staff/routing-rules', admin.token, {
      ...base,
      districtId: ref.district('swat'),
    });
    expect(first.statusCode).toBe(201);
    const again = await call('POST', '/staff/routing-rules', admin.token, {
      ...base,
      districtId: ref.district('swat'),
    });
    expect(again.statusCode).toBe(409);
    expect(errorOf(again).code).toBe('rule_exists');
    // The seeded province-wide rule of the top-level category exists: a second one is a duplicate too.
    const wide = await call('POST', '/staff/routing-rules', admin.token, {
      categoryId: ref.category('roads'),
      departmentId: ref.department('cw'),
    });
    expect(wide.statusCode).toBe(409);
    const moved = await call('PATCH', `/staff/routing-rules/${first.json().id}`, admin.token, {
      districtId: null,
    });
    expect(moved.statusCode).toBe(200);
    const clash = await call('POST', '/staff/routing-rules', admin.token, { ...base, districtId: null });
    expect(clash.statusCode).toBe(409);

    const bad: [Record<string, unknown>, string][] = [
      [{ ...base, categoryId: 999_999 }, 'categoryId'],
      [{ ...base, departmentId: 999_999 }, 'departmentId'],
      [{ ...base, districtId: 999_999 }, 'districtId'],
      [{ ...base, districtId: ref.district('bannu'), officeId: 999_999 }, 'officeId'],
      [{ ...base, districtId: ref.district('bannu'), officeId: ref.office('phe.bannu') }, 'officeId'],
    ];
    for (const [body, field] of bad) {
      const res = await call('POST', '/staff/routing-rules', admin.token, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).fields).toHaveProperty(field);
    }
    await portal.app.services.routing.updateOffice(ref.office('cw.bannu'), { active: false });
    const closed = await call('POST', '/staff/routing-rules', admin.token, {
      ...base,
      districtId: ref.district('bannu'),
      officeId: ref.office('cw.bannu'),
    });
    expect(closed.statusCode).toBe(400);
    expect(
      (await call('PATCH', '/staff/routing-rules/999999', admin.token, { districtId: null })).statusCode,
    ).toBe(404);
    const rules = await portal.app.services.routing.rules({ categoryId: ref.category('roads-potholes') });
    expect(rules).toHaveLength(1);
  });

  it('writes every administrative change to the audit log, with who and the state before and after', async () => {
    const categories = await portal.app.services.geo.categories();
    const districts = await portal.app.services.geo.listDistricts();
    const departments = await portal.app.services.geo.departments();
    const category = categories.find((c) => c.code === 'water-supply-no-water')!;
    const created = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/staff/routing-rules',
      headers: bearer(admin.token),
      payload: {
        categoryId: category.id,
        districtId: districts.find((d) => d.code === 'chitral-lower')?.id ?? districts[3]!.id,
        departmentId: departments.find((d) => d.code === 'local-government')!.id,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    const removed = await portal.app.inject({
      method: 'DELETE',
      url: `/api/v1/staff/routing-rules/${id}`,
      headers: bearer(admin.token),
    });
    expect(removed.statusCode).toBe(204);
    const entries = await portal.database.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'before', 'after'])
      .where('entity_type', '=', 'routing_rule')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual(['routing_rule.create', 'routing_rule.remove']);
    expect(entries.every((e) => e.actor_id === admin.id)).toBe(true);
    expect(entries[1]!.before).toContain(`"categoryId":${category.id}`);
    expect((await portal.app.services.audit.verify()).ok).toBe(true);
  });
});
