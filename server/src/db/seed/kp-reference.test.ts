import { describe, expect, it } from 'vitest';
import { KP_CATEGORIES, KP_DEPARTMENTS, KP_DISTRICTS, KP_DIVISIONS } from './kp-reference.js';

const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const ARABIC_SCRIPT = /[\u0600-\u06ff]/;

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const v of values) {
    if (seen.has(v)) repeated.push(v);
    seen.add(v);
  }
  return repeated;
}

const named = [
  ...KP_DIVISIONS.map((r) => ({ kind: 'division', ...r })),
  ...KP_DISTRICTS.map((r) => ({ kind: 'district', ...r })),
  ...KP_DEPARTMENTS.map((r) => ({ kind: 'department', ...r })),
  ...KP_CATEGORIES.map((r) => ({ kind: 'category', ...r })),
];

describe('KP reference data', () => {
  it('has unique kebab-case codes in every list', () => {
    for (const list of [KP_DIVISIONS, KP_DISTRICTS, KP_DEPARTMENTS, KP_CATEGORIES]) {
      const codes = list.map((r) => r.code);
      expect(duplicates(codes)).toEqual([]);
      expect(codes.filter((c) => !KEBAB.test(c))).toEqual([]);
    }
  });

  it('names every row in English, Urdu and Pashto', () => {
    const missing = named.filter(
      (r) =>
        !r.name.trim() ||
        !r.nameUr.trim() ||
        !r.namePs.trim() ||
        !ARABIC_SCRIPT.test(r.nameUr) ||
        !ARABIC_SCRIPT.test(r.namePs),
    );
    expect(missing.map((r) => `${r.kind}:${r.code}`)).toEqual([]);
  });

  it('has the seven divisions and puts every district in one of them', () => {
    expect(KP_DIVISIONS).toHaveLength(7);
    const divisions = new Set(KP_DIVISIONS.map((d) => d.code));
    expect(KP_DISTRICTS.filter((d) => !divisions.has(d.division)).map((d) => d.code)).toEqual([]);
    for (const division of divisions) {
      expect(KP_DISTRICTS.some((d) => d.division === division)).toBe(true);
    }
  });

  it('includes the merged and the newer districts', () => {
    const codes = new Set(KP_DISTRICTS.map((d) => d.code));
    const expected = [
      'bajaur',
      'mohmand',
      'khyber',
      'kurram',
      'orakzai',
      'north-waziristan',
      'south-waziristan',
      'upper-south-waziristan',
      'lower-south-waziristan',
      'upper-chitral',
      'lower-chitral',
      'upper-kohistan',
      'lower-kohistan',
      'kolai-palas',
      'torghar',
      'upper-dir',
      'lower-dir',
      'malakand',
      'shangla',
      'buner',
      'swat',
      'battagram',
      'mansehra',
      'abbottabad',
      'haripur',
      'peshawar',
      'charsadda',
      'nowshera',
      'mardan',
      'swabi',
      'kohat',
      'hangu',
      'karak',
      'bannu',
      'lakki-marwat',
      'dera-ismail-khan',
      'tank',
    ];
    expect(expected.filter((c) => !codes.has(c))).toEqual([]);
    expect(KP_DISTRICTS.length).toBeGreaterThanOrEqual(36);
  });

  it('places every headquarters inside Khyber Pakhtunkhwa', () => {
    const outside = KP_DISTRICTS.filter(
      ({ hq }) =>
        !Number.isFinite(hq.lat) ||
        !Number.isFinite(hq.lng) ||
        hq.lat < 29.5 ||
        hq.lat > 37.1 ||
        hq.lng < 69.2 ||
        hq.lng > 74.2,
    );
    expect(outside.map((d) => d.code)).toEqual([]);
  });

  it('keeps aliases unambiguous and leaves the split names to a mapping', () => {
    const key = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
    // Spellings of one district may coincide once punctuation is gone; across districts they must not.
    const all = KP_DISTRICTS.flatMap((d) => [...new Set([d.name, ...d.aliases].map((n) => key(n)))]);
    expect(duplicates(all)).toEqual([]);
    // A boundary file's single "Chitral" or "Kohistan" shape covers several districts of today.
    expect(all).not.toContain('chitral');
    expect(all).not.toContain('kohistan');
    const dik = KP_DISTRICTS.find((d) => d.code === 'dera-ismail-khan')!;
    expect(dik.aliases).toContain('D I Khan');
  });

  it('ties every category to a department and to a parent listed before it', () => {
    const departments = new Set(KP_DEPARTMENTS.map((d) => d.code));
    const seen = new Map<string, (typeof KP_CATEGORIES)[number]>();
    for (const c of KP_CATEGORIES) {
      expect(departments.has(c.departmentCode), `${c.code} department`).toBe(true);
      if (c.parentCode !== null) {
        const parent = seen.get(c.parentCode);
        expect(parent, `${c.code} parent`).toBeDefined();
        // Two levels only, and a leaf belongs to its group's department.
        expect(parent!.parentCode, `${c.code} depth`).toBeNull();
        expect(parent!.departmentCode, `${c.code} department`).toBe(c.departmentCode);
      }
      seen.set(c.code, c);
    }
  });

  it('gives every group leaves and every department a group', () => {
    const groups = KP_CATEGORIES.filter((c) => c.parentCode === null);
    const leaves = KP_CATEGORIES.filter((c) => c.parentCode !== null);
    expect(groups.filter((g) => !leaves.some((l) => l.parentCode === g.code)).map((g) => g.code)).toEqual([]);
    expect(
      KP_DEPARTMENTS.filter((d) => !groups.some((g) => g.departmentCode === d.code)).map((d) => d.code),
    ).toEqual([]);
    expect(leaves.length).toBeGreaterThanOrEqual(40);
    expect(leaves.length).toBeLessThanOrEqual(70);
  });

  it('uses only the allowed SLA lengths and gives every category keywords', () => {
    const allowed = new Set([3, 7, 15, 30]);
    expect(KP_CATEGORIES.filter((c) => !allowed.has(c.slaDays)).map((c) => c.code)).toEqual([]);
    const bare = KP_CATEGORIES.filter(
      (c) =>
        c.keywords.length === 0 ||
        c.keywords.some((k) => !k.trim()) ||
        !c.keywords.some((k) => ARABIC_SCRIPT.test(k)),
    );
    expect(bare.map((c) => c.code)).toEqual([]);
  });

  it('covers the common complaint subjects', () => {
    const codes = new Set(KP_CATEGORIES.map((c) => c.code));
    const subjects = [
      'water-supply-no-water',
      'sewerage-blocked',
      'solid-waste-not-collected',
      'streetlights-not-working',
      'roads-potholes',
      'illegal-construction',
      'encroachment-road',
      'price-overcharging',
      'food-expired',
      'food-adulterated',
      'teacher-absent',
      'school-missing-facilities',
      'hospital-doctor-absent',
      'medicine-shortage',
      'fir-not-registered',
      'traffic-congestion',
      'electricity-outage',
      'irrigation-water-theft',
      'land-record-fard',
      'pollution-smoke',
      'transport-overcharging',
      'disability-certificate',
      'emergency-late-response',
      'stray-dogs',
      'illegal-tree-cutting',
    ];
    expect(subjects.filter((s) => !codes.has(s))).toEqual([]);
  });
});
