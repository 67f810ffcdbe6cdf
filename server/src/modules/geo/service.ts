import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { parseJson } from '../../db/json.js';
import type { ActorType, CategoriesTable, DB, DepartmentsTable } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AuditService } from '../audit/service.js';
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
  childCategories,
  districtBoxes,
  findCategory,
  findDepartment,
  insertCategory,
  insertDepartment,
  listCategories,
  listDepartments,
  listDistricts,
  loadBoundaries,
  nextCategorySort,
  replaceBoundaries,
  updateCategory,
  updateDepartment,
} from './repo.js';

export interface Box {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

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
  /** After an import; before it, for a dry run. */
  districtsWithBoundary: number;
  imported: boolean;
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

  constructor(
    private readonly db: Db,
    private readonly audit?: Pick<AuditService, 'append'>,
  ) {}

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

  /**
   * Each active district's box: from its imported boundary, or about 15 km around its headquarters. Read
   * afresh each time: boundaries are imported from the console and the callers are not hot.
   */
  async districtBoxes(): Promise<Map<number, { district: District; box: Box }>> {
    const imported = new Map((await districtBoxes(this.db)).map((b) => [b.district_id, b]));
    const boxes = new Map<number, { district: District; box: Box }>();
    for (const d of await this.listDistricts()) {
      if (!d.active) continue;
      const b = imported.get(d.id);
      const box = b
        ? { minLat: b.min_lat, minLng: b.min_lng, maxLat: b.max_lat, maxLng: b.max_lng }
        : {
            minLat: d.hq.lat - 0.15,
            minLng: d.hq.lng - 0.15,
            maxLat: d.hq.lat + 0.15,
            maxLng: d.hq.lng + 0.15,
          };
      boxes.set(d.id, { district: d, box });
    }
    return boxes;
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
  /**
   * Replaces the boundaries of every district the file names. A dry run only matches names, so an admin
   * can map the unmatched ones before anything changes. An admin's import is audited.
   */
  async importBoundaries(
    features: ParsedFeature[],
    opts: {
      source: string;
      mapping?: Record<string, string>;
      dryRun?: boolean;
      by?: { type: ActorType; id: number };
    },
  ): Promise<ImportReport> {
    const districts = await this.listDistricts();
    const { matched, unmatched } = matchDistrictNames(features, districts, opts.mapping ?? {});
    const codeOf = new Map(districts.map((d) => [d.id, d.code]));
    const report = {
      source: opts.source,
      features: features.length,
      matched: matched.map((m) => ({ featureName: m.featureName, districtCode: codeOf.get(m.districtId)! })),
      unmatched,
    };
    if (opts.dryRun) {
      return { ...report, districtsWithBoundary: (await this.boundaryIndex()).size, imported: false };
    }
    if (matched.length === 0) {
      throw invalid(
        'no_district_matched',
        'No feature in the file matches a district. Check the name property or give a mapping.',
      );
    }
    const shapes = shapesByDistrict(features, matched);
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      await replaceBoundaries(
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
      );
      if (opts.by && this.audit) {
        await this.audit.append(trx, {
          actor: opts.by,
          action: 'boundaries.import',
          entity: { type: 'boundaries', id: opts.source },
          after: {
            features: features.length,
            districts: report.matched.map((m) => m.districtCode),
            unmatched,
          },
        });
      }
    });
    this.index = null;
    return { ...report, districtsWithBoundary: (await this.boundaryIndex()).size, imported: true };
  }
}

export interface Department {
  id: number;
  code: string;
  name: string;
  nameUr: string;
  namePs: string;
  active: boolean;
}

export interface Category {
  id: number;
  code: string;
  departmentId: number;
  /** null: a top-level category (a group when others sit inside it). */
  parentId: number | null;
  name: string;
  nameUr: string;
  namePs: string;
  slaDays: number;
  keywords: string[];
  active: boolean;
}

export function departmentView(row: Selectable<DepartmentsTable>): Department {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    nameUr: row.name_ur,
    namePs: row.name_ps,
    active: row.active === 1,
  };
}

export function categoryView(row: Selectable<CategoriesTable>): Category {
  return {
    id: row.id,
    code: row.code,
    departmentId: row.department_id,
    parentId: row.parent_id,
    name: row.name,
    nameUr: row.name_ur,
    namePs: row.name_ps,
    slaDays: row.sla_days,
    keywords: parseJson<string[]>(row.keywords) ?? [],
    active: row.active === 1,
  };
}

interface Names {
  name?: string;
  nameUr?: string;
  namePs?: string;
}

export interface NewDepartment extends Required<Names> {
  code: string;
  active?: boolean;
}

export interface DepartmentChange extends Names {
  active?: boolean;
}

