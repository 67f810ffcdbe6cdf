import { CompiledQuery, Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds } from '../../../test/complaints.js';
import { createTestDatabase } from '../../../test/database.js';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { generateComplaints } from '../../db/generate.js';
import { migrateToLatest } from '../../db/migrate.js';
import { columnTypes } from '../../db/migrations/helpers.js';
import { migrations } from '../../db/migrations/index.js';
import { HEAT_STATUSES, rebuildRollups, withHeatTables } from './rollup.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;
interface HeatMap {
  cellDegrees: number;
  cells: { lat: number; lng: number; count: number }[];
}
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const byCell = (m: HeatMap) => Object.fromEntries(m.cells.map((c) => [`${c.lat},${c.lng}`, c.count]));
const total = (m: HeatMap) => m.cells.reduce((n, c) => n + c.count, 0);

describe('dashboards: the heat map at every scale and scope', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let admin: Staff;
  let supervisor: Staff;
  let officer: Staff;
  const range = `from=${day(-600)}&to=${day(0)}`;
  // Khyber Pakhtunkhwa and around it: wide enough for the wider cells.
  const province = 'minLat=31&minLng=69&maxLat=37&maxLng=74';
  // Peshawar and its surroundings: the 0.05-degree grid.
  const peshawar = 'minLat=33.8&minLng=71.3&maxLat=34.2&maxLng=71.8';

  const get = async (url: string, token: string) =>
    portal.app.inject({ method: 'GET', url, headers: bearer(token) });
  const heat = async (query: string, token = admin.token): Promise<HeatMap> => {
    const res = await get(`/api/v1/staff/dashboards/heatmap?${range}&${query}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const heatTable = async (table: 'heat_area' | 'heat_place') =>
    (await withHeatTables(portal.database.db).selectFrom(table).selectAll().execute())
      .map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])),
      )
      // Rows a complaint has left stay at zero until a rebuild.
      .filter((r) => HEAT_STATUSES.some((s) => r[s] !== 0))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    admin = await buildStaff(portal, { role: 'admin' });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe', districts: [] });
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    await generateComplaints(portal.database, { complaints: 1200, seed: 5 });
    // Nothing is reused between requests here: each answer is read afresh.
    portal.app.services.dashboards.reuseMs.heat = 0;
  });
  afterAll(async () => portal?.destroy());

  it('draws everything from the area rollup as the departments\u2019 maps add up, at both cell sizes', async () => {
    const withPoint = await portal.database.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('lat', 'is not', null)
      .executeTakeFirstOrThrow();
    for (const bounds of ['', province, peshawar]) {
      const all = await heat(bounds);
      const sum: Record<string, number> = {};
      for (const d of ref.categories.map((c) => c.department_id).filter((v, i, a) => a.indexOf(v) === i)) {
        for (const [k, n] of Object.entries(byCell(await heat(`${bounds}&department=${d}`)))) {
          sum[k] = (sum[k] ?? 0) + n;
        }
      }
      expect(byCell(all), bounds).toEqual(sum);
      if (bounds !== peshawar) expect(total(all)).toBe(Number(withPoint.n));
    }
    expect((await heat('')).cellDegrees).toBe(0.05);
    expect((await heat(peshawar)).cellDegrees).toBe(0.05);
    const wide = await heat(province);
    expect(wide.cellDegrees).toBe(0.25);
    expect(wide.cells.length).toBeLessThan((await heat('')).cells.length);
    for (const c of wide.cells) expect(Math.round((c.lat / 0.25 - 0.5) * 1e6) % 1e6).toBe(0);
    // A cell of the Peshawar view lies in it; the province's view holds the same complaints in fewer cells.
    const near = await heat(peshawar);
    expect(near.cells.length).toBeGreaterThan(0);
    for (const c of near.cells) {
      expect(c.lat).toBeGreaterThan(33.75);
      expect(c.lat).toBeLessThan(34.25);
    }
  });

  it('filters by status in the rollup as in the cells, and scopes supervisors and officers', async () => {
    for (const status of ['closed', 'in_progress']) {
      const all = await heat(`status=${status}`);
      const counted = await portal.database.db
        .selectFrom('complaints')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('lat', 'is not', null)
        .where('status', '=', status as 'closed')
        .executeTakeFirstOrThrow();
      expect(total(all)).toBe(Number(counted.n));
      const [phe, cells] = [
        await heat(`status=${status}&department=${ref.department('phe')}`),
        await heat(`status=${status}`, supervisor.token),
      ];
      expect(byCell(cells)).toEqual(byCell(phe));
    }
    const office = await heat(`office=${ref.office('phe.peshawar')}`);
    expect(total(office)).toBeGreaterThan(0);
    expect(byCell(await heat('', officer.token))).toEqual(byCell(office));
    const wideOffice = await heat(`office=${ref.office('phe.peshawar')}&${province}`);
    expect(wideOffice.cellDegrees).toBe(0.25);
    expect(total(wideOffice)).toBe(total(office));
  });

  it('keeps heat_area and heat_place by each event as a rebuild makes them', async () => {
    const complaint = await portal.database.db
      .selectFrom('complaints')
      .select(['id'])
      .where('status', '=', 'assigned')
      .where('office_id', '=', ref.office('phe.peshawar'))
      .where('lat', 'is not', null)
      .executeTakeFirstOrThrow();
    const act = async (payload: Record<string, unknown>) => {
      const res = await portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/complaints/${complaint.id}/actions`,
        headers: bearer(officer.token),
        payload,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    const before = await heat('status=in_progress');
    await act({ type: 'start' });
    expect(total(await heat('status=in_progress'))).toBe(total(before) + 1);
    await act({ type: 'resolve', message: 'Replaced the broken pipe.' });
    expect(total(await heat('status=in_progress'))).toBe(total(before));
    const filed = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: bearer((await buildCitizen(portal)).token),
      payload: {
        category: ref.category('water-supply-no-water'),
        description: 'No water in our street for three days now.',
        lat: 34.0151,
        lng: 71.5249,
        consent: true,
      },
    });
    expect(filed.statusCode, filed.body).toBe(201);
    // A forwarded complaint moves to the other office's row of heat_place.
    const forwarded = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/complaints/${filed.json().id}/actions`,
      headers: bearer(admin.token),
      payload: {
        type: 'forward',
        officeId: ref.office('phe.charsadda'),
        reason: 'The scheme is Charsadda\u2019s.',
      },
    });
    expect(forwarded.statusCode, forwarded.body).toBe(200);
    const kept = [await heatTable('heat_area'), await heatTable('heat_place')];
    expect(kept[1]!.length).toBeGreaterThan(0);
    await rebuildRollups(portal.database.db);
    expect([await heatTable('heat_area'), await heatTable('heat_place')]).toEqual(kept);
  });

  it('narrows the map to a district’s box, within the bounds when both are given', async () => {
    const peshawarId = ref.district('peshawar');
    const { box } = (await portal.app.services.geo.districtBoxes()).get(peshawarId)!;
    const asBounds = (b: typeof box) =>
      `minLat=${b.minLat}&minLng=${b.minLng}&maxLat=${b.maxLat}&maxLng=${b.maxLng}`;
    const district = await heat(`district=${peshawarId}`);
    expect(total(district)).toBeGreaterThan(0);
    expect(total(district)).toBeLessThan(total(await heat('')));
    expect(byCell(district)).toEqual(byCell(await heat(asBounds(box))));
    // Within bounds: the overlap of the two; bounds elsewhere: nothing.
    const north = { ...box, minLat: (box.minLat + box.maxLat) / 2, maxLat: box.maxLat + 1 };
    const overlap = { ...box, minLat: north.minLat };
    expect(byCell(await heat(`district=${peshawarId}&${asBounds(north)}`))).toEqual(
      byCell(await heat(asBounds(overlap))),
    );
    const swat = await heat(`district=${peshawarId}&minLat=35&minLng=72&maxLat=35.5&maxLng=72.5`);
    expect(swat.cells).toEqual([]);
    // A department's map narrows the same way.
    expect(byCell(await heat(`district=${peshawarId}&department=${ref.department('phe')}`))).toEqual(
      byCell(await heat(`${asBounds(box)}&department=${ref.department('phe')}`)),
    );
    const unknown = await get(`/api/v1/staff/dashboards/heatmap?district=999999`, admin.token);
    expect(unknown.statusCode).toBe(400);
    expect(errorOf(unknown).fields).toEqual({ district: 'Unknown district.' });
  });

  it('refuses bounds that are partial, reversed or off the globe', async () => {
    for (const query of [
      'minLat=33&minLng=71',
      'minLat=34&minLng=71&maxLat=33&maxLng=72',
      'minLat=33&minLng=72&maxLat=34&maxLng=71',
      'minLat=-91&minLng=71&maxLat=34&maxLng=72',
      'minLat=33&minLng=71&maxLat=34&maxLng=181',
      'minLat=north&minLng=71&maxLat=34&maxLng=72',
    ]) {
      const res = await get(`/api/v1/staff/dashboards/heatmap?${query}`, admin.token);
      expect(res.statusCode, query).toBe(400);
      expect(errorOf(res).code).toBe('validation_failed');
    }
  });

  it('reads an office\u2019s map from its rows of heat_place, a category\u2019s from its rows of heat_cells', async () => {
    const db = portal.database.db;
    const months = [`${day(0).slice(0, 7)}-01`];
    const plan = async (query: { sql: string; parameters: readonly unknown[] }) =>
      portal.database.dialect === 'sqlite'
        ? (
            await db.executeQuery<{ detail: string }>(
              CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
            )
          ).rows
            .map((r) => r.detail)
            .join('\n')
        : await db.transaction().execute(async (trx) => {
            await sql`set local enable_seqscan = off`.execute(trx);
            const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(
              CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
            );
            return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
          });
    const office = withHeatTables(db)
      .selectFrom('heat_place')
      .select(['cell_lat', 'cell_lng'])
      .where('department_id', '=', ref.department('phe'))
      .where('office_id', 'in', [ref.office('phe.peshawar')])
      .where('month', 'in', months)
      .compile();
    expect(await plan(office)).toMatch(
      /heat_place_pk|sqlite_autoindex_heat_place_1 \(department_id=\? AND office_id=\? AND month=\?/,
    );
    const category = db
      .selectFrom('heat_cells')
      .select(['cell_lat', 'cell_lng'])
      .where('category_id', 'in', [ref.category('water-supply-no-water')])
      .where('month', 'in', months)
      .compile();
    expect(await plan(category)).toMatch(/heat_cells_category/);
  });
});

describe('dashboards: the migration that adds the heat map rollups', () => {
  it('fills them from the heat map cells a portal already has', async () => {
    const t = await createTestDatabase({ migrate: false });
    try {
      const db = t.database.db;
      const schema =
        t.database.dialect === 'postgres'
          ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s
          : undefined;
      const types = columnTypes(t.database.dialect);
      const migrator = new Migrator({
        db,
        migrationTableSchema: schema,
        provider: {
          getMigrations: async () =>
            Object.fromEntries(
              Object.entries(migrations).map(([name, m]) => [name, { up: (d) => m.up(d, types) }]),
            ),
        },
      });
      const { error } = await migrator.migrateTo('20261129T0400-dashboards');
      expect(error).toBeUndefined();
      const row = { category_id: 1, department_id: 1, office_id: 0 };
      await db
        .insertInto('heat_cells')
        .values([
          { ...row, month: '2026-01-01', cell_lat: 680, cell_lng: 1430, status: 'closed', count: 3 },
          { ...row, month: '2026-01-01', cell_lat: 680, cell_lng: 1430, status: 'assigned', count: 2 },
          {
            category_id: 2,
            department_id: 2,
            office_id: 5,
            month: '2026-01-01',
            cell_lat: 680,
            cell_lng: 1430,
            status: 'closed',
            count: 1,
          },
          { ...row, month: '2026-01-01', cell_lat: 684, cell_lng: 1431, status: 'closed', count: 4 },
          { ...row, month: '2026-02-01', cell_lat: -3, cell_lng: 1430, status: 'rejected', count: 5 },
        ])
        .execute();
      await migrateToLatest(t.database);
      const rows = await withHeatTables(db)
        .selectFrom('heat_area')
        .select(['scale', 'month', 'cell_lat', 'cell_lng', 'closed', 'assigned', 'rejected'])
        .orderBy('scale')
        .orderBy('month')
        .orderBy('cell_lat')
        .execute();
      expect(rows.map((r) => Object.values(r).map((v) => (typeof v === 'string' ? v : Number(v))))).toEqual([
        [1, '2026-01-01', 680, 1430, 4, 2, 0],
        [1, '2026-01-01', 684, 1431, 4, 0, 0],
        [1, '2026-02-01', -3, 1430, 0, 0, 5],
        [5, '2026-01-01', 136, 286, 8, 2, 0],
        [5, '2026-02-01', -1, 286, 0, 0, 5],
      ]);
      const places = await withHeatTables(db)
        .selectFrom('heat_place')
        .select([
          'department_id',
          'office_id',
          'month',
          'cell_lat',
          'cell_lng',
          'closed',
          'assigned',
          'rejected',
        ])
        .orderBy('department_id')
        .orderBy('month')
        .orderBy('cell_lat')
        .execute();
      expect(places.map((r) => Object.values(r).map((v) => (typeof v === 'string' ? v : Number(v))))).toEqual(
        [
          [1, 0, '2026-01-01', 680, 1430, 3, 2, 0],
          [1, 0, '2026-01-01', 684, 1431, 4, 0, 0],
          [1, 0, '2026-02-01', -3, 1430, 0, 0, 5],
          [2, 5, '2026-01-01', 680, 1430, 1, 0, 0],
        ],
      );
    } finally {
      await t.destroy();
    }
  });
});
