import { AppError } from '../../errors.js';

// Pure geometry for district boundaries: reading a GeoJSON file, matching its names to districts, and
// answering "which district is this point in" from memory. No database here; the geo service stores what
// parseBoundaryFile returns and builds a BoundaryIndex from the stored rows once.

/** [longitude, latitude], the GeoJSON order. */
export type Position = [number, number];
/** A closed ring: the first position is repeated at the end. */
export type Ring = Position[];
/** [outer, ...holes]. */
export type PolygonRings = Ring[];
/** [minLng, minLat, maxLng, maxLat]. */
export type BBox = [number, number, number, number];

export interface ParsedFeature {
  name: string;
  polygons: PolygonRings[];
  bbox: BBox;
  /** The feature's properties as given, so an import can filter on them (a province, say). */
  properties: Record<string, unknown>;
}

export class BoundaryFileError extends AppError {
  constructor(
    message: string,
    /** Zero-based position in the file's "features" list, when one feature is at fault. */
    readonly featureIndex: number | null = null,
  ) {
    super('invalid', 'boundary_file_invalid', message);
    this.name = 'BoundaryFileError';
  }
}

export class BoundaryMappingError extends AppError {
  constructor(message: string) {
    super('invalid', 'boundary_mapping_invalid', message);
    this.name = 'BoundaryMappingError';
  }
}

const MAX_ERROR_NAME = 60;

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return 'text';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a GeoJSON FeatureCollection of Polygon and MultiPolygon features, naming each by `nameProperty`.
 * Accepts the parsed object or the file's text. Throws BoundaryFileError, naming the feature, on anything
 * else. Unclosed rings are closed; a third coordinate (altitude) is dropped.
 */
export function parseBoundaryFile(json: unknown, nameProperty: string): ParsedFeature[] {
  let doc = json;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new BoundaryFileError('The boundary file is not valid JSON.');
    }
  }
  if (!isRecord(doc)) {
    throw new BoundaryFileError(
      `The boundary file must be a GeoJSON FeatureCollection (a JSON object), not ${describeValue(doc)}.`,
    );
  }
  if (doc.type !== 'FeatureCollection') {
    const type = typeof doc.type === 'string' ? `"${doc.type.slice(0, MAX_ERROR_NAME)}"` : 'missing';
    throw new BoundaryFileError(
      `The boundary file must be a GeoJSON FeatureCollection; its "type" is ${type}.`,
    );
  }
  if (!Array.isArray(doc.features)) {
    throw new BoundaryFileError('The FeatureCollection has no "features" list.');
  }
  if (doc.features.length === 0) {
    throw new BoundaryFileError('The FeatureCollection has no features.');
  }
  return doc.features.map((feature, index) => parseFeature(feature, index, nameProperty));
}

function parseFeature(feature: unknown, index: number, nameProperty: string): ParsedFeature {
  const at = `features[${index}]`;
  if (!isRecord(feature) || feature.type !== 'Feature') {
    throw new BoundaryFileError(`${at} is not a GeoJSON Feature.`, index);
  }
  const properties = isRecord(feature.properties) ? feature.properties : {};
  const raw = properties[nameProperty];
  const name =
    typeof raw === 'string' ? raw.trim() : typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : '';
  if (!name) {
    const keys = Object.keys(properties).slice(0, 10);
    const hint = keys.length > 0 ? ` Its properties are: ${keys.join(', ')}.` : ' It has no properties.';
    throw new BoundaryFileError(`${at} has no "${nameProperty}" property with a name in it.${hint}`, index);
  }
  const label = `${at} ("${name.slice(0, MAX_ERROR_NAME)}")`;
  const geometry = feature.geometry;
  if (!isRecord(geometry)) {
    throw new BoundaryFileError(`${label} has no geometry.`, index);
  }
  let polygonsIn: unknown[];
  if (geometry.type === 'Polygon') {
    polygonsIn = [geometry.coordinates];
  } else if (geometry.type === 'MultiPolygon') {
    if (!Array.isArray(geometry.coordinates) || geometry.coordinates.length === 0) {
      throw new BoundaryFileError(`${label}: a MultiPolygon needs a non-empty list of polygons.`, index);
    }
    polygonsIn = geometry.coordinates;
  } else {
    const type =
      typeof geometry.type === 'string' ? geometry.type.slice(0, MAX_ERROR_NAME) : 'an unknown shape';
    throw new BoundaryFileError(`${label} is ${type}; only Polygon and MultiPolygon are accepted.`, index);
  }

  const bbox: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  const polygons = polygonsIn.map((polygon, p) => {
    const where = polygonsIn.length > 1 ? `polygon ${p + 1}, ` : '';
    if (!Array.isArray(polygon) || polygon.length === 0) {
      throw new BoundaryFileError(`${label}: ${where}a polygon needs a list of rings.`, index);
    }
    return polygon.map((ring, r) =>
      parseRing(ring, `${label}: ${where}ring ${r + 1}`, index, r === 0 ? bbox : null),
    );
  });
  return { name, polygons, bbox, properties };
}

