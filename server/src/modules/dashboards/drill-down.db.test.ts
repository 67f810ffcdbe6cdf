import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildComplaint, refIds, staffAction } from '../../../test/complaints.js';
import { bearer, buildStaff } from '../../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../../test/portal.js';
import { generateComplaints } from '../../db/generate.js';
import { eventListQuery } from './repo.js';
import { rebuildRollups } from './rollup.js';

type Staff = Awaited<ReturnType<typeof buildStaff>>;
interface Item {
  id: number;
  at: string | null;
  office: { id: number } | null;
}

const FIGURE = {
  received: 'received',
  resolved: 'resolved',
  reopened: 'reopened',
  closed_satisfied: 'closedSatisfied',
  closed_no_feedback: 'closedNoFeedback',
  rejected: 'rejected',
} as const;
type EventMetric = keyof typeof FIGURE;
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

describe('dashboards: the complaints behind a figure of a period', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;
  let admin: Staff;
  let supervisor: Staff; // phe, every district
  let someDistricts: Staff; // phe, Peshawar, Mardan and Swat
  let officer: Staff; // phe, Peshawar
  const range = `from=${day(-600)}&to=${day(0)}`;

  const get = async (url: string, token: string) => {
    const res = await portal.app.inject({ method: 'GET', url, headers: bearer(token) });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  };
  /** Every page of a drill-down, following the cursors. */
  const all = async (query: string, token: string, limit: number) => {
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const url = `/api/v1/staff/dashboards/complaints?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await get(url, token);
      items.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('too many pages');
  };
  const figure = async (metric: EventMetric, query: string, token: string) =>
    (await get(`/api/v1/staff/dashboards/summary?${query}`, token)).figures[FIGURE[metric]] as number;
  const newestFirst = (items: Item[]) => {
    for (let i = 1; i < items.length; i++) expect(items[i - 1]!.at! >= items[i]!.at!).toBe(true);
  };

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    admin = await buildStaff(portal, { role: 'admin' });
    supervisor = await buildStaff(portal, { role: 'supervisor', department: 'phe', districts: [] });
    someDistricts = await buildStaff(portal, {
      role: 'supervisor',
      department: 'phe',
      districts: ['peshawar', 'mardan', 'swat'],
    });
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    // A year and a half of complaints whose event ids do not follow their times, as after a bulk load.
    await generateComplaints(portal.database, { complaints: 1500, seed: 11 });
  });
  afterAll(async () => portal?.destroy());

  it('lists exactly the events each figure counts, newest event first, in every scope and filter', async () => {
    const scopes: [string, Staff, string][] = [
      ['admin', admin, ''],
      ['admin, a district', admin, `&district=${ref.district('peshawar')}`],
      ['admin, a department', admin, `&department=${ref.department('phe')}`],
      ['admin, a category', admin, `&category=${ref.category('water-supply')}`],
      ['admin, triage', admin, '&office=0'],
      ['supervisor', supervisor, ''],
      ['supervisor of three districts', someDistricts, ''],
      ['supervisor, a district', supervisor, `&district=${ref.district('mardan')}`],
      ['officer', officer, ''],
    ];
    let listed = 0;
    for (const metric of Object.keys(FIGURE) as EventMetric[]) {
      for (const [name, who, filter] of scopes) {
        const items = await all(`metric=${metric}&${range}${filter}`, who.token, 40);
        expect(items.length, `${metric}, ${name}`).toBe(await figure(metric, `${range}${filter}`, who.token));
        newestFirst(items);
        listed += items.length;
      }
    }
    expect(listed).toBeGreaterThan(3000);
  });

  it('lists an office\u2019s events of any period, also of a complaint that later moved elsewhere', async () => {
    const moved = await buildComplaint(portal, { category: 'water-supply-no-water', district: 'peshawar' });
    const forwarded = await portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/complaints/${moved.id}/actions`,
      headers: bearer(admin.token),
      payload: {
        type: 'forward',
        officeId: ref.office('phe.charsadda'),
        reason: 'The scheme belongs to Charsadda.',
      },
    });
    expect(forwarded.statusCode, forwarded.body).toBe(200);
    // Peshawar received it, as its figure says; Charsadda did not.
    const today = `from=${day(0)}&to=${day(0)}`;
    const peshawar = await all(`metric=received&${today}`, officer.token, 10);
    expect(peshawar.map((i) => i.id)).toContain(moved.id);
    expect(peshawar).toHaveLength(await figure('received', today, officer.token));
    const charsadda = await all(
      `metric=received&${today}&office=${ref.office('phe.charsadda')}`,
      admin.token,
      10,
    );
    expect(charsadda.map((i) => i.id)).not.toContain(moved.id);

    // A month long ago reads the same as the last one.
    const old = `from=${day(-400)}&to=${day(-370)}`;
    const items = await all(`metric=resolved&${old}`, officer.token, 5);
    expect(items.length).toBe(await figure('resolved', old, officer.token));
    expect(items.length).toBeGreaterThan(0);
    for (const i of items) expect(i.at! >= `${day(-400)}T` && i.at! < `${day(-369)}T`).toBe(true);
  });

  it('pages through events at the same instant, across offices, without losing or repeating one', async () => {
    const db = portal.database.db;
    // Twelve resolutions of the department, in several offices, moved to one instant (and on PostgreSQL,
    // two of them a microsecond apart, finer than the times the API shows).
    const picked = await db
      .selectFrom('complaint_events as e')
      .innerJoin('offices as o', 'o.id', 'e.office_id')
      .select(['e.id', 'e.office_id', 'e.complaint_id'])
      .where('e.type', '=', 'resolved')
      .where('o.department_id', '=', ref.department('phe'))
      .orderBy('e.id')
      .limit(12)
      .execute();
    expect(new Set(picked.map((p) => p.office_id)).size).toBeGreaterThan(1);
    await db
      .updateTable('complaint_events')
      .set({ created_at: `${day(-3)}T10:00:00.000Z` })
      .where(
        'id',
        'in',
        picked.map((p) => p.id),
      )
      .execute();
    if (portal.database.dialect === 'postgres') {
      await sql`update complaint_events set created_at = created_at + interval '1 microsecond'
        where id in (${picked[3]!.id}, ${picked[7]!.id})`.execute(db);
    }
    await rebuildRollups(db);
    const period = `from=${day(-3)}&to=${day(-3)}`;
    const expected = await figure('resolved', period, supervisor.token);
    expect(expected).toBeGreaterThanOrEqual(12);
    for (const limit of [1, 2, 5]) {
      const items = await all(`metric=resolved&${period}`, supervisor.token, limit);
      expect(items).toHaveLength(expected);
      const ids = new Set(items.map((i) => i.id));
      expect(ids.size).toBe(expected);
      for (const p of picked) expect(ids.has(p.complaint_id)).toBe(true);
      newestFirst(items);
    }
  });

  it('lists one staff member\u2019s resolutions as the by-officer figure counts them', async () => {
    const act = (id: number, token: string, payload: Record<string, unknown>) =>
      staffAction(portal, id, token, payload);
    const mine: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await buildComplaint(portal);
      expect((await act(c.id, officer.token, { type: 'start' })).statusCode).toBe(200);
      const r = await act(c.id, officer.token, { type: 'resolve', message: 'Repaired the main line.' });
      expect(r.statusCode, r.body).toBe(200);
      mine.push(c.id);
    }
    const rows = (await get(`/api/v1/staff/dashboards/breakdown?by=officer&${range}`, supervisor.token)).rows;
    const row = rows.find((r: { key: { id: number } }) => r.key.id === officer.id);
    expect(row.resolved).toBe(3);
    const items = await all(`metric=resolved&${range}&officer=${officer.id}`, admin.token, 2);
    expect(items.map((i) => i.id).sort()).toEqual(mine.sort());
    // Someone who resolved nothing: nothing, found without reading events.
    expect(await all(`metric=resolved&${range}&officer=${admin.id}`, admin.token, 2)).toEqual([]);
  });

  it('reads a page in index order, without sorting: an office\u2019s, and everything an admin sees', async () => {
    const db = portal.database.db;
    const plan = async (offices: number[] | undefined) => {
      const query = eventListQuery(
        db,
        {},
        {
          type: 'resolved',
          offices,
          from: `${day(-365)}T00:00:00.000Z`,
          before: `${day(1)}T00:00:00.000Z`,
          afterEventId: 5,
          limit: 26,
        },
      )!.compile();
      if (portal.database.dialect === 'sqlite') {
        const rows = await db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
        );
        return rows.rows.map((r) => r.detail).join('\n');
      }
      // Small tables are read whole on PostgreSQL; what matters is that the index can give the page.
      return db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
        const rows = await trx.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    };
    const office = await plan([ref.office('phe.peshawar')]);
    expect(office).toMatch(/complaint_events_office_status/);
    const everything = await plan(undefined);
    expect(everything).toMatch(/complaint_events_type_time/);
    for (const p of [office, everything]) expect(p).not.toMatch(/TEMP B-TREE|Sort/);
  });
});
