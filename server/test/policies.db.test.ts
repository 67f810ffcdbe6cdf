import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from './factories.js';
import { jpeg } from './media-samples.js';
import { createTestPortal, errorOf, type TestPortal } from './portal.js';

/**
 * Every complaint route against every kind of caller. "ok" means the policy let the request through (the
 * answer may still be 400 or 409 for the request itself); a refusal must be the exact status, in the one
 * error shape: 401 without a session, 403 for the wrong kind of account or role, 404 when the complaint is
 * out of the caller's scope (so its existence does not leak).
 */
type Who =
  | 'anonymous'
  | 'owner'
  | 'otherCitizen'
  | 'officerInScope'
  | 'officerOtherDistrict'
  | 'officerOtherDepartment'
  | 'supervisor'
  | 'supervisorOtherDepartment'
  | 'admin';
type Expect = 'ok' | 401 | 403 | 404;

describe('authorization matrix', () => {
  let portal: TestPortal;
  const tokens = {} as Record<Who, string | null>;
  let complaintId: number;
  let mediaId: number;
  let ownerId: number;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off' });
    const owner = await buildCitizen(portal);
    ownerId = owner.id;
    tokens.anonymous = null;
    tokens.owner = owner.token;
    tokens.otherCitizen = (await buildCitizen(portal)).token;
    tokens.officerInScope = (
      await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] })
    ).token;
    tokens.officerOtherDistrict = (
      await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['swat'] })
    ).token;
    tokens.officerOtherDepartment = (
      await buildStaff(portal, { role: 'officer', department: 'local-government', districts: ['peshawar'] })
    ).token;
    tokens.supervisor = (await buildStaff(portal, { role: 'supervisor', department: 'phe' })).token;
    tokens.supervisorOtherDepartment = (
      await buildStaff(portal, { role: 'supervisor', department: 'health' })
    ).token;
    tokens.admin = (await buildStaff(portal, { role: 'admin' })).token;

    const category = (await portal.app.services.geo.categories()).find(
      (c) => c.code === 'water-supply-no-water',
    )!;
    const form = new FormData();
    form.set('category', String(category.id));
    form.set('description', 'No water in the whole mohalla since Friday.');
    form.set('lat', '34.0151');
    form.set('lng', '71.5249');
    form.set('consent', 'true');
    form.append('media', new Blob([await jpeg()], { type: 'image/jpeg' }), 'a.jpg');
    const req = new Request('http://x/', { method: 'POST', body: form });
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: { ...bearer(owner.token), 'content-type': req.headers.get('content-type')! },
      payload: Buffer.from(await req.arrayBuffer()),
    });
    expect(res.statusCode, res.body).toBe(201);
    complaintId = res.json().id;
    const detail = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/${complaintId}`,
      headers: bearer(owner.token),
    });
    mediaId = detail.json().media[0].id;
  });
  afterAll(async () => portal?.destroy());

  const staffScope = (inScope: Expect, citizen: Expect = 403): Record<Who, Expect> => ({
    anonymous: 401,
    owner: citizen,
    otherCitizen: citizen,
    officerInScope: inScope,
    officerOtherDistrict: 404,
    officerOtherDepartment: 404,
    supervisor: inScope,
    supervisorOtherDepartment: 404,
    admin: inScope,
  });
  const ownerOnly: Record<Who, Expect> = {
    anonymous: 401,
    owner: 'ok',
    otherCitizen: 404,
    officerInScope: 403,
    officerOtherDistrict: 403,
    officerOtherDepartment: 403,
    supervisor: 403,
    supervisorOtherDepartment: 403,
    admin: 403,
  };
  const adminOnly = (citizen: Expect = 403): Record<Who, Expect> => ({
    anonymous: 401,
    owner: citizen,
    otherCitizen: citizen,
    officerInScope: 403,
    officerOtherDistrict: 403,
    officerOtherDepartment: 403,
    supervisor: 403,
    supervisorOtherDepartment: 403,
    admin: 'ok',
  });

  const routes: {
    name: string;
    method: 'GET' | 'POST';
    url: () => string;
    body?: unknown;
    expect: Record<Who, Expect>;
  }[] = [
    {
      name: 'citizen: view complaint',
      method: 'GET',
      url: () => `/api/v1/complaints/${complaintId}`,
      expect: ownerOnly,
    },
    {
      name: 'citizen: feedback',
      method: 'POST',
      url: () => `/api/v1/complaints/${complaintId}/feedback`,
      body: { satisfied: true },
      expect: ownerOnly,
    },
    {
      name: 'citizen: answer in the Message Box',
      method: 'POST',
      url: () => `/api/v1/complaints/${complaintId}/messages`,
      body: { message: 'More details.' },
      expect: ownerOnly,
    },
    {
      name: 'media: open a photo',
      method: 'GET',
      url: () => `/api/v1/media/${mediaId}`,
      expect: { ...staffScope('ok', 404), owner: 'ok' },
    },
    {
      name: 'staff: complaint view',
      method: 'GET',
      url: () => `/api/v1/staff/complaints/${complaintId}`,
      expect: staffScope('ok'),
    },
    {
      name: 'staff: internal note',
      method: 'POST',
      url: () => `/api/v1/staff/complaints/${complaintId}/actions`,
      body: { type: 'note', message: 'Checked the valve.' },
      expect: staffScope('ok'),
    },
    {
      name: 'staff: moderate media',
      method: 'POST',
      url: () => `/api/v1/staff/media/${mediaId}/moderation`,
      body: { verdict: 'ok', reason: 'Looks fine.' },
      expect: staffScope('ok'),
    },
    {
      name: 'admin: warn a citizen',
      method: 'POST',
      url: () => `/api/v1/staff/citizens/${ownerId}/warn`,
      body: { reason: 'A test of the rules.' },
      expect: adminOnly(),
    },
    { name: 'admin: audit log', method: 'GET', url: () => '/api/v1/staff/audit', expect: adminOnly() },
    {
      name: 'admin: routing rules',
      method: 'GET',
      url: () => '/api/v1/staff/routing-rules',
      expect: adminOnly(),
    },
    {
      name: 'staff: dashboards (each in their own scope)',
      method: 'GET',
      url: () => '/api/v1/staff/dashboards/summary',
      expect: {
        ...adminOnly(),
        officerInScope: 'ok',
        officerOtherDistrict: 'ok',
        officerOtherDepartment: 'ok',
        supervisor: 'ok',
        supervisorOtherDepartment: 'ok',
      },
    },
    {
      name: 'admin: Open311 API keys',
      method: 'GET',
      url: () => '/api/v1/staff/api-keys',
      expect: adminOnly(),
    },
    {
      name: 'admin: the public page switch',
      method: 'GET',
      url: () => '/api/v1/staff/settings/public-page',
      expect: adminOnly(),
    },
  ];

  for (const route of routes) {
    it(route.name, async () => {
      for (const [who, expected] of Object.entries(route.expect) as [Who, Expect][]) {
        const token = tokens[who];
        const res = await portal.app.inject({
          method: route.method,
          url: route.url(),
          headers: token ? bearer(token) : {},
          ...(route.body ? { payload: route.body as object } : {}),
        });
        if (expected === 'ok') {
          expect([401, 403, 404], `${who}: ${res.statusCode} ${res.body.slice(0, 120)}`).not.toContain(
            res.statusCode,
          );
        } else {
          expect(res.statusCode, `${who}: ${res.body.slice(0, 120)}`).toBe(expected);
          errorOf(res);
        }
      }
    });
  }

  it('shows the complainant\u2019s identity only to staff in scope, and never another citizen\u2019s', async () => {
    const staffView = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/staff/complaints/${complaintId}`,
      headers: bearer(tokens.officerInScope!),
    });
    expect(staffView.json().complainant).toMatchObject({ id: ownerId, name: 'Amina Khan' });
    const queue = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/complaints',
      headers: bearer(tokens.officerOtherDistrict!),
    });
    expect(queue.json().items.map((i: { id: number }) => i.id)).not.toContain(complaintId);
    const nearby = await portal.app.inject({
      method: 'GET',
      url: `/api/v1/complaints/nearby?lat=34.0151&lng=71.5249&category=${(await portal.app.services.geo.categories()).find((c) => c.code === 'water-supply-no-water')!.id}`,
      headers: bearer(tokens.otherCitizen!),
    });
    const body = JSON.stringify(nearby.json());
    expect(body).toContain(`"id":${complaintId}`);
    expect(body).not.toContain('Amina');
    expect(body).not.toContain('mohalla');
  });
});