function parseRing(ring: unknown, where: string, index: number, bbox: BBox | null): Ring {
  if (!Array.isArray(ring)) {
    throw new BoundaryFileError(`${where} is not a list of positions.`, index);
  }
  const out: Ring = ring.map((pos, i) => {
    if (
      !Array.isArray(pos) ||
      pos.length < 2 ||
      typeof pos[0] !== 'number' ||
      typeof pos[1] !== 'number' ||
      !Number.isFinite(pos[0]) ||
      !Number.isFinite(pos[1])
    ) {
      throw new BoundaryFileError(
        `${where}, position ${i + 1} is not a [longitude, latitude] pair of finite numbers.`,
        index,
      );
    }
    const lng = pos[0];
    const lat = pos[1];
    if (lng < -180 || lng > 180 || lat < -90 || lat > 90) {
      throw new BoundaryFileError(
        `${where}, position ${i + 1} [${lng}, ${lat}] is outside longitude -180..180 or latitude -90..90.`,
        index,
      );
    }
    if (bbox) {
      if (lng < bbox[0]) bbox[0] = lng;
      if (lat < bbox[1]) bbox[1] = lat;
      if (lng > bbox[2]) bbox[2] = lng;
      if (lat > bbox[3]) bbox[3] = lat;
    }
    return [lng, lat];
  });
  const first = out[0];
  const last = out[out.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
  if (out.length < 4) {
    throw new BoundaryFileError(
      `${where} has ${ring.length} position(s); a ring needs at least 3 corners and the first repeated at the end.`,
      index,
    );
  }
  return out;
}

// --- Names -------------------------------------------------------------------------------------------

// Words that boundary files add around a district's name; they carry no identity.
const NAME_NOISE = new Set(['district', 'distt', 'agency', 'tribal', 'zila', 'zilla', 'ضلع']);

/**
 * A comparison key for a district name: case, accents, punctuation, spacing and the words "district",
 * "agency" and "tribal" do not count, so "D.I. Khan", "D I Khan" and "DI Khan District" share one key.
 */
/** Keeps the features whose property equals a value, from "property=value" (a national file, one province). */
export function featuresWhere(features: ParsedFeature[], where: string | undefined): ParsedFeature[] {
  if (!where) return features;
  const [key, value] = where.split(/=(.*)/s, 2) as [string, string | undefined];
  if (!key || value === undefined) {
    throw new BoundaryFileError(
      `The filter must be "property=value", got "${where.slice(0, MAX_ERROR_NAME)}".`,
    );
  }
  return features.filter((f) => String(f.properties?.[key] ?? '') === value);
}

/** Name mappings from "File name=district-code" pairs, as the command line and the console give them. */
export function mappingFrom(pairs: readonly string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const [from, to] = pair.split(/=(.*)/s, 2);
    if (!from?.trim() || !to?.trim()) {
      throw new BoundaryFileError(
        `A mapping is "File name=district-code", got "${pair.slice(0, MAX_ERROR_NAME)}".`,
      );
    }
    mapping[from.trim()] = to.trim();
  }
  return mapping;
}

export function districtNameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9\u0600-\u06ff]+/)
    .filter((word) => word !== '' && !NAME_NOISE.has(word))
    .join('');
}

export interface DistrictNameRef<Id> {
  id: Id;
  code: string;
  name: string;
  aliases: string[];
}

export interface NameMatch<Id> {
  featureName: string;
  featureIndex: number;
  districtId: Id;
}

export interface NameMatchResult<Id> {
  /** In feature order; several features may name one district (their polygons are merged). */
  matched: NameMatch<Id>[];
  /** Names of features that match no district, once each, in file order. */
  unmatched: string[];
}

/**
 * Matches boundary-file names to districts by name and aliases. `mapping` (file name -> district code)
 * wins over both, which is how a file's single "Chitral" shape is sent to a district of today; a mapping
 * to an unknown code throws BoundaryMappingError. A name that two districts share matches neither.
 */
