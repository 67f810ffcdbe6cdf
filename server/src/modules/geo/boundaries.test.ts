import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KP_DISTRICTS } from '../../db/seed/kp-reference.js';
import {
  BoundaryFileError,
  BoundaryIndex,
  BoundaryMappingError,
  type DistrictShape,
  districtNameKey,
  haversineKm,
  matchDistrictNames,
  nearestByHaversine,
  type ParsedFeature,
  type PolygonRings,
  parseBoundaryFile,
  type Ring,
  shapesByDistrict,
} from './boundaries.js';

// --- helpers -----------------------------------------------------------------------------------------

function square(x0: number, y0: number, size: number): Ring {
  return [
    [x0, y0],
    [x0 + size, y0],
    [x0 + size, y0 + size],
    [x0, y0 + size],
    [x0, y0],
  ];
}

function feature(name: string, geometry: unknown, extra: Record<string, unknown> = {}) {
  return { type: 'Feature', properties: { name, ...extra }, geometry };
}

function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features };
}

function polygonGeometry(...rings: Ring[]) {
  return { type: 'Polygon', coordinates: rings };
}

function expectFileError(input: unknown, pattern: RegExp, nameProperty = 'name'): BoundaryFileError {
  let caught: unknown;
  try {
    parseBoundaryFile(input, nameProperty);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BoundaryFileError);
  const error = caught as BoundaryFileError;
  expect(error.message).toMatch(pattern);
  expect(error.code).toBe('boundary_file_invalid');
  expect(error.kind).toBe('invalid');
  return error;
}

/** Even-odd test straight from the rings, with no grid, to compare the index against. */
const ringBoxes = new WeakMap<Ring, [number, number, number, number]>();
function bruteForce<Id>(shapes: readonly DistrictShape<Id>[], lat: number, lng: number): Id | null {
  const inRing = (ring: Ring) => {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0];
      const yi = ring[i][1];
      const xj = ring[j][0];
      const yj = ring[j][1];
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
  // A box per outer ring only keeps the scan quick; it cannot change the answer.
  const inBox = (ring: Ring) => {
    let box = ringBoxes.get(ring);
    if (!box) {
      const xs = ring.map((p) => p[0]);
      const ys = ring.map((p) => p[1]);
      box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      ringBoxes.set(ring, box);
    }
    return lng >= box[0] && lat >= box[1] && lng <= box[2] && lat <= box[3];
  };
  for (const shape of shapes) {
    for (const [outer, ...holes] of shape.polygons) {
      if (inBox(outer) && inRing(outer) && !holes.some(inRing)) return shape.districtId;
    }
  }
  return null;
}

// --- parseBoundaryFile -------------------------------------------------------------------------------

