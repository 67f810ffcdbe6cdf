import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;
type Method = 'GET' | 'POST' | 'PATCH';

const PASSWORD = 'a long staff passphrase';

describe('staff accounts from the console', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let citizen: RegisteredCitizen;
  let admin: Staff;
  /** phe, every district. */
  let supervisor: Staff;
  /** phe, Peshawar only. */
  let peshawarSupervisor: Staff;
  /** health, every district. */
  let healthSupervisor: Staff;
  let officer: Staff;
  let sequence = 0;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    citizen = await buildCitizen(portal);
    admin = await buildStaff(portal, { role: 'admin' });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe' });
    peshawarSupervisor = await buildStaff(portal, {
      role: 'supervisor',
      department: 'phe',
      districts: ['peshawar'],
    });
    healthSupervisor = await buildStaff(portal, { role: 'supervisor', department: 'health' });
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
  });
  afterAll(async () => portal?.destroy());

  const call = (method: Method, url: string, token?: string, payload?: unknown) =>
    portal.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? bearer(token) : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const login = (loginName: string, password: string) =>
    portal.app.inject({
      method: 'POST',
      url: '/api/v1/staff/auth/login',
      payload: { login: loginName, password },
    });
  const me = (token: string) => call('GET', '/staff/me', token);
  const nextLogin = (prefix = 'officer') => `${prefix}.${process.pid}.${++sequence}`;
  const officerBody = (overrides: Record<string, unknown> = {}) => ({
    login: nextLogin(),
    name: 'Bilal Ahmad',
    password: PASSWORD,
    role: 'officer',
    departmentId: ref.department('phe'),
    districtIds: [ref.district('peshawar')],
    ...overrides,
  });
  /** An officer made by an admin through the API, signed in. */
  const makeOfficer = async (overrides: Record<string, unknown> = {}) => {
    const body = officerBody(overrides);
    const res = await call('POST', '/staff/accounts', admin.token, body);
    expect(res.statusCode, res.body).toBe(201);
    const signedIn = await login(body.login, PASSWORD);
    expect(signedIn.statusCode, signedIn.body).toBe(200);
    return { ...(res.json() as { id: number; login: string }), token: signedIn.json().token as string };
  };
  const staffRow = (loginName: string) =>
    portal.database.db.selectFrom('staff').selectAll().where('login', '=', loginName).executeTakeFirst();
  const auditOf = (id: number) =>
    portal.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_type', '=', 'staff')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();

  it('who may make which account: admins any, supervisors officers of their department in their districts', async () => {
    const phe = ref.department('phe');
    const peshawar = ref.district('peshawar');
    const swat = ref.district('swat');
    const cases: [string, string | undefined, Record<string, unknown>, number][] = [
      ['anonymous', undefined, officerBody(), 401],
      ['a citizen', citizen.token, officerBody(), 403],
      ['an officer', officer.token, officerBody(), 403],
      ['a supervisor of another department', healthSupervisor.token, officerBody(), 403],
      [
        'a supervisor, an officer outside their districts',
        peshawarSupervisor.token,
        officerBody({ districtIds: [swat] }),
        403,
      ],
      [
        'a supervisor, an officer partly outside',
        peshawarSupervisor.token,
        officerBody({ districtIds: [peshawar, swat] }),
        403,
      ],
      [
        'a supervisor, a supervisor',
        supervisor.token,
        officerBody({ role: 'supervisor', districtIds: [] }),
        403,
      ],
      [
        'a supervisor, an admin',
        supervisor.token,
        officerBody({ role: 'admin', departmentId: null, districtIds: [] }),
        403,
      ],
      [
        'a supervisor, an officer of another department',
        supervisor.token,
        officerBody({ departmentId: ref.department('health') }),
        403,
      ],
      [
        'a supervisor of the department, any district',
        supervisor.token,
        officerBody({ districtIds: [swat] }),
        201,
      ],
      ['a supervisor of the department, in their district', peshawarSupervisor.token, officerBody(), 201],
      ['an admin, an officer', admin.token, officerBody(), 201],
      ['an admin, a supervisor', admin.token, officerBody({ role: 'supervisor', districtIds: [] }), 201],
      [
        'an admin, an admin',
        admin.token,
        officerBody({ role: 'admin', departmentId: null, districtIds: [] }),
        201,
      ],
    ];
    for (const [who, token, body, status] of cases) {
      const res = await call('POST', '/staff/accounts', token, body);
      expect(res.statusCode, `${who}: ${res.body}`).toBe(status);
      const row = await staffRow(body.login as string);
      if (status === 201) {
        expect(res.json()).toMatchObject({ login: body.login, role: body.role, active: true });
        expect(row).toBeDefined();
      } else {
        errorOf(res);
        expect(row, who).toBeUndefined();
      }
    }
    const created = await call('POST', '/staff/accounts', supervisor.token, officerBody());
    expect(created.json()).toMatchObject({ departmentId: phe, districtIds: [peshawar] });
    // Admins carry no department or districts whatever is sent.
    const another = await call(
      'POST',
      '/staff/accounts',
      admin.token,
      officerBody({ role: 'admin', departmentId: phe, districtIds: [peshawar] }),
    );
    expect(another.json()).toMatchObject({ role: 'admin', departmentId: null, districtIds: [] });
  });

  it('the list: admins see all, a supervisor their own department; officers and citizens none', async () => {
    const healthOfficer = await makeOfficer({
      departmentId: ref.department('health'),
      districtIds: [ref.district('swat')],
    });
    const all = await call('GET', '/staff/accounts?limit=200', admin.token);
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((a: { id: number }) => a.id)).toContain(healthOfficer.id);
    const own = await call('GET', '/staff/accounts?limit=200', supervisor.token);
    expect(own.statusCode).toBe(200);
    const departments = new Set(own.json().items.map((a: { departmentId: number }) => a.departmentId));
    expect([...departments]).toEqual([ref.department('phe')]);
    expect(own.json().items.map((a: { id: number }) => a.id)).toContain(officer.id);
    const other = await call(
      'GET',
      `/staff/accounts?department=${ref.department('health')}`,
      supervisor.token,
    );
    expect(other.statusCode).toBe(403);
    errorOf(other);
    for (const token of [officer.token, citizen.token]) {
      const res = await call('GET', '/staff/accounts', token);
      expect(res.statusCode).toBe(403);
      errorOf(res);
    }
    expect((await call('GET', '/staff/accounts')).statusCode).toBe(401);
  });

  it('who may change which account; a change beyond the supervisor’s scope is refused and nothing changes', async () => {
    const target = await makeOfficer();
    const swatOfficer = await makeOfficer({ districtIds: [ref.district('swat')] });
    const healthOfficer = await makeOfficer({
      departmentId: ref.department('health'),
      districtIds: [ref.district('peshawar')],
    });
    const refused: [string, string | undefined, number, Record<string, unknown>, number][] = [
      ['anonymous', undefined, target.id, { name: 'X' }, 401],
      ['a citizen', citizen.token, target.id, { name: 'X' }, 403],
      ['an officer', officer.token, target.id, { name: 'X' }, 403],
      ['an officer, themselves', officer.token, officer.id, { name: 'X' }, 403],
      ['a supervisor of another department', healthSupervisor.token, target.id, { name: 'X' }, 403],
      [
        'a supervisor, an officer of another department',
        supervisor.token,
        healthOfficer.id,
        { name: 'X' },
        403,
      ],
      [
        'a supervisor, an officer outside their districts',
        peshawarSupervisor.token,
        swatOfficer.id,
        { name: 'X' },
        403,
      ],
      [
        'a supervisor, moving an officer out of their districts',
        peshawarSupervisor.token,
        target.id,
        { districtIds: [ref.district('swat')] },
        403,
      ],
      [
        'a supervisor, moving an officer to another department',
        supervisor.token,
        target.id,
        { departmentId: ref.department('health') },
        403,
      ],
      ['a supervisor, promoting an officer', supervisor.token, target.id, { role: 'supervisor' }, 403],
      ['a supervisor, another supervisor', supervisor.token, peshawarSupervisor.id, { name: 'X' }, 403],
      ['a supervisor, an admin', supervisor.token, admin.id, { active: false }, 403],
    ];
    for (const [who, token, id, body, status] of refused) {
      const res = await call('PATCH', `/staff/accounts/${id}`, token, body);
      expect(res.statusCode, `${who}: ${res.body}`).toBe(status);
      errorOf(res);
    }
    // The target's session still works and nothing changed.
    expect((await me(target.token)).json()).toMatchObject({ name: 'Bilal Ahmad', role: 'officer' });
    expect((await staffRow(healthOfficer.login))!.name).toBe('Bilal Ahmad');

    const renamed = await call('PATCH', `/staff/accounts/${target.id}`, peshawarSupervisor.token, {
      name: 'Bilal Ahmad Khan',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Bilal Ahmad Khan', active: true });
    const moved = await call('PATCH', `/staff/accounts/${swatOfficer.id}`, supervisor.token, {
      districtIds: [ref.district('swat'), ref.district('mardan')],
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const promoted = await call('PATCH', `/staff/accounts/${target.id}`, admin.token, {
      role: 'supervisor',
      districtIds: [],
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ role: 'supervisor', districtIds: [] });
  });

  it('refuses bad input with the error shape and stores nothing', async () => {
    const bad: [string, Record<string, unknown>, number, string[]?][] = [
      ['a bad login', officerBody({ login: 'no spaces here' }), 400, ['login']],
      ['a short password', officerBody({ password: 'short' }), 400, ['password']],
      ['a common password', officerBody({ password: 'password1' }), 400, ['password']],
      ['an officer without a department', officerBody({ departmentId: null }), 400, ['departmentId']],
      ['an officer without districts', officerBody({ districtIds: [] }), 400, ['districtIds']],
      ['an unknown department', officerBody({ departmentId: 999_999 }), 400, ['departmentId']],
      ['an unknown district', officerBody({ districtIds: [999_999] }), 400, ['districtIds']],
      ['an unknown role', officerBody({ role: 'root' }), 400],
      ['a number for a login', officerBody({ login: 12345 }), 400],
      ['a string for districts', officerBody({ districtIds: 'peshawar' }), 400],
      ['an unknown field', officerBody({ admin: true }), 400],
      ['a blank name', officerBody({ name: '   ' }), 400, ['name']],
      ['a name of a million characters', officerBody({ name: 'x'.repeat(1_000_000) }), 400],
      ['a password of 200 characters', officerBody({ password: 'x'.repeat(200) }), 400],
      ['a body over the 1 MB limit', officerBody({ name: 'x'.repeat(1024 * 1024) }), 413],
    ];
    for (const [what, body, status, fields] of bad) {
      const res = await call('POST', '/staff/accounts', admin.token, body);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
      const error = errorOf(res);
      if (fields) expect(Object.keys(error.fields ?? {}).sort(), what).toEqual(fields);
      if (typeof body.login === 'string')
        expect(await staffRow(body.login.toLowerCase()), what).toBeUndefined();
    }

    const body = officerBody();
    expect((await call('POST', '/staff/accounts', admin.token, body)).statusCode).toBe(201);
    const dup = await call('POST', '/staff/accounts', admin.token, {
      ...officerBody(),
      login: body.login.toUpperCase(),
    });
    expect(dup.statusCode).toBe(409);
    expect(errorOf(dup)).toMatchObject({ code: 'login_taken', fields: { login: 'Taken.' } });
    const rows = await portal.database.db
      .selectFrom('staff')
      .select('id')
      .where('login', '=', body.login)
      .execute();
    expect(rows).toHaveLength(1);

    const target = await makeOfficer();
    for (const [what, patch] of [
      ['nothing', {}],
      ['a login', { login: 'renamed' }],
      ['a password', { password: PASSWORD }],
      ['an unknown role', { role: 'root' }],
      ['a string for active', { active: 'yes' }],
      ['a huge name', { name: 'x'.repeat(1_000_000) }],
    ] as const) {
      const res = await call('PATCH', `/staff/accounts/${target.id}`, admin.token, patch);
      expect(res.statusCode, what).toBe(400);
      errorOf(res);
    }
    for (const [what, patch, field] of [
      ['officer without districts', { districtIds: [] }, 'districtIds'],
      ['unknown district', { districtIds: [999_999] }, 'districtIds'],
      ['unknown department', { departmentId: 999_999 }, 'departmentId'],
      ['no department', { departmentId: null }, 'departmentId'],
    ] as const) {
      const res = await call('PATCH', `/staff/accounts/${target.id}`, admin.token, patch);
      expect(res.statusCode, what).toBe(400);
      expect(errorOf(res).fields, what).toHaveProperty(field);
    }
    // Nothing half-stored: the officer is as made, and still signed in.
    expect((await me(target.token)).json()).toMatchObject({
      role: 'officer',
      departmentId: ref.department('phe'),
      districtIds: [ref.district('peshawar')],
    });
    for (const url of ['/staff/accounts/999999', '/staff/accounts/999999/password']) {
      const res = await call(
        url.endsWith('password') ? 'POST' : 'PATCH',
        url,
        admin.token,
        url.endsWith('password') ? { password: PASSWORD } : { name: 'X' },
      );
      expect(res.statusCode, url).toBe(404);
      errorOf(res);
    }
    expect((await call('PATCH', '/staff/accounts/abc', admin.token, { name: 'X' })).statusCode).toBe(400);
  });

  it('nobody deactivates or lowers their own account', async () => {
    const other = await makeOfficer({ role: 'admin', departmentId: null, districtIds: [] });
    for (const [what, patch] of [
      ['deactivate', { active: false }],
      ['demote to supervisor', { role: 'supervisor', departmentId: ref.department('phe') }],
      [
        'demote to officer',
        { role: 'officer', departmentId: ref.department('phe'), districtIds: [ref.district('swat')] },
      ],
    ] as const) {
      const res = await call('PATCH', `/staff/accounts/${other.id}`, other.token, patch);
      expect(res.statusCode, what).toBe(403);
      expect(errorOf(res).code).toBe('own_account');
    }
    const row = (await staffRow(other.login))!;
    expect(row).toMatchObject({ role: 'admin', active: 1 });
    // Renaming oneself is fine and keeps the session.
    const renamed = await call('PATCH', `/staff/accounts/${other.id}`, other.token, { name: 'Head of PMC' });
    expect(renamed.statusCode).toBe(200);
    expect((await me(other.token)).statusCode).toBe(200);
    // Another admin may demote them.
    const demoted = await call('PATCH', `/staff/accounts/${other.id}`, admin.token, {
      role: 'supervisor',
      departmentId: ref.department('phe'),
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect((await me(other.token)).statusCode).toBe(401);
  });

  it('deactivating an account, or changing its role, department or districts, ends its sessions', async () => {
    const target = await makeOfficer();
    // A new name leaves the session alone.
    expect(
      (await call('PATCH', `/staff/accounts/${target.id}`, admin.token, { name: 'New name' })).statusCode,
    ).toBe(200);
    expect((await me(target.token)).statusCode).toBe(200);
    // Sending the same districts again is no change either.
    expect(
      (
        await call('PATCH', `/staff/accounts/${target.id}`, admin.token, {
          districtIds: [ref.district('peshawar')],
        })
      ).statusCode,
    ).toBe(200);
    expect((await me(target.token)).statusCode).toBe(200);

    const off = await call('PATCH', `/staff/accounts/${target.id}`, supervisor.token, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().active).toBe(false);
    const gone = await me(target.token);
    expect(gone.statusCode).toBe(401);
    errorOf(gone);
    const refused = await login(target.login, PASSWORD);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('deactivated');
    const listed = (await call('GET', '/staff/accounts?limit=200', admin.token)).json().items;
    expect(listed.find((a: { id: number }) => a.id === target.id).active).toBe(false);

    const on = await call('PATCH', `/staff/accounts/${target.id}`, supervisor.token, { active: true });
    expect(on.statusCode).toBe(200);
    const again = await login(target.login, PASSWORD);
    expect(again.statusCode).toBe(200);

    for (const patch of [
      { districtIds: [ref.district('peshawar'), ref.district('swat')] },
      { departmentId: ref.department('health') },
      { role: 'supervisor', districtIds: [] },
    ]) {
      const session = (await login(target.login, PASSWORD)).json().token as string;
      expect((await me(session)).statusCode).toBe(200);
      const res = await call('PATCH', `/staff/accounts/${target.id}`, admin.token, patch);
      expect(res.statusCode, res.body).toBe(200);
      expect((await me(session)).statusCode, JSON.stringify(patch)).toBe(401);
    }
    const now = (await me((await login(target.login, PASSWORD)).json().token)).json();
    expect(now).toMatchObject({
      role: 'supervisor',
      departmentId: ref.department('health'),
      districtIds: [],
    });
  });

  it('an admin sets a new password: the old one stops working and its sessions end', async () => {
    const target = await makeOfficer();
    for (const token of [supervisor.token, officer.token, citizen.token, target.token]) {
      const res = await call('POST', `/staff/accounts/${target.id}/password`, token, {
        password: 'another passphrase',
      });
      expect(res.statusCode).toBe(403);
      errorOf(res);
    }
    expect(
      (await call('POST', `/staff/accounts/${target.id}/password`, undefined, { password: 'x' })).statusCode,
    ).toBe(401);
    for (const password of ['short', 'password', 'x'.repeat(129)]) {
      const res = await call('POST', `/staff/accounts/${target.id}/password`, admin.token, { password });
      expect(res.statusCode).toBe(400);
      expect(errorOf(res).fields).toHaveProperty('password');
    }
    expect((await me(target.token)).statusCode).toBe(200);

    const reset = await call('POST', `/staff/accounts/${target.id}/password`, admin.token, {
      password: 'a brand new passphrase',
    });
    expect(reset.statusCode, reset.body).toBe(204);
    expect((await me(target.token)).statusCode).toBe(401);
    expect((await login(target.login, PASSWORD)).statusCode).toBe(401);
    expect((await login(target.login, 'a brand new passphrase')).statusCode).toBe(200);
    expect((await staffRow(target.login))!.password_hash).toMatch(/^\$argon2id\$/);

    // Resetting one's own keeps the session that did it.
    const resetOwn = await call('POST', `/staff/accounts/${admin.id}/password`, admin.token, {
      password: admin.password,
    });
    expect(resetOwn.statusCode).toBe(204);
    expect((await me(admin.token)).statusCode).toBe(200);
  });

  it('every change is in the audit log with the account before and after, never a password', async () => {
    const body = officerBody();
    const created = await call('POST', '/staff/accounts', supervisor.token, body);
    const id = created.json().id as number;
    await call('PATCH', `/staff/accounts/${id}`, supervisor.token, { name: 'Audited', active: false });
    await call('POST', `/staff/accounts/${id}/password`, admin.token, { password: 'the audited passphrase' });
    const entries = await auditOf(id);
    expect(entries.map((e) => [e.action, e.actor_id])).toEqual([
      ['staff.create', supervisor.id],
      ['staff.update', supervisor.id],
      ['staff.password_reset', admin.id],
    ]);
    expect(entries[0]!.before).toBeNull();
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({
      login: body.login,
      role: 'officer',
      active: true,
    });
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ name: 'Bilal Ahmad', active: true });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({
      name: 'Audited',
      active: false,
      sessionsEnded: true,
    });
    expect(JSON.parse(entries[2]!.after!)).toMatchObject({ passwordChanged: true });
    for (const e of entries) {
      expect(`${e.before} ${e.after}`).not.toMatch(/argon2|passphrase|password_hash/);
    }
    expect((await portal.app.services.audit.verify()).ok).toBe(true);
  });
});