export interface NewCategory extends Required<Names> {
  code: string;
  departmentId: number;
  parentId: number | null;
  slaDays: number;
  keywords?: string[];
  active?: boolean;
}

export interface CategoryChange extends Names {
  departmentId?: number;
  parentId?: number | null;
  slaDays?: number;
  keywords?: string[];
  active?: boolean;
}

/** Words citizens may search a category by, in any language or spelling ("pani", "nalka"). */
export const KEYWORDS = { max: 30, maxLength: 40 } as const;

/** The days an office has to resolve a complaint of a category. */
export const SLA_DAYS = { min: 1, max: 365 } as const;
const CODE = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const CODE_RULE = 'Use 2 to 64 lowercase letters, digits, dots or dashes.';

const validationFailed = (fields: Record<string, string>) =>
  invalid('validation_failed', 'Some fields are missing or invalid.', fields);

/** Trimmed names as columns; an empty one is a field problem. */
function nameColumns(input: Names, fields: Record<string, string>) {
  const set: { name?: string; name_ur?: string; name_ps?: string } = {};
  for (const [key, column] of [
    ['name', 'name'],
    ['nameUr', 'name_ur'],
    ['namePs', 'name_ps'],
  ] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (value.trim().length === 0) fields[key] = 'Must not be empty.';
    set[column] = value.trim();
  }
  return set;
}

/** Trimmed, lower-cased, without repeats; stored as JSON. */
function keywordsColumn(keywords: string[] | undefined, fields: Record<string, string>): string | undefined {
  if (keywords === undefined) return undefined;
  const words = [...new Set(keywords.map((k) => k.trim().replace(/\s+/g, ' ').toLowerCase()))];
  if (words.some((k) => k.length === 0)) fields.keywords = 'Keywords must not be empty.';
  return JSON.stringify(words);
}

function checkSla(days: number | undefined, fields: Record<string, string>) {
  if (days === undefined) return;
  if (!Number.isInteger(days) || days < SLA_DAYS.min || days > SLA_DAYS.max) {
    fields.slaDays = `Use a whole number of days from ${SLA_DAYS.min} to ${SLA_DAYS.max}.`;
  }
}

type AuditRecorder = (
  action: string,
  entity: 'department' | 'category',
  before: unknown,
  after: { id: number },
) => Promise<unknown>;

/**
 * Admins' changes to departments and complaint categories. A category's SLA counts for complaints filed
 * after the change (each complaint keeps the due date it was given); a deactivated category is no longer
 * offered to citizens but stays on the complaints that have it. Categories nest one level: a category sits
 * in a group of its own department, or at the top. Every change and its audit entry commit together.
 */