describe('parseBoundaryFile', () => {
  it('reads Polygon and MultiPolygon features with their names, rings and boxes', () => {
    const parsed = parseBoundaryFile(
      collection(
        feature('Alpha', polygonGeometry(square(0, 0, 2), square(0.5, 0.5, 1)), { province: 'X' }),
        feature('Beta', {
          type: 'MultiPolygon',
          coordinates: [[square(10, 10, 1)], [square(20, 5, 3)]],
        }),
      ),
      'name',
    );
    expect(parsed).toHaveLength(2);
    expect(parsed[0].name).toBe('Alpha');
    expect(parsed[0].polygons).toHaveLength(1);
    expect(parsed[0].polygons[0]).toHaveLength(2);
    expect(parsed[0].bbox).toEqual([0, 0, 2, 2]);
    expect(parsed[0].properties.province).toBe('X');
    expect(parsed[1].polygons).toHaveLength(2);
    expect(parsed[1].bbox).toEqual([10, 5, 23, 11]);
  });

  it('accepts the file as text, closes open rings and drops altitudes', () => {
    const text = JSON.stringify(
      collection(
        feature('Open', {
          type: 'Polygon',
          coordinates: [
            [
              [1, 1, 100],
              [2, 1, 100],
              [2, 2, 100],
            ],
          ],
        }),
      ),
    );
    const [open] = parseBoundaryFile(text, 'name');
    expect(open.polygons[0][0]).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [1, 1],
    ]);
  });

  it('reads the name from the property asked for, and trims it', () => {
    const parsed = parseBoundaryFile(
      collection({
        type: 'Feature',
        properties: { DISTRICT: '  Swat ' },
        geometry: polygonGeometry(square(0, 0, 1)),
      }),
      'DISTRICT',
    );
    expect(parsed[0].name).toBe('Swat');
  });

  it('rejects what is not a FeatureCollection', () => {
    expectFileError('{not json', /not valid JSON/);
    expectFileError(null, /FeatureCollection.*not null/);
    expectFileError([1, 2], /not a list/);
    expectFileError(42, /not a number/);
    expectFileError({ type: 'Feature' }, /"type" is "Feature"/);
    expectFileError({ features: [] }, /"type" is missing/);
    expectFileError({ type: 'FeatureCollection' }, /no "features" list/);
    expectFileError({ type: 'FeatureCollection', features: {} }, /no "features" list/);
    expectFileError(collection(), /no features/);
  });

  it('names the feature at fault', () => {
    const good = feature('Good', polygonGeometry(square(0, 0, 1)));
    const error = expectFileError(collection(good, 'text'), /features\[1\] is not a GeoJSON Feature/);
    expect(error.featureIndex).toBe(1);
    expectFileError(
      collection(good, { type: 'Feature', geometry: null }),
      /features\[1\] has no "name" property/,
    );
    expectFileError(
      collection(good, feature('', polygonGeometry(square(0, 0, 1)), { NAME_2: 'x' })),
      /features\[1\] has no "name".*Its properties are: name, NAME_2/,
    );
    expectFileError(
      collection(good, feature('Nowhere', null)),
      /features\[1\] \("Nowhere"\) has no geometry/,
    );
  });

  it('rejects geometries other than polygons', () => {
    expectFileError(
      collection(
        feature('Road', {
          type: 'LineString',
          coordinates: [
            [0, 0],
            [1, 1],
          ],
        }),
      ),
      /features\[0\] \("Road"\) is LineString; only Polygon and MultiPolygon/,
    );
    expectFileError(collection(feature('Pin', { type: 'Point', coordinates: [0, 0] })), /is Point/);
    expectFileError(
      collection(feature('Mixed', { type: 'GeometryCollection', geometries: [] })),
      /is GeometryCollection/,
    );
    expectFileError(
      collection(feature('Empty', { type: 'MultiPolygon', coordinates: [] })),
      /non-empty list/,
    );
  });

  it('rejects bad coordinates, naming the ring and position', () => {
    const withRing = (ring: unknown) => collection(feature('Bad', { type: 'Polygon', coordinates: [ring] }));
    expectFileError(
      withRing([
        [0, 0],
        [1, 'x'],
        [1, 1],
        [0, 0],
      ]),
      /ring 1, position 2 is not a \[longitude, latitude\]/,
    );
    expectFileError(
      withRing([
        [0, 0],
        [1, Number.NaN],
        [1, 1],
        [0, 0],
      ]),
      /position 2 is not/,
    );
    expectFileError(
      withRing([
        [0, 0],
        [Number.POSITIVE_INFINITY, 0],
        [1, 1],
        [0, 0],
      ]),
      /finite numbers/,
    );
    expectFileError(withRing([[0, 0], [1], [1, 1], [0, 0]]), /position 2 is not/);
    expectFileError(
      withRing([
        [0, 0],
        [1, 95],
        [1, 1],
        [0, 0],
      ]),
      /position 2 \[1, 95\] is outside/,
    );
    expectFileError(
      withRing([
        [0, 0],
        [1, 1],
        [0, 0],
      ]),
      /ring 1 has 3 position\(s\)/,
    );
    expectFileError(withRing('ring'), /ring 1 is not a list of positions/);
    expectFileError(
      collection(feature('Bad', { type: 'Polygon', coordinates: [] })),
      /needs a list of rings/,
    );
    expectFileError(
      collection(feature('Bad', { type: 'MultiPolygon', coordinates: [[square(0, 0, 1)], [[[0, 0]]]] })),
      /\("Bad"\): polygon 2, ring 1 has 1 position/,
    );
  });
});

// --- names ---------------------------------------------------------------------------------------------

