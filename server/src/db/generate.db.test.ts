import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen } from '../../test/factories.js';
import { createTestPortal, type TestPortal } from '../../test/portal.js';
import { generateComplaints } from './generate.js';

describe('data generator', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal({ RATE_LIMITS: 'off' });
  });
  afterAll(async () => portal?.destroy());

  it('spreads complaints over districts, categories and statuses, keeps the counts, and leaves ids usable', async () => {
    const result = await generateComplaints(portal.database, { complaints: 1500, seed: 7 });
    expect(result.complaints).toBe(1500);
    const db = portal.database.db;
    const byStatus = await db
      .selectFrom('complaints')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const statuses = new Map(byStatus.map((r) => [r.status, Number(r.n)]));
    for (const s of ['assigned', 'in_progress', 'resolved', 'closed', 'rejected']) {
      expect(statuses.get(s as never), s).toBeGreaterThan(10);
    }
    const districts = await db.selectFrom('complaints').select('district_id').distinct().execute();
    expect(districts.length).toBeGreaterThan(20);
    const counts = await db
      .selectFrom('complaint_counts')
      .select((eb) => eb.fn.sum<number>('count').as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(counts.n)).toBe(1500);

    // A real submission after the bulk load takes the next id and tracking number.
    const citizen = await buildCitizen(portal);
    const category = (await portal.app.services.geo.categories()).find(
      (c) => c.code === 'water-supply-no-water',
    )!;
    const res = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: bearer(citizen.token),
      payload: {
        category: category.id,
        description: 'After the generator ran.',
        lat: 34.0151,
        lng: 71.5249,
        consent: true,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().id).toBe(1501);
  });
});