export class ReferenceDataService {
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: Pick<AuditService, 'append'>,
  ) {}

  /** Categories and departments are cached elsewhere (the reference cache): every change tells the listeners. */
  onChange(listener: () => void) {
    this.listeners.push(listener);
  }

  private async change<T>(
    staffId: number,
    work: (trx: Transaction<DB>, record: AuditRecorder) => Promise<T>,
  ) {
    const result = await this.db.transaction().execute((trx) =>
      work(trx, (action, entity, before, after) =>
        this.audit.append(trx, {
          actor: { type: 'staff', id: staffId },
          action,
          entity: { type: entity, id: after.id },
          before,
          after,
        }),
      ),
    );
    for (const listener of this.listeners) listener();
    return result;
  }

  /** Every department, the inactive ones too. */
  async departments(): Promise<Department[]> {
    return (await listDepartments(this.db)).map(departmentView);
  }

  /** Every category in the order citizens see them, the inactive ones too. */
  async categories(): Promise<Category[]> {
    return (await listCategories(this.db)).map(categoryView);
  }

  async createDepartment(input: NewDepartment, staffId: number): Promise<Department> {
    const fields: Record<string, string> = {};
    const code = input.code.trim().toLowerCase();
    if (!CODE.test(code)) fields.code = CODE_RULE;
    const names = nameColumns(input, fields);
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    try {
      return await this.change(staffId, async (trx, record) => {
        const row = await insertDepartment(trx, {
          code,
          name: names.name!,
          name_ur: names.name_ur!,
          name_ps: names.name_ps!,
          active: input.active === false ? 0 : 1,
        });
        const after = departmentView(row);
        await record('department.create', 'department', null, after);
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('department_code_taken', 'Another department has this code.', {
          code: 'Already in use.',
        });
      }
      throw err;
    }
  }

  /**
   * Names, and whether it is listed for citizens. A deactivated department keeps its offices, staff and
   * categories; categories are offered or withdrawn one by one.
   */
  async updateDepartment(id: number, change: DepartmentChange, staffId: number): Promise<Department> {
    const fields: Record<string, string> = {};
    const set: { name?: string; name_ur?: string; name_ps?: string; active?: number } = nameColumns(
      change,
      fields,
    );
    if (change.active !== undefined) set.active = change.active ? 1 : 0;
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    return this.change(staffId, async (trx, record) => {
      const before = await findDepartment(trx, id);
      if (!before) throw notFound('The department');
      const row = Object.keys(set).length === 0 ? before : await updateDepartment(trx, id, set);
      const after = departmentView(row!);
      await record('department.update', 'department', departmentView(before), after);
      return after;
    });
  }

  /**
   * Where a category may sit: its department must exist; its group (when it has one) must be a top-level
   * category of the same department, and active when the category is.
   */
  private async checkPlacement(
    trx: Transaction<DB>,
    next: { id?: number; departmentId: number; parentId: number | null; active: boolean },
    fields: Record<string, string>,
    activeField: 'active' | 'parentId',
  ) {
    if (!(await findDepartment(trx, next.departmentId))) fields.departmentId = 'No such department.';
    if (next.parentId === null) return;
    if (next.parentId === next.id) {
      fields.parentId = 'A category cannot sit inside itself.';
      return;
    }
    const parent = await findCategory(trx, next.parentId);
    if (!parent) fields.parentId = 'No such category.';
    else if (parent.parent_id !== null)
      fields.parentId = 'Choose a group: this category is itself inside one.';
    else if (parent.department_id !== next.departmentId) {
      fields.parentId = 'The group belongs to another department.';
    } else if (next.active && parent.active !== 1) {
      fields[activeField] = `The group \u201c${parent.name}\u201d is inactive: reactivate it first.`;
    }
  }

  async createCategory(input: NewCategory, staffId: number): Promise<Category> {
    const fields: Record<string, string> = {};
    const code = input.code.trim().toLowerCase();
    if (!CODE.test(code)) fields.code = CODE_RULE;
    const names = nameColumns(input, fields);
    checkSla(input.slaDays, fields);
    const keywords = keywordsColumn(input.keywords, fields) ?? '[]';
    const active = input.active !== false;
    try {
      return await this.change(staffId, async (trx, record) => {
        await this.checkPlacement(trx, { ...input, active }, fields, 'parentId');
        if (Object.keys(fields).length > 0) throw validationFailed(fields);
        const row = await insertCategory(trx, {
          code,
          department_id: input.departmentId,
          parent_id: input.parentId,
          name: names.name!,
          name_ur: names.name_ur!,
          name_ps: names.name_ps!,
          sla_days: input.slaDays,
          keywords,
          active: active ? 1 : 0,
          sort: await nextCategorySort(trx),
        });
        const after = categoryView(row);
        await record('category.create', 'category', null, after);
        return after;
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw conflict('category_code_taken', 'Another category has this code.', { code: 'Already in use.' });
      }
      throw err;
    }
  }

  /**
   * A group takes the categories inside it along: they move with it to another department, and are
   * withdrawn with it when it is deactivated (reactivating the group leaves each to be offered again).
   */
  async updateCategory(id: number, change: CategoryChange, staffId: number): Promise<Category> {
    const fields: Record<string, string> = {};
    const names = nameColumns(change, fields);
    checkSla(change.slaDays, fields);
    const keywords = keywordsColumn(change.keywords, fields);
    return this.change(staffId, async (trx, record) => {
      const before = await findCategory(trx, id);
      if (!before) throw notFound('The category');
      const next = {
        id,
        departmentId: change.departmentId ?? before.department_id,
        parentId: change.parentId === undefined ? before.parent_id : change.parentId,
        active: change.active ?? before.active === 1,
      };
      const children = await childCategories(trx, id);
      await this.checkPlacement(trx, next, fields, change.active === undefined ? 'parentId' : 'active');
      if (next.parentId !== null && children.length > 0 && !fields.parentId) {
        fields.parentId = 'It has categories of its own: a group cannot go inside another.';
      }
      if (Object.keys(fields).length > 0) throw validationFailed(fields);
      const row = await updateCategory(trx, id, {
        ...names,
        ...(change.slaDays === undefined ? {} : { sla_days: change.slaDays }),
        ...(keywords === undefined ? {} : { keywords }),
        department_id: next.departmentId,
        parent_id: next.parentId,
        active: next.active ? 1 : 0,
      });
      const after = categoryView(row!);
      await record('category.update', 'category', categoryView(before), after);
      for (const child of children) {
        const moved = child.department_id !== next.departmentId;
        const withdrawn = !next.active && child.active === 1;
        if (!moved && !withdrawn) continue;
        const updated = await updateCategory(trx, child.id, {
          department_id: next.departmentId,
          ...(withdrawn ? { active: 0 } : {}),
        });
        await record('category.update', 'category', categoryView(child), categoryView(updated!));
      }
      return after;
    });
  }
}