export function matchDistrictNames<Id>(
  features: readonly { name: string }[],
  districts: readonly DistrictNameRef<Id>[],
  mapping: Record<string, string> = {},
): NameMatchResult<Id> {
  const byCode = new Map(districts.map((d) => [d.code, d]));
  const AMBIGUOUS = null;
  const byKey = new Map<string, DistrictNameRef<Id> | typeof AMBIGUOUS>();
  for (const d of districts) {
    for (const key of new Set([d.name, d.code, ...d.aliases].map(districtNameKey))) {
      if (!key) continue;
      const held = byKey.get(key);
      byKey.set(key, held === undefined || held === d ? d : AMBIGUOUS);
    }
  }

  const mapped = new Map<string, DistrictNameRef<Id>>();
  const unknown: string[] = [];
  for (const [fileName, code] of Object.entries(mapping)) {
    const district = byCode.get(code);
    if (!district) unknown.push(`"${fileName}" -> "${code}"`);
    else mapped.set(districtNameKey(fileName), district);
  }
  if (unknown.length > 0) {
    throw new BoundaryMappingError(
      `The name mapping points at district codes that do not exist: ${unknown.join(', ')}.`,
    );
  }

  const matched: NameMatch<Id>[] = [];
  const unmatched = new Set<string>();
  features.forEach((feature, featureIndex) => {
    const key = districtNameKey(feature.name);
    const district = mapped.get(key) ?? (key ? byKey.get(key) : undefined);
    if (district) matched.push({ featureName: feature.name, featureIndex, districtId: district.id });
    else unmatched.add(feature.name);
  });
  return { matched, unmatched: [...unmatched] };
}

export interface DistrictShape<Id> {
  districtId: Id;
  polygons: PolygonRings[];
  /** Optional: the index computes its own boxes per polygon. */
  bbox?: BBox;
}

/** Gathers the polygons of matched features per district, in first-seen order. */
export function shapesByDistrict<Id>(
  features: readonly ParsedFeature[],
  matched: readonly NameMatch<Id>[],
): (DistrictShape<Id> & { bbox: BBox })[] {
  const shapes = new Map<Id, DistrictShape<Id> & { bbox: BBox }>();
  for (const m of matched) {
    const feature = features[m.featureIndex];
    if (!feature) continue;
    let shape = shapes.get(m.districtId);
    if (!shape) {
      shape = { districtId: m.districtId, polygons: [], bbox: [Infinity, Infinity, -Infinity, -Infinity] };
      shapes.set(m.districtId, shape);
    }
    shape.polygons.push(...feature.polygons);
    shape.bbox = [
      Math.min(shape.bbox[0], feature.bbox[0]),
      Math.min(shape.bbox[1], feature.bbox[1]),
      Math.max(shape.bbox[2], feature.bbox[2]),
      Math.max(shape.bbox[3], feature.bbox[3]),
    ];
  }
  return [...shapes.values()];
}

// --- Point in district -------------------------------------------------------------------------------

interface IndexedPolygon {
  owner: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Flat [x0, y0, x1, y1, ...] without the closing repeat. */
  outer: Float64Array;
  holes: Float64Array[];
}

function flatRing(ring: Ring): Float64Array {
  let n = ring.length;
  const first = ring[0];
  const last = ring[n - 1];
  if (n > 1 && first && last && first[0] === last[0] && first[1] === last[1]) n -= 1;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const p = ring[i];
    out[i * 2] = p[0];
    out[i * 2 + 1] = p[1];
  }
  return out;
}

/**
 * Even-odd crossing test. Half-open on purpose: a point on an edge that two polygons share exactly falls
 * on one side only, so neighbouring districts neither both claim it nor both miss it.
 */
