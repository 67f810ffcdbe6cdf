import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { parseBoundaryFile } from './boundaries.js';

const fixture =
  process.env.BOUNDARIES_FIXTURE ??
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../../../../shared/data/pakistan-districts.geojson',
  );
const hasFixture = existsSync(fixture);

const square = (name: string, lng: number, lat: number, size: number) => ({
  type: 'Feature',
  properties: { name },
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

describe('district boundaries in the database', () => {
  let portal: TestPortal;
  beforeAll(async () => {
    portal = await createTestPortal();
  });
  afterAll(async () => portal?.destroy());

  const locate = (lat: number, lng: number) => portal.app.inject(`/api/v1/geo/locate?lat=${lat}&lng=${lng}`);

  it('falls back to the nearest headquarters before any boundary is imported', async () => {
    const res = await locate(34.0151, 71.5249);
    expect(res.json()).toMatchObject({ district: { code: 'peshawar' }, method: 'nearest_hq' });
    const lahore = await locate(31.5204, 74.3587);
    expect(lahore.statusCode).toBe(400);
    expect(errorOf(lahore).code).toBe('outside_territory');
    const bad = await locate(Number.NaN, 200);
    expect(bad.statusCode).toBe(400);
  });

  it('imports polygons, reports unmatched names, applies a mapping, and locates by polygon', async () => {
    const file = {
      type: 'FeatureCollection',
      features: [
        square('Peshawar', 71.3, 33.8, 0.5),
        square('D.I. Khan', 70.5, 31.5, 0.8),
        square('Atlantis', 10, 10, 1),
        square('Old Name', 72.9, 34.0, 0.5),
      ],
    };
    const features = parseBoundaryFile(file, 'name');
    const report = await portal.app.services.geo.importBoundaries(features, { source: 'test.geojson' });
    expect(report.matched.map((m) => m.districtCode).sort()).toEqual(['dera-ismail-khan', 'peshawar']);
    expect(report.unmatched).toEqual(['Atlantis', 'Old Name']);

    const mapped = await portal.app.services.geo.importBoundaries(features, {
      source: 'test.geojson',
      mapping: { 'Old Name': 'abbottabad' },
    });
    expect(mapped.unmatched).toEqual(['Atlantis']);
    expect(mapped.districtsWithBoundary).toBe(3);
    const rows = await portal.database.db.selectFrom('district_boundaries').select('district_id').execute();
    expect(rows).toHaveLength(3);

    expect((await locate(34.0, 71.5)).json()).toMatchObject({
      district: { code: 'peshawar' },
      method: 'boundary',
    });
    expect((await locate(34.2, 73.1)).json()).toMatchObject({
      district: { code: 'abbottabad' },
      method: 'boundary',
    });
    // Outside every polygon and far from any headquarters: outside the territory.
    expect((await locate(30.0, 66.0)).statusCode).toBe(400);
  });

  it.skipIf(!hasFixture)('imports the Pakistan district file and places KP towns', async () => {
    const features = parseBoundaryFile(readFileSync(fixture, 'utf8'), 'name').filter(
      (f) => f.properties?.province === 'Khyber Pakhtunkhwa',
    );
    const report = await portal.app.services.geo.importBoundaries(features, {
      source: 'pakistan-districts.geojson',
      mapping: { Chitral: 'lower-chitral', Kohistan: 'lower-kohistan' },
    });
    expect(report.unmatched).toEqual([]);
    for (const [lat, lng, code] of [
      [34.0151, 71.5249, 'peshawar'],
      [34.1986, 72.0404, 'mardan'],
      [34.7717, 72.36, 'swat'],
      [34.1688, 73.2215, 'abbottabad'],
      [31.8314, 70.9019, 'dera-ismail-khan'],
      [33.5869, 71.4429, 'kohat'],
    ] as const) {
      expect((await locate(lat, lng)).json().district.code, code).toBe(code);
    }
    expect((await locate(31.5204, 74.3587)).statusCode).toBe(400);
    expect((await locate(24.8607, 67.0011)).statusCode).toBe(400);
  });
});
if (!hasFixture) console.log(`>>> District file tests skipped: ${fixture} is absent.`);
