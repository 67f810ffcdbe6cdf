import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refIds, staffAction } from '../../../test/complaints.js';
import { bearer, buildStaff } from '../../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../../test/portal.js';
import { generateComplaints } from '../../db/generate.js';
import { OPEN_STATUSES } from '../complaints/lifecycle.js';
import { overdueCounts } from './repo.js';

/**
 * Overdue figures add rollup_open_due's earlier months to this month's open complaints past due: they must
 * equal a count of the complaints themselves, after a bulk load and as complaints are resolved and moved.
 */
describe('dashboards: overdue from the open-and-due rollup', () => {
  let portal: TestPortal;
  let ref: Awaited<ReturnType<typeof refIds>>;

  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off', SLA_SWEEP_SECONDS: '3600' });
    ref = await refIds(portal);
    await generateComplaints(portal.database, { complaints: 1500, seed: 11 });
  });
  afterAll(async () => portal?.destroy());

  /** The truth: open complaints past due, per office (0: triage), read from the complaints. */
  const truth = async (where: { departmentId?: number; districtId?: number } = {}) => {
    let q = portal.database.db
      .selectFrom('complaints')
      .select([sql<number>`coalesce(office_id, 0)`.as('office'), sql<number>`count(*)`.as('n')])
      .where('status', 'in', [...OPEN_STATUSES])
      .where('due_at', '<', new Date().toISOString())
      .groupBy(sql`coalesce(office_id, 0)`);
    if (where.departmentId) q = q.where('department_id', '=', where.departmentId);
    if (where.districtId) q = q.where('district_id', '=', where.districtId);
    return new Map((await q.execute()).map((r) => [Number(r.office), Number(r.n)]));
  };
  const counted = async (narrow: { departmentId?: number; districtId?: number } = {}) =>
    overdueCounts(
      portal.database.db,
      { kind: 'all' },
      narrow,
      OPEN_STATUSES,
      new Date().toISOString(),
      'office',
    );

  const expectAllEqual = async () => {
    const phe = ref.department('phe');
    const peshawar = ref.district('peshawar');
    for (const narrow of [{}, { departmentId: phe }, { districtId: peshawar }]) {
      const want = await truth(narrow);
      const got = await counted(narrow);
      expect(Object.fromEntries(got), JSON.stringify(narrow)).toEqual(Object.fromEntries(want));
    }
  };

  it('equals a count of the complaints after a bulk load, with months of backlog in it', async () => {
    const months = await portal.database.db
      .selectFrom('rollup_open_due')
      .select('due_month')
      .distinct()
      .where('count', '>', 0)
      .execute();
    // The generated backlog falls due over many months, so both halves of the sum are exercised.
    expect(months.length).toBeGreaterThan(3);
    expect([...(await truth()).values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
    await expectAllEqual();
  });

  it('follows complaints as they are resolved, forwarded and rejected', async () => {
    const admin = await buildStaff(portal, { role: 'admin' });
    const overdue = await portal.database.db
      .selectFrom('complaints')
      .select(['id', 'status', 'department_id'])
      .where('status', 'in', ['assigned', 'in_progress'])
      .where('due_at', '<', new Date(Date.now() - 40 * 86_400_000).toISOString())
      .where('office_id', 'is not', null)
      .orderBy('id')
      .limit(4)
      .execute();
    expect(overdue).toHaveLength(4);
    const act = (id: number, body: Record<string, unknown>) => staffAction(portal, id, admin.token, body);
    for (const c of overdue.slice(0, 2)) {
      const res = await act(c.id, { type: 'resolve', message: 'Repaired and checked on site.' });
      expect(res.statusCode, res.body).toBe(200);
    }
    const moved = await act(overdue[2]!.id, {
      type: 'forward',
      officeId: ref.office('phe.charsadda'),
      reason: 'The scheme belongs to Charsadda.',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const rejected = await act(overdue[3]!.id, {
      type: 'reject',
      reason: 'irrelevant',
      message: 'Not ours.',
    });
    expect(rejected.statusCode, rejected.body).toBe(200);
    await expectAllEqual();
    // And as the summary shows it.
    const summary = await portal.app.inject({
      method: 'GET',
      url: '/api/v1/staff/dashboards/summary',
      headers: bearer(admin.token),
    });
    const total = [...(await truth()).values()].reduce((a, b) => a + b, 0);
    expect(summary.json().figures.overdue).toBe(total);
  });
});
