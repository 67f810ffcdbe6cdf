import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint, refIds, staffAction } from '../../../test/complaints.js';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { rebuildRollups } from './rollup.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;

describe('dashboards: rollups, scopes, drill-down, CSV and the public page', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let amina: RegisteredCitizen;
  let admin: Staff;
  let supervisor: Staff; // phe, every district
  let officer: Staff; // phe, Peshawar
  let roadsOfficer: Staff; // cw, Peshawar
  const ids: Record<string, number> = {};

  const get = (url: string, token?: string) =>
    portal.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
  const act = (id: number, token: string, payload: Record<string, unknown>) =>
    staffAction(portal, id, token, payload);
  const file = async (citizen: RegisteredCitizen, category: string) => {
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: bearer(citizen.token),
      payload: {
        category: ref.category(category),
        description: 'No water in our street for three days now.',
        lat: 34.0151,
        lng: 71.5249,
        consent: true,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as number;
  };
  const snapshot = async () => {
    const db = portal.database.db;
    const sorted = <T>(rows: T[]) => rows.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return {
      rollups: sorted(await db.selectFrom('rollups').selectAll().execute()),
      place: sorted(await db.selectFrom('rollups_place').selectAll().execute()),
      departments: sorted(await db.selectFrom('rollups_department').selectAll().execute()),
      staff: sorted(await db.selectFrom('rollup_staff').selectAll().execute()),
      current: (await db.selectFrom('rollup_current').selectAll().execute())
        .filter((r) => Number(r.count) !== 0)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      heat: (await db.selectFrom('heat_cells').selectAll().execute())
        .filter((r) => Number(r.count) !== 0)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      openDue: (await db.selectFrom('rollup_open_due').selectAll().execute())
        .filter((r) => Number(r.count) !== 0)
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    };
  };

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    amina = await buildCitizen(portal);
    admin = await buildStaff(portal, { role: 'admin' });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe', districts: [] });
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    roadsOfficer = await buildStaff(portal, { role: 'officer', department: 'cw', districts: ['peshawar'] });

    // Peshawar water: one resolved and confirmed, one resolved and reopened, one open and overdue.
    ids.happy = await file(amina, 'water-supply-no-water');
    ids.unhappy = await file(amina, 'water-supply-no-water');
    for (const id of [ids.happy, ids.unhappy]) {
      expect((await act(id, officer.token, { type: 'start' })).statusCode).toBe(200);
      const r = await act(id, officer.token, { type: 'resolve', message: 'The pipe was repaired today.' });
      expect(r.statusCode, r.body).toBe(200);
    }
    const fb = (id: number, body: Record<string, unknown>) =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/complaints/${id}/feedback`,
        headers: bearer(amina.token),
        payload: body,
      });
    expect((await fb(ids.happy, { satisfied: true, rating: 5 })).statusCode).toBe(200);
    expect((await fb(ids.unhappy, { satisfied: false, comment: 'Still no water at all.' })).statusCode).toBe(
      200,
    );
    ids.overdue = (await buildComplaint(portal, { dueAt: new Date(Date.now() - 86_400_000) })).id;
    // Swat water (supervisor yes, Peshawar officer no) and Peshawar roads (neither).
    ids.swat = (await buildComplaint(portal, { district: 'swat', lat: 34.77, lng: 72.36 })).id;
    ids.roads = (await buildComplaint(portal, { category: 'roads-potholes' })).id;
    const rejected = await act(ids.swat, admin.token, {
      type: 'reject',
      reason: 'irrelevant',
      message: 'Not a complaint about public services.',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
  });
  afterAll(async () => portal?.destroy());

  it('an admin sees every figure of the province', async () => {
    const res = await get('/api/v1/staff/dashboards/summary', admin.token);
    expect(res.statusCode, res.body).toBe(200);
    const f = res.json().figures;
    expect(f).toMatchObject({
      received: 5,
      resolved: 2,
      reopened: 1,
      closedSatisfied: 1,
      closedNoFeedback: 0,
      rejected: 1,
      satisfied: 1,
      dissatisfied: 1,
      satisfactionRate: 0.5,
      slaMet: 2,
      slaMissed: 0,
      slaCompliance: 1,
      open: 3, // the reopened one, the overdue one, the roads one
      overdue: 1,
    });
    expect(f.medianResolutionHours).toBeGreaterThanOrEqual(0);
    expect(f.medianResolutionHours).toBeLessThan(1);
  });

  it('a supervisor sees their department, an officer their office, a citizen nothing', async () => {
    const received = async (who: Staff) =>
      (await get('/api/v1/staff/dashboards/summary', who.token)).json().figures.received;
    expect(await received(supervisor)).toBe(4); // the water ones, Peshawar and Swat
    expect(await received(officer)).toBe(3); // Peshawar water only
    expect(await received(roadsOfficer)).toBe(1);
    expect((await get('/api/v1/staff/dashboards/summary')).statusCode).toBe(401);
    expect((await get('/api/v1/staff/dashboards/summary', amina.token)).statusCode).toBe(403);
    // A filter cannot widen the scope.
    const other = await get(
      `/api/v1/staff/dashboards/summary?department=${ref.department('cw')}`,
      officer.token,
    );
    expect(other.json().figures.received).toBe(0);
  });

  it('breaks figures down by department, district, office, category and officer', async () => {
    const byDistrict = (await get('/api/v1/staff/dashboards/breakdown?by=district', admin.token)).json();
    const peshawar = byDistrict.rows.find((r: { key: { code: string } }) => r.key.code === 'peshawar');
    expect(peshawar).toMatchObject({ received: 4, resolved: 2, open: 3 });
    const byOfficer = await get('/api/v1/staff/dashboards/breakdown?by=officer', supervisor.token);
    expect(byOfficer.statusCode, byOfficer.body).toBe(200);
    expect(byOfficer.json().rows).toEqual([
      expect.objectContaining({
        key: expect.objectContaining({ kind: 'officer', id: officer.id }),
        resolved: 2,
        satisfied: 1,
        dissatisfied: 1,
        reopened: 1,
      }),
    ]);
    for (const by of ['department', 'office', 'category']) {
      const res = await get(`/api/v1/staff/dashboards/breakdown?by=${by}`, officer.token);
      expect(res.statusCode).toBe(200);
      expect(res.json().rows.reduce((n: number, r: { received: number }) => n + r.received, 0)).toBe(3);
    }
  });

  it('series by day, week and month add up to the summary', async () => {
    for (const interval of ['day', 'week', 'month']) {
      const res = await get(`/api/v1/staff/dashboards/series?interval=${interval}`, admin.token);
      expect(res.statusCode, res.body).toBe(200);
      const total = res.json().points.reduce((n: number, p: { received: number }) => n + p.received, 0);
      expect(total).toBe(5);
    }
  });

  it('the league table shows its formula and ranks by it', async () => {
    const res = await get('/api/v1/staff/dashboards/league?by=department', admin.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.formula).toMatch(/0\.6 × S \+ 0\.4 × T/);
    const phe = body.rows.find((r: { key: { code: string } }) => r.key.code === 'phe');
    // S = 1 / (1 + 1 + 0), T = 2 / 2: 100 × (0.6 × 0.5 + 0.4 × 1) = 70.
    expect(phe).toMatchObject({ rank: 1, score: 70, confirmedSatisfaction: 0.5, timeliness: 1 });
  });

  it('the heat map counts complaints per cell, filtered by status and category', async () => {
    const all = (await get('/api/v1/staff/dashboards/heatmap', admin.token)).json();
    expect(all.cells.reduce((n: number, c: { count: number }) => n + c.count, 0)).toBe(3); // three with a point
    const rejected = (await get('/api/v1/staff/dashboards/heatmap?status=rejected', admin.token)).json();
    expect(rejected.cells).toEqual([expect.objectContaining({ count: 1 })]);
    const roads = await get(
      `/api/v1/staff/dashboards/heatmap?category=${ref.category('roads-potholes')}`,
      admin.token,
    );
    expect(roads.json().cells).toEqual([]);
  });

  it('every figure drills down to its complaints, page by page, and to CSV', async () => {
    const resolved = (await get('/api/v1/staff/dashboards/complaints?metric=resolved', officer.token)).json();
    expect(resolved.items.map((i: { id: number }) => i.id).sort()).toEqual([ids.happy, ids.unhappy].sort());
    const overdue = (await get('/api/v1/staff/dashboards/complaints?metric=overdue', admin.token)).json();
    expect(overdue.items.map((i: { id: number }) => i.id)).toEqual([ids.overdue]);
    const satisfied = (
      await get('/api/v1/staff/dashboards/complaints?metric=closed_satisfied', admin.token)
    ).json();
    expect(satisfied.items.map((i: { id: number }) => i.id)).toEqual([ids.happy]);
    const page1 = (
      await get('/api/v1/staff/dashboards/complaints?metric=received&limit=2', admin.token)
    ).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (
      await get(
        `/api/v1/staff/dashboards/complaints?metric=received&limit=10&cursor=${page1.nextCursor}`,
        admin.token,
      )
    ).json();
    expect(page2.items).toHaveLength(3);
    expect(page2.nextCursor).toBeNull();
    // Officers do not see outside their office, even drilling down.
    const roads = (await get('/api/v1/staff/dashboards/complaints?metric=received', officer.token)).json();
    expect(roads.items.map((i: { id: number }) => i.id)).not.toContain(ids.roads);

    const csv = await get('/api/v1/staff/dashboards/complaints?metric=received&format=csv', admin.token);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,trackingNumber,status,/);
    expect(lines).toHaveLength(6);
    const table = await get('/api/v1/staff/dashboards/breakdown?by=district&format=csv', admin.token);
    expect(table.body.split('\r\n')[0]).toContain('key.name');
  });

  it('refuses bad input with a clear 400', async () => {
    for (const url of [
      '/api/v1/staff/dashboards/summary?from=2026-02-30',
      '/api/v1/staff/dashboards/summary?from=2026-05-01&to=2026-04-01',
      '/api/v1/staff/dashboards/summary?from=2000-01-01&to=2026-01-01',
      '/api/v1/staff/dashboards/summary?from=yesterday',
      '/api/v1/staff/dashboards/summary?department=abc',
      '/api/v1/staff/dashboards/summary?evil=1',
      '/api/v1/staff/dashboards/breakdown?by=citizen',
      '/api/v1/staff/dashboards/series?interval=day&from=2024-01-01&to=2026-01-01',
      '/api/v1/staff/dashboards/complaints?metric=everything',
      '/api/v1/staff/dashboards/complaints?metric=received&cursor=%27%20or%201%3D1',
      '/api/v1/staff/dashboards/complaints?metric=received&limit=100000',
      '/api/v1/staff/dashboards/complaints?metric=open&officer=1',
      `/api/v1/staff/dashboards/heatmap?status=${'x'.repeat(5000)}`,
    ]) {
      const res = await get(url, admin.token);
      expect(res.statusCode, url).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
    }
  });

  it('rollups kept by each event equal rollups rebuilt from the events', async () => {
    // A second resolution after the reopening is judged by the reopening's halved deadline.
    const again = await act(ids.unhappy, officer.token, {
      type: 'resolve',
      message: 'Replaced the valve as well.',
    });
    expect(again.statusCode, again.body).toBe(200);
    const forwarded = await act(ids.overdue, admin.token, {
      type: 'forward',
      officeId: ref.office('phe.charsadda'),
      reason: 'The pipeline belongs to the Charsadda scheme.',
    });
    expect(forwarded.statusCode, forwarded.body).toBe(200);
    const incremental = await snapshot();
    expect(incremental.rollups.length).toBeGreaterThan(0);
    await rebuildRollups(portal.database.db);
    expect(await snapshot()).toEqual(incremental);
  });

  describe('the public page', () => {
    it('shows the figures without a personal detail, and its map rounds places to about 100 m', async () => {
      const page = await get('/public');
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toMatch(/<html lang="en">/);
      expect(page.body).toContain('League table');
      expect(page.body).not.toContain('No water in our street');
      expect(page.body).not.toContain('Amina');
      const figures = await get('/api/v1/public/figures');
      expect(figures.statusCode).toBe(200);
      expect(figures.json().province.received).toBe(5);
      expect(JSON.stringify(figures.json())).not.toMatch(/Amina|No water in our street|repaired/);
      const map = await get('/api/v1/public/map');
      expect(map.statusCode).toBe(200);
      const points = map.json();
      expect(points.length).toBeGreaterThan(0);
      for (const p of points) {
        expect(Object.keys(p).sort()).toEqual(['category', 'filedOn', 'lat', 'lng', 'status', 'updatedOn']);
        expect(Math.round(p.lat * 1000) / 1000).toBe(p.lat);
      }
      expect(points.some((p: { lat: number }) => p.lat === 34.015)).toBe(true);
      expect((await get('/public/map.js')).statusCode).toBe(200);
    });

    it('an admin switches it off (audited) and it answers 404; others may not', async () => {
      const put = (token: string, enabled: unknown) =>
        portal.app.inject({
          method: 'PUT',
          url: '/api/v1/staff/settings/public-page',
          headers: bearer(token),
          payload: { enabled },
        });
      expect((await put(supervisor.token, false)).statusCode).toBe(403);
      expect((await put(admin.token, 'no')).statusCode).toBe(400);
      const off = await put(admin.token, false);
      expect(off.statusCode, off.body).toBe(200);
      expect(off.json().enabled).toBe(false);
      for (const url of [
        '/public',
        '/public/map.js',
        '/api/v1/public/figures',
        '/api/v1/public/map',
        '/api/v1/public/districts',
      ]) {
        expect((await get(url)).statusCode, url).toBe(404);
      }
      const audit = await portal.database.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'settings.public_page')
        .execute();
      expect(audit).toHaveLength(1);
      expect((await put(admin.token, true)).json().enabled).toBe(true);
      expect((await get('/public')).statusCode).toBe(200);
    });
  });
});
