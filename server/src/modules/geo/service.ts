import type { Db } from '../../db/database.js';
import { parseJson } from '../../db/json.js';
import { invalid } from '../../errors.js';
import {
  BoundaryIndex,
  matchDistrictNames,
  nearestByHaversine,
  type ParsedFeature,
  type PolygonRings,
  shapesByDistrict,
} from './boundaries.js';
import {
  boundariesVersion,
  listCategories,
  listDepartments,
  listDistricts,
  loadBoundaries,
  replaceBoundaries,
} from './repo.js';

export interface District {
  id: number;
  code: string;
  name: string;
  nameUr: string;
  namePs: string;
  division: { code: string; name: string; nameUr: string; namePs: string };
  hq: { lat: number; lng: number };
  aliases: string[];
  active: boolean;
}

export interface Located {
  districtId: number;
  /** boundary: inside an imported polygon; nearest_hq: no polygon holds the point, the closest headquarters does. */
  method: 'boundary' | 'nearest_hq';
  distanceKm: number | null;
}

export interface ImportReport {
  source: string;
  features: number;
  matched: { featureName: string; districtCode: string }[];
  unmatched: string[];
  districtsWithBoundary: number;
}

/** How far from the nearest headquarters a point may lie and still count as the portal's territory. */
const TERRITORY_KM = { withBoundaries: 10, withoutBoundaries: 80 };
const INDEX_RECHECK_MS = 30_000;

/**
 * Districts and where a point lies. The boundary index is built in memory from the stored polygons and
 * rebuilt when another node imports new ones (checked every 30 s, or at once after an import here).
 */
export class GeoService {
  private districts: District[] | null = null;
  private index: { version: string; index: BoundaryIndex<number>; checkedAt: number } | null = null;

  constructor(private readonly db: Db) {}

  async listDistricts(): Promise<District[]> {
    if (!this.districts) {
      const rows = await listDistricts(this.db);
      this.districts = rows.map((r) => ({
        id: r.id,
        code: r.code,
        name: r.name,
        nameUr: r.name_ur,
        namePs: r.name_ps,
        division: {
          code: r.division_code,
          name: r.division_name,
          nameUr: r.division_name_ur,
          namePs: r.division_name_ps,
        },
        hq: { lat: r.hq_lat, lng: r.hq_lng },
        aliases: parseJson<string[]>(r.aliases) ?? [],
        active: r.active === 1,
      }));
    }
    return this.districts;
  }

  /** Forget cached reference data after an admin edits it. */
  invalidate() {
    this.districts = null;
    this.index = null;
  }

  async districtExists(id: number): Promise<boolean> {
    return (await this.listDistricts()).some((d) => d.id === id && d.active);
  }

  async district(id: number): Promise<District | undefined> {
    return (await this.listDistricts()).find((d) => d.id === id);
  }

  async departments() {
    return listDepartments(this.db);
  }

  async categories() {
    return listCategories(this.db);
  }

  private async boundaryIndex(): Promise<BoundaryIndex<number>> {
    const now = Date.now();
    if (this.index && now - this.index.checkedAt < INDEX_RECHECK_MS) return this.index.index;
    const version = await boundariesVersion(this.db);
    if (this.index?.version === version) {
      this.index.checkedAt = now;
      return this.index.index;
    }
    const rows = await loadBoundaries(this.db);
    const index = new BoundaryIndex<number>(
      rows.map((r) => ({ districtId: r.district_id, polygons: parseJson<PolygonRings[]>(r.polygons) ?? [] })),
    );
    this.index = { version, index, checkedAt: now };
    return index;
  }

  /** The district of a point, or null when it lies outside the portal's territory. */
  async locate(lat: number, lng: number): Promise<Located | null> {
    const index = await this.boundaryIndex();
    const inside = index.locate(lat, lng);
    if (inside !== null) return { districtId: inside, method: 'boundary', distanceKm: null };
    const districts = (await this.listDistricts()).filter((d) => d.active);
    const nearest = nearestByHaversine(
      lat,
      lng,
      districts.map((d) => ({ id: d.id, lat: d.hq.lat, lng: d.hq.lng })),
    );
    const limit = index.size > 0 ? TERRITORY_KM.withBoundaries : TERRITORY_KM.withoutBoundaries;
    if (!nearest || nearest.km > limit) return null;
    return { districtId: nearest.id, method: 'nearest_hq', distanceKm: Math.round(nearest.km * 10) / 10 };
  }

  /**
   * Stores the polygons of the features whose names match a district (the mapping wins over names).
   * Features matching no district are reported, not guessed; districts not in the file keep what they had.
   */
  async importBoundaries(
    features: ParsedFeature[],
    opts: { source: string; mapping?: Record<string, string> },
  ): Promise<ImportReport> {
    const districts = await this.listDistricts();
    const { matched, unmatched } = matchDistrictNames(features, districts, opts.mapping ?? {});
    if (matched.length === 0) {
      throw invalid(
        'no_district_matched',
        'No feature in the file matches a district. Check --name-property or give a mapping.',
      );
    }
    const shapes = shapesByDistrict(features, matched);
    const now = new Date().toISOString();
    await this.db.transaction().execute((trx) =>
      replaceBoundaries(
        trx,
        shapes.map((s) => ({
          district_id: s.districtId,
          polygons: JSON.stringify(s.polygons),
          min_lng: s.bbox[0],
          min_lat: s.bbox[1],
          max_lng: s.bbox[2],
          max_lat: s.bbox[3],
          source: opts.source,
          imported_at: now,
        })),
      ),
    );
    this.index = null;
    const codeOf = new Map(districts.map((d) => [d.id, d.code]));
    return {
      source: opts.source,
      features: features.length,
      matched: matched.map((m) => ({ featureName: m.featureName, districtCode: codeOf.get(m.districtId)! })),
      unmatched,
      districtsWithBoundary: (await this.boundaryIndex()).size,
    };
  }
}