function inRing(x: number, y: number, r: Float64Array): boolean {
  let inside = false;
  const n = r.length;
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const yi = r[i + 1];
    const yj = r[j + 1];
    if (yi > y !== yj > y) {
      const xi = r[i];
      const xj = r[j];
      if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

function inPolygon(x: number, y: number, p: IndexedPolygon): boolean {
  if (x < p.minX || x > p.maxX || y < p.minY || y > p.maxY) return false;
  if (!inRing(x, y, p.outer)) return false;
  for (const hole of p.holes) if (inRing(x, y, hole)) return false;
  return true;
}

export interface BoundaryIndexOptions {
  /** Grid cells per polygon; more cells mean fewer candidates per look-up and more memory. */
  cellsPerPolygon?: number;
}

/**
 * Finds the district containing a point. Built once from every stored boundary: each polygon's box is
 * entered in the cells of a uniform grid (kept as flat typed arrays), so a look-up reads one cell and
 * tests only the few polygons whose boxes reach it. Where shapes overlap, the earlier entry wins.
 */
export class BoundaryIndex<Id> {
  private readonly ids: Id[];
  private readonly polygons: IndexedPolygon[] = [];
  private readonly minX: number = 0;
  private readonly minY: number = 0;
  private readonly maxX: number = -1;
  private readonly maxY: number = -1;
  private readonly cols: number = 0;
  private readonly rows: number = 0;
  private readonly cellW: number = 1;
  private readonly cellH: number = 1;
  private readonly cellStart: Uint32Array = new Uint32Array(1);
  private readonly cellItems: Uint32Array = new Uint32Array(0);
  /** Number of distinct districts indexed. */
  readonly size: number;

  constructor(entries: readonly DistrictShape<Id>[], options: BoundaryIndexOptions = {}) {
    this.ids = entries.map((e) => e.districtId);
    this.size = new Set(this.ids).size;
    entries.forEach((entry, owner) => {
      for (const rings of entry.polygons) {
        const outerRing = rings[0];
        if (!outerRing || outerRing.length < 3) continue;
        const outer = flatRing(outerRing);
        let minX = Infinity;
        let minY = Infinity;
        let maxX = -Infinity;
        let maxY = -Infinity;
        for (let i = 0; i < outer.length; i += 2) {
          const x = outer[i];
          const y = outer[i + 1];
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
        if (!(minX <= maxX && minY <= maxY)) continue;
        const holes = rings
          .slice(1)
          .filter((h) => h.length >= 3)
          .map(flatRing);
        this.polygons.push({ owner, minX, minY, maxX, maxY, outer, holes });
      }
    });
    if (this.polygons.length === 0) return;

    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const p of this.polygons) {
      minX = Math.min(minX, p.minX);
      minY = Math.min(minY, p.minY);
      maxX = Math.max(maxX, p.maxX);
      maxY = Math.max(maxY, p.maxY);
    }
    [this.minX, this.minY, this.maxX, this.maxY] = [minX, minY, maxX, maxY];
    // Square-ish cells sized so the grid holds about cellsPerPolygon cells per polygon.
    const width = Math.max(this.maxX - this.minX, 1e-9);
    const height = Math.max(this.maxY - this.minY, 1e-9);
    const target = Math.min(Math.max(this.polygons.length * (options.cellsPerPolygon ?? 16), 16), 1 << 20);
    const side = Math.sqrt((width * height) / target);
    this.cols = Math.min(Math.max(Math.ceil(width / side), 1), 4096);
    this.rows = Math.min(Math.max(Math.ceil(height / side), 1), 4096);
    this.cellW = width / this.cols;
    this.cellH = height / this.rows;

    // Two passes (count, then fill) give one flat array of polygon numbers, grouped by cell.
    const cells = this.cols * this.rows;
    const start = new Uint32Array(cells + 1);
    const spans = this.polygons.map((p) => this.span(p));
    for (const [c0, c1, r0, r1] of spans) {
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) start[r * this.cols + c + 1] += 1;
    }
    for (let i = 0; i < cells; i++) start[i + 1] += start[i];
    const items = new Uint32Array(start[cells]);
    const fill = start.slice(0, cells);
    spans.forEach(([c0, c1, r0, r1], polygon) => {
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) items[fill[r * this.cols + c]++] = polygon;
      }
    });
    this.cellStart = start;
    this.cellItems = items;
  }

  /** Number of polygons indexed (a district may have several). */
  get polygonCount(): number {
    return this.polygons.length;
  }

  locate(lat: number, lng: number): Id | null {
    const x = lng;
    const y = lat;
    // Also rejects NaN, which fails every comparison.
    if (!(x >= this.minX && x <= this.maxX && y >= this.minY && y <= this.maxY)) return null;
    const col = Math.min(Math.floor((x - this.minX) / this.cellW), this.cols - 1);
    const row = Math.min(Math.floor((y - this.minY) / this.cellH), this.rows - 1);
    const cell = row * this.cols + col;
    for (let k = this.cellStart[cell], end = this.cellStart[cell + 1]; k < end; k++) {
      const polygon = this.polygons[this.cellItems[k]];
      if (inPolygon(x, y, polygon)) return this.ids[polygon.owner];
    }
    return null;
  }

  private span(p: IndexedPolygon): [number, number, number, number] {
    const clampCol = (v: number) =>
      Math.min(Math.max(Math.floor((v - this.minX) / this.cellW), 0), this.cols - 1);
    const clampRow = (v: number) =>
      Math.min(Math.max(Math.floor((v - this.minY) / this.cellH), 0), this.rows - 1);
    return [clampCol(p.minX), clampCol(p.maxX), clampRow(p.minY), clampRow(p.maxY)];
  }
}

// --- Distance ----------------------------------------------------------------------------------------

/** Mean Earth radius (IUGG), in km. */
const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;

export function haversineKm(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLng = (lng2 - lng1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLng / 2) ** 2;
  // The clamp keeps rounding from pushing asin past 1 for antipodal points.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The nearest point by great-circle distance (the first on a tie), or null when there are none. */
export function nearestByHaversine<Id>(
  lat: number,
  lng: number,
  points: readonly { id: Id; lat: number; lng: number }[],
): { id: Id; km: number } | null {
  let best: { id: Id; km: number } | null = null;
  for (const p of points) {
    const km = haversineKm(lat, lng, p.lat, p.lng);
    if (best === null || km < best.km) best = { id: p.id, km };
  }
  return best;
}
