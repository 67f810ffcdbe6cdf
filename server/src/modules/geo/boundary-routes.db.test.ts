import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildCitizen, buildStaff } from '../../../test/factories.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';

const square = (name: string, lng: number, lat: number, size: number, province = 'Khyber Pakhtunkhwa') => ({
  type: 'Feature',
  properties: { name, province },
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [lng, lat],
        [lng + size, lat],
        [lng + size, lat + size],
        [lng, lat + size],
        [lng, lat],
      ],
    ],
  },
});

const FILE = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    square('Peshawar', 71.3, 33.8, 0.5),
    square('Old Name', 72.9, 34.0, 0.5),
    square('Lahore', 74.1, 31.3, 0.5, 'Punjab'),
  ],
});

describe('importing district boundaries from the console', () => {
  let portal: TestPortal;
  let admin: string;
  beforeAll(async () => {
    portal = await createTestPortal();
    admin = (await buildStaff(portal, { role: 'admin' })).token;
  });
  afterAll(async () => portal?.destroy());

  const importFile = (query: string, body: string = FILE, token = admin, type = 'application/geo+json') =>
    portal.app.inject({
      method: 'POST',
      url: `/api/v1/staff/boundaries/import?${query}`,
      headers: { ...bearer(token), 'content-type': type },
      payload: body,
    });
  const boundaryCount = async () =>
    (await portal.database.db.selectFrom('district_boundaries').select('district_id').execute()).length;
  const importAudits = () =>
    portal.database.db
      .selectFrom('audit_log')
      .select(['action', 'after'])
      .where('action', '=', 'boundaries.import')
      .execute();

  it('matches names in a dry run and changes nothing', async () => {
    const res = await importFile('dryRun=true&where=province%3DKhyber%20Pakhtunkhwa');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      features: 2,
      matched: [{ featureName: 'Peshawar', districtCode: 'peshawar' }],
      unmatched: ['Old Name'],
      imported: false,
      districtsWithBoundary: 0,
    });
    expect(await boundaryCount()).toBe(0);
    expect(await importAudits()).toHaveLength(0);
  });

  it('imports with a mapping for the unmatched name, audits it, and locates by the new polygons', async () => {
    const res = await importFile(
      `where=province%3DKhyber%20Pakhtunkhwa&map=${encodeURIComponent('Old Name=abbottabad')}&source=kp.geojson`,
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ imported: true, unmatched: [], districtsWithBoundary: 2 });
    expect(await boundaryCount()).toBe(2);
    const audits = await importAudits();
    expect(audits).toHaveLength(1);
    expect(JSON.parse(audits[0]!.after as string)).toMatchObject({
      districts: expect.arrayContaining(['peshawar', 'abbottabad']),
    });
    const located = await portal.app.inject('/api/v1/geo/locate?lat=34.2&lng=73.1');
    expect(located.json()).toMatchObject({ district: { code: 'abbottabad' }, method: 'boundary' });
  });

  it('takes the file as application/json too', async () => {
    const res = await importFile('dryRun=true', FILE, admin, 'application/json');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().features).toBe(3);
  });

  it('refuses bad files and bad options with the error shape, and stores nothing', async () => {
    const before = await boundaryCount();
    const cases: [string, Awaited<ReturnType<typeof importFile>>, number][] = [
      ['not JSON', await importFile('', '{"type": "FeatureColl'), 400],
      ['not a collection', await importFile('', JSON.stringify({ type: 'Point', coordinates: [1, 2] })), 400],
      [
        'a feature without geometry',
        await importFile('', '{"type":"FeatureCollection","features":[{}]}'),
        400,
      ],
      ['no body', await importFile('', ''), 400],
      ['nothing matches', await importFile('where=province%3DNowhere'), 400],
      ['an unknown district in the mapping', await importFile('map=Old%20Name%3Datlantis'), 400],
      ['a mapping without a code', await importFile('map=Old%20Name'), 400],
      ['an unknown option', await importFile('drop=all'), 400],
      ['plain text', await importFile('', FILE, admin, 'text/plain'), 415],
    ];
    for (const [name, res, status] of cases) {
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status);
      expect(errorOf(res).message, name).toBeTruthy();
    }
    expect(await boundaryCount()).toBe(before);
    expect(await importAudits()).toHaveLength(1);
  });

  it('is for admins only', async () => {
    const officer = await buildStaff(portal, { role: 'officer' });
    const supervisor = await buildStaff(portal, { role: 'supervisor' });
    const citizen = await buildCitizen(portal);
    expect((await importFile('dryRun=true', FILE, officer.token)).statusCode).toBe(403);
    expect((await importFile('dryRun=true', FILE, supervisor.token)).statusCode).toBe(403);
    expect((await importFile('dryRun=true', FILE, citizen.token)).statusCode).toBe(403);
    const anonymous = await portal.app.inject({
      method: 'POST',
      url: '/api/v1/staff/boundaries/import?dryRun=true',
      headers: { 'content-type': 'application/geo+json' },
      payload: FILE,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