describe('matchDistrictNames', () => {
  const districts = [
    { id: 1, code: 'dera-ismail-khan', name: 'Dera Ismail Khan', aliases: ['D I Khan'] },
    { id: 2, code: 'lakki-marwat', name: 'Lakki Marwat', aliases: ['Lakki'] },
    { id: 3, code: 'khyber', name: 'Khyber', aliases: [] },
    { id: 4, code: 'lower-chitral', name: 'Lower Chitral', aliases: ['Chitral Lower'] },
    { id: 5, code: 'upper-chitral', name: 'Upper Chitral', aliases: [] },
    { id: 6, code: 'kohat', name: 'Kohat', aliases: ['FR Kohat'] },
  ];

  it('ignores case, punctuation, spacing and the words district, agency and tribal', () => {
    expect(districtNameKey('D.I. Khan')).toBe('dikhan');
    expect(districtNameKey('DI KHAN District')).toBe('dikhan');
    expect(districtNameKey('Tribal District Khyber')).toBe('khyber');
    expect(districtNameKey('Lakki-Marwat')).toBe('lakkimarwat');
    expect(districtNameKey('Abbottābād')).toBe('abbottabad');
    expect(districtNameKey('ضلع سوات')).toBe('سوات');
  });

  it('matches names and aliases in their many spellings', () => {
    const names = [
      'D.I. Khan',
      'Dera Ismail Khan District',
      'LAKKI',
      'Khyber Agency',
      'lakki_marwat',
      'Chitral Lower',
    ];
    const { matched, unmatched } = matchDistrictNames(
      names.map((name) => ({ name })),
      districts,
    );
    expect(unmatched).toEqual([]);
    expect(matched.map((m) => m.districtId)).toEqual([1, 1, 2, 3, 2, 4]);
    expect(matched[2]).toEqual({ featureName: 'LAKKI', featureIndex: 2, districtId: 2 });
  });

  it('leaves unknown names unmatched, each once', () => {
    const { matched, unmatched } = matchDistrictNames(
      [{ name: 'Chitral' }, { name: 'Lahore' }, { name: 'Chitral' }, { name: 'Kohat' }],
      districts,
    );
    expect(unmatched).toEqual(['Chitral', 'Lahore']);
    expect(matched).toEqual([{ featureName: 'Kohat', featureIndex: 3, districtId: 6 }]);
  });

  it('lets the mapping send a name anywhere, ahead of names and aliases', () => {
    const { matched, unmatched } = matchDistrictNames(
      [{ name: 'Chitral' }, { name: 'Kohat' }, { name: 'CHITRAL ' }],
      districts,
      { Chitral: 'upper-chitral', kohat: 'khyber' },
    );
    expect(unmatched).toEqual([]);
    expect(matched.map((m) => m.districtId)).toEqual([5, 3, 5]);
  });

  it('lets several features name one district', () => {
    const { matched } = matchDistrictNames([{ name: 'Kohat' }, { name: 'FR Kohat' }], districts);
    expect(matched.map((m) => m.districtId)).toEqual([6, 6]);
  });

  it('rejects a mapping to a district code that does not exist', () => {
    expect(() => matchDistrictNames([{ name: 'Chitral' }], districts, { Chitral: 'chitral' })).toThrow(
      BoundaryMappingError,
    );
    expect(() => matchDistrictNames([], districts, { Chitral: 'chitral' })).toThrow(/"Chitral" -> "chitral"/);
  });

  it('matches no district with a name two districts share', () => {
    const clash = [
      { id: 'a', code: 'a', name: 'North', aliases: ['Twin'] },
      { id: 'b', code: 'b', name: 'South', aliases: ['Twin'] },
    ];
    expect(matchDistrictNames([{ name: 'Twin' }, { name: 'South' }], clash)).toEqual({
      matched: [{ featureName: 'South', featureIndex: 1, districtId: 'b' }],
      unmatched: ['Twin'],
    });
  });

  it('merges the polygons of features that name one district', () => {
    const features: ParsedFeature[] = parseBoundaryFile(
      collection(
        feature('Kohat', polygonGeometry(square(0, 0, 1))),
        feature('Khyber', polygonGeometry(square(5, 5, 1))),
        feature('FR Kohat', polygonGeometry(square(1, 0, 1))),
      ),
      'name',
    );
    const { matched } = matchDistrictNames(features, districts);
    const shapes = shapesByDistrict(features, matched);
    expect(shapes.map((s) => s.districtId)).toEqual([6, 3]);
    expect(shapes[0].polygons).toHaveLength(2);
    expect(shapes[0].bbox).toEqual([0, 0, 2, 1]);
  });
});

// --- BoundaryIndex -----------------------------------------------------------------------------------

