import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../test/database.js';
import { createTestPortal, type TestPortal } from '../../test/portal.js';
import { generateComplaintsFast } from './generate-fast.js';

describe.skipIf(testEngine() !== 'postgres')('set-based generator (PostgreSQL)', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off' });
  });
  afterAll(async () => portal?.destroy());

  it('makes complaints with their events, counts and rollups, and leaves ids usable', async () => {
    await generateComplaintsFast(portal.database, { complaints: 3000, seed: 7 });
    const db = portal.database.db;
    const one = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(db)).rows[0]!.n);
    expect(await one(sql`select count(*) as n from complaints`)).toBe(3000);
    const statuses = await one(sql`select count(distinct status) as n from complaints`);
    expect(statuses).toBeGreaterThanOrEqual(5);
    expect(await one(sql`select coalesce(sum(count), 0) as n from complaint_counts`)).toBe(3000);
    expect(await one(sql`select coalesce(sum(received), 0) as n from rollups where period = 'm'`)).toBe(3000);
    expect(await one(sql`select coalesce(sum(count), 0) as n from rollup_current`)).toBe(3000);
    const closed = await one(sql`select count(*) as n from complaints where status = 'closed'`);
    const closedRolled = await one(
      sql`select coalesce(sum(closed_satisfied + closed_no_feedback), 0) as n from rollups where period = 'd'`,
    );
    expect(closedRolled).toBe(closed);
    const next = await one(sql`select nextval('complaint_ids') as n`);
    expect(next).toBeGreaterThan(3000);
  });
});