describe('BoundaryIndex', () => {
  const donut: PolygonRings = [square(0, 0, 4), square(1, 1, 2)];
  const shapes: DistrictShape<string>[] = [
    { districtId: 'donut', polygons: [donut] },
    // Fills the donut's hole.
    { districtId: 'core', polygons: [[square(1, 1, 2)]] },
    // Shares the donut's right edge (x = 4).
    { districtId: 'east', polygons: [[square(4, 0, 4)]] },
    // A MultiPolygon: two islands far apart.
    { districtId: 'islands', polygons: [[square(20, 20, 1)], [square(30, 25, 2)]] },
    {
      districtId: 'triangle',
      polygons: [
        [
          [
            [10, 0],
            [14, 0],
            [12, 3],
            [10, 0],
          ],
        ],
      ],
    },
  ];
  const index = new BoundaryIndex(shapes);

  it('counts districts and polygons', () => {
    expect(index.size).toBe(5);
    expect(index.polygonCount).toBe(6);
  });

  it('finds points inside polygons, honouring holes', () => {
    expect(index.locate(0.5, 0.5)).toBe('donut');
    expect(index.locate(2, 2)).toBe('core');
    expect(index.locate(3.5, 2)).toBe('donut');
    expect(index.locate(1, 12)).toBe('triangle');
    expect(index.locate(2.9, 12)).toBe('triangle');
  });

  it('finds points in every part of a MultiPolygon', () => {
    expect(index.locate(20.5, 20.5)).toBe('islands');
    expect(index.locate(26, 31)).toBe('islands');
    expect(index.locate(23, 25)).toBeNull();
  });

  it('returns null outside every polygon and for non-finite input', () => {
    expect(index.locate(-1, -1)).toBeNull();
    expect(index.locate(2, 9)).toBeNull();
    expect(index.locate(2.5, 11)).toBeNull(); // inside the triangle's box, outside the triangle
    expect(index.locate(50, 50)).toBeNull();
    expect(index.locate(Number.NaN, 1)).toBeNull();
    expect(index.locate(1, Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('gives a point on a shared edge to exactly one side', () => {
    // x = 4 is the donut's right edge and the left edge of "east".
    expect(index.locate(2, 4)).toBe('east');
    // Points on the outer edge of the whole map fall on the half-open side.
    expect(index.locate(0, 2)).toBe('donut');
    expect(index.locate(2, 8)).toBeNull();
    expect(index.locate(4, 6)).toBeNull();
  });

  it('lets the earlier entry win where shapes overlap', () => {
    const overlap = new BoundaryIndex([
      { districtId: 1, polygons: [[square(0, 0, 2)]] },
      { districtId: 2, polygons: [[square(1, 1, 2)]] },
    ]);
    expect(overlap.locate(1.5, 1.5)).toBe(1);
    expect(overlap.locate(2.5, 2.5)).toBe(2);
  });

  it('is empty-safe and skips degenerate rings', () => {
    const empty = new BoundaryIndex<number>([]);
    expect(empty.size).toBe(0);
    expect(empty.locate(1, 1)).toBeNull();
    const degenerate = new BoundaryIndex([{ districtId: 9, polygons: [[[[0, 0]]], []] }]);
    expect(degenerate.polygonCount).toBe(0);
    expect(degenerate.locate(0, 0)).toBeNull();
  });

  it('agrees with a plain scan of every polygon, for any point', () => {
    // A 6 x 6 checkerboard of districts, every other one with a hole, plus a tilted shape across them.
    const board: DistrictShape<number>[] = [];
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        const cell: PolygonRings = [square(i, j, 1)];
        if ((i + j) % 2 === 0) cell.push(square(i + 0.25, j + 0.25, 0.5));
        board.push({ districtId: i * 6 + j, polygons: [cell] });
      }
    }
    board.unshift({
      districtId: 100,
      polygons: [
        [
          [
            [0.3, 0.1],
            [5.9, 2.2],
            [4.1, 5.7],
            [0.2, 3.3],
            [0.3, 0.1],
          ],
        ],
      ],
    });
    for (const cellsPerPolygon of [1, 16, 200]) {
      const grid = new BoundaryIndex(board, { cellsPerPolygon });
      fc.assert(
        fc.property(
          fc.double({ min: -1, max: 7, noNaN: true }),
          fc.double({ min: -1, max: 7, noNaN: true }),
          (lat, lng) => grid.locate(lat, lng) === bruteForce(board, lat, lng),
        ),
        { numRuns: 2000 },
      );
    }
  });
});

// --- distance ------------------------------------------------------------------------------------------

describe('haversineKm and nearestByHaversine', () => {
  it('measures great-circle distances', () => {
    expect(haversineKm(34, 71, 34, 71)).toBe(0);
    expect(haversineKm(0, 0, 1, 0)).toBeCloseTo(111.195, 2);
    expect(haversineKm(0, 0, 0, 180)).toBeCloseTo(Math.PI * 6371.0088, 6);
    // Peshawar to Mardan, about 52 km as the crow flies.
    const pm = haversineKm(34.0151, 71.5249, 34.1986, 72.0404);
    expect(pm).toBeGreaterThan(50);
    expect(pm).toBeLessThan(54);
    expect(haversineKm(34.1986, 72.0404, 34.0151, 71.5249)).toBeCloseTo(pm, 9);
  });

  it('picks the nearest point, the first on a tie, and null when there is none', () => {
    const hqs = KP_DISTRICTS.map((d) => ({ id: d.code, ...d.hq }));
    // A point a few km outside Kohat town.
    expect(nearestByHaversine(33.6, 71.47, hqs)?.id).toBe('kohat');
    const near = nearestByHaversine(34.0151, 71.5249, hqs);
    expect(near).toEqual({ id: 'peshawar', km: 0 });
    const tie = nearestByHaversine(0, 0, [
      { id: 'a', lat: 1, lng: 0 },
      { id: 'b', lat: -1, lng: 0 },
    ]);
    expect(tie?.id).toBe('a');
    expect(nearestByHaversine(0, 0, [])).toBeNull();
  });
});

// --- the real district file, when present ----------------------------------------------------------

const defaultFixture = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../../shared/data/pakistan-districts.geojson',
);
const fixture = process.env.BOUNDARIES_FIXTURE || defaultFixture;
const hasFixture = existsSync(fixture);
if (!hasFixture) {
  console.log(
    `\n>>> Boundary file tests skipped: ${fixture} is absent (set BOUNDARIES_FIXTURE to a district GeoJSON).\n`,
  );
}

describe('the Pakistan district file', () => {
  const KP = 'Khyber Pakhtunkhwa';
  const load = () => parseBoundaryFile(readFileSync(fixture, 'utf8'), 'name');
  const kpDistricts = KP_DISTRICTS.map((d) => ({
    id: d.code,
    code: d.code,
    name: d.name,
    aliases: d.aliases,
  }));
  // The file predates the splits of Chitral and Kohistan; each shape goes to the successor holding the old
  // headquarters town.
  const mapping = { Chitral: 'lower-chitral', Kohistan: 'lower-kohistan' };

  it.skipIf(!hasFixture)('matches its 31 KP features, leaving only the split districts to a mapping', () => {
    const features = load();
    expect(features).toHaveLength(126);
    const kp = features.filter((f) => f.properties.province === KP);
    expect(kp).toHaveLength(31);

    const plain = matchDistrictNames(kp, kpDistricts);
    expect([...plain.unmatched].sort()).toEqual(['Chitral', 'Kohistan']);
    expect(plain.matched).toHaveLength(29);

    const mapped = matchDistrictNames(kp, kpDistricts, mapping);
    expect(mapped.unmatched).toEqual([]);
    expect(new Set(mapped.matched.map((m) => m.districtId)).size).toBe(31);
  });

  it.skipIf(!hasFixture)('locates the towns of the data README', () => {
    const kp = load().filter((f) => f.properties.province === KP);
    const { matched } = matchDistrictNames(kp, kpDistricts, mapping);
    const index = new BoundaryIndex(shapesByDistrict(kp, matched));
    expect(index.size).toBe(31);

    const towns: [string, number, number, string | null][] = [
      ['Peshawar', 34.0151, 71.5249, 'peshawar'],
      ['Mardan', 34.1986, 72.0404, 'mardan'],
      ['Mingora', 34.7717, 72.36, 'swat'],
      ['Abbottabad', 34.1688, 73.2215, 'abbottabad'],
      ['Dera Ismail Khan', 31.8314, 70.9019, 'dera-ismail-khan'],
      ['Kohat', 33.5869, 71.4429, 'kohat'],
      ['Chitral', 35.8518, 71.7864, 'lower-chitral'],
      // The simplified source boundary runs about 5 km south of Bannu town.
      ['Bannu', 32.9889, 70.6056, 'north-waziristan'],
      ['Lahore', 31.5204, 74.3587, null],
      ['Karachi', 24.8607, 67.0011, null],
    ];
    for (const [town, lat, lng, expected] of towns) {
      expect(index.locate(lat, lng), town).toBe(expected);
    }
  });

  it.skipIf(!hasFixture)('agrees with a plain scan across the whole country', () => {
    const features = load();
    const shapes = features.map((f) => ({ districtId: f.name, polygons: f.polygons }));
    const index = new BoundaryIndex(shapes);
    expect(index.locate(31.5204, 74.3587)).toBe('Lahore');
    expect(index.locate(24.8607, 67.0011)).toBe('Karachi');
    let inside = 0;
    // A regular 0.2-degree lattice over Pakistan's box.
    for (let lat = 23.5; lat <= 37.1; lat += 0.2) {
      for (let lng = 60.8; lng <= 77.9; lng += 0.2) {
        const found = index.locate(lat, lng);
        expect(found).toBe(bruteForce(shapes, lat, lng));
        if (found !== null) inside++;
      }
    }
    expect(inside).toBeGreaterThan(1000);
  });
});
