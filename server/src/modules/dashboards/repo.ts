import { type ExpressionBuilder, sql } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import type { ComplaintStatus, DB } from '../../db/schema.js';
import {
  COUNTERS,
  type Counter,
  HEAT_STATUSES,
  type HeatScale,
  HISTOGRAM,
  withHeatTables,
} from './rollup.js';

/**
 * What a staff member's figures cover, as the rollups' keys hold it: everything (admins), one department
 * (supervisors without districts), or a department's offices (officers, supervisors of some districts).
 */
export type DashboardScope =
  | { kind: 'all' }
  | { kind: 'department'; departmentId: number }
  | { kind: 'offices'; departmentId: number; officeIds: number[] };

export interface Narrow {
  departmentId?: number;
  districtId?: number;
  officeId?: number;
  categoryIds?: number[];
}

/** A run of whole buckets of one period: [from, to) by their first days. */
export interface Segment {
  period: 'd' | 'w' | 'm';
  from: string;
  to: string;
}

export type Dimension = 'department' | 'district' | 'office' | 'category';
const COLUMN: Record<Dimension, 'department_id' | 'district_id' | 'office_id' | 'category_id'> = {
  department: 'department_id',
  district: 'district_id',
  office: 'office_id',
  category: 'category_id',
};

export type Sums = Record<string, number>;
const SUMMED = [...COUNTERS, ...HISTOGRAM];

type Table =
  | 'rollups'
  | 'rollups_place'
  | 'rollups_department'
  | 'rollup_current'
  | 'rollup_open_due'
  | 'heat_cells'
  | 'heat_place'
  | 'rollup_staff';

// Kysely cannot type a where-builder shared by several tables; these helpers take the loose builder.
// biome-ignore lint/suspicious/noExplicitAny: one builder for tables that share the key columns
type AnyQuery = any;

function applyScope(q: AnyQuery, scope: DashboardScope, narrow: Narrow, table: Table): AnyQuery {
  if (scope.kind !== 'all') q = q.where(`${table}.department_id`, '=', scope.departmentId);
  // A department's figures are its offices' (complaints in triage belong to the admins).
  if (scope.kind === 'department') {
    q = table === 'rollups_department' ? q.where('triage', '=', 0) : q.where(`${table}.office_id`, '<>', 0);
  }
  if (scope.kind === 'offices')
    q = q.where(`${table}.office_id`, 'in', scope.officeIds.length ? scope.officeIds : [-1]);
  if (narrow.departmentId !== undefined) q = q.where(`${table}.department_id`, '=', narrow.departmentId);
  if (table === 'rollups_department') {
    if (narrow.categoryIds) q = q.where('category_id', 'in', narrow.categoryIds);
    return q;
  }
  if (narrow.officeId !== undefined) q = q.where(`${table}.office_id`, '=', narrow.officeId);
  // The heat map is drawn by place, not district; heat_place has no category (heat_cells answers those).
  if (narrow.districtId !== undefined && table !== 'heat_cells' && table !== 'heat_place') {
    q = q.where(`${table}.district_id`, '=', narrow.districtId);
  }
  if (narrow.categoryIds && table !== 'rollup_staff' && table !== 'rollups_place' && table !== 'heat_place')
    q = q.where(`${table}.category_id`, 'in', narrow.categoryIds);
  return q;
}

type SumTable = 'rollups' | 'rollups_place' | 'rollups_department';

/** The smallest rollup that holds what is asked: per department and category, per place, or both. */
function rollupTable(scope: DashboardScope, narrow: Narrow, by?: Dimension): SumTable {
  const byPlace = by === 'district' || by === 'office';
  if (
    scope.kind !== 'offices' &&
    !byPlace &&
    narrow.districtId === undefined &&
    narrow.officeId === undefined
  ) {
    return 'rollups_department';
  }
  return narrow.categoryIds || by === 'category' ? 'rollups' : 'rollups_place';
}

function inSegments(eb: ExpressionBuilder<DB, 'rollups' | 'rollup_staff'>, segments: Segment[]) {
  return eb.or(
    segments.map((s) =>
      eb.and([eb('period', '=', s.period), eb('bucket', '>=', s.from), eb('bucket', '<', s.to)]),
    ),
  );
}

const sums = SUMMED.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c));

function numbers(row: Record<string, unknown>): Sums {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? 0 : Number(v)]));
}

/** Counters summed over the segments, in total or per dimension value. */
export async function sumRollups(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  segments: Segment[],
  by?: Dimension,
): Promise<{ key: number | null; sums: Sums }[]> {
  if (segments.length === 0) return [];
  const table = rollupTable(scope, narrow, by);
  let q: AnyQuery = db
    .selectFrom(table)
    .select(sums)
    .where((eb) => inSegments(eb as never, segments));
  q = applyScope(q, scope, narrow, table);
  if (by) q = q.select(sql.ref(COLUMN[by]).as('key')).groupBy(COLUMN[by]);
  const rows = (await q.execute()) as Record<string, unknown>[];
  return rows.map(({ key, ...rest }) => ({
    key: key === undefined ? null : Number(key),
    sums: numbers(rest),
  }));
}

/** Counters per staff member who resolved, over the segments. */
export async function sumStaffRollups(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  segments: Segment[],
): Promise<{ key: number; sums: Sums }[]> {
  if (segments.length === 0) return [];
  let q: AnyQuery = db
    .selectFrom('rollup_staff')
    .select(sums)
    .select('staff_id as key')
    .where((eb) => inSegments(eb as never, segments))
    .groupBy('staff_id');
  q = applyScope(q, scope, narrow, 'rollup_staff');
  const rows = (await q.execute()) as Record<string, unknown>[];
  return rows.map(({ key, ...rest }) => ({ key: Number(key), sums: numbers(rest) }));
}

/** Counters per bucket of one period: a time series. */
export async function seriesRollups(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  segment: Segment,
): Promise<{ bucket: string; sums: Sums }[]> {
  const table = rollupTable(scope, narrow);
  let q: AnyQuery = db
    .selectFrom(table)
    .select(sums)
    .select('bucket')
    .where('period', '=', segment.period)
    .where('bucket', '>=', segment.from)
    .where('bucket', '<', segment.to)
    .groupBy('bucket')
    .orderBy('bucket');
  q = applyScope(q, scope, narrow, table);
  const rows = (await q.execute()) as Record<string, unknown>[];
  return rows.map(({ bucket, ...rest }) => ({ bucket: String(bucket), sums: numbers(rest) }));
}

/** Complaints now in these statuses, in total or per dimension value. */
export async function currentCounts(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  statuses: readonly ComplaintStatus[],
  by?: Dimension,
): Promise<Map<number | null, number>> {
  let q: AnyQuery = db
    .selectFrom('rollup_current')
    .select(sql<number>`sum(count)`.as('n'))
    .where('status', 'in', [...statuses]);
  q = applyScope(q, scope, narrow, 'rollup_current');
  if (by) q = q.select(sql.ref(COLUMN[by]).as('key')).groupBy(COLUMN[by]);
  const rows = (await q.execute()) as { key?: unknown; n: unknown }[];
  return new Map(rows.map((r) => [r.key === undefined ? null : Number(r.key), Number(r.n ?? 0)]));
}

/**
 * Open complaints past their due date: those due in earlier months from rollup_open_due, and this month's
 * from the complaints_open_due index (a month of due dates at most, however large the backlog).
 */
export async function overdueCounts(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  open: readonly ComplaintStatus[],
  now: string,
  by?: Dimension,
): Promise<Map<number | null, number>> {
  const month = `${now.slice(0, 7)}-01`;
  let earlier: AnyQuery = db
    .selectFrom('rollup_open_due')
    .select(sql<number>`sum(count)`.as('n'))
    .where('due_month', '<', month);
  earlier = applyScope(earlier, scope, narrow, 'rollup_open_due');
  if (by) earlier = earlier.select(sql.ref(COLUMN[by]).as('key')).groupBy(COLUMN[by]);

  const officeCol = sql<number>`coalesce(complaints.office_id, 0)`;
  let q: AnyQuery = db
    .selectFrom('complaints')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', 'in', [...open])
    .where('due_at', '>=', `${month}T00:00:00.000Z`)
    .where('due_at', '<', now);
  // `+department_id` keeps the planner on complaints_open_due: the department's own index would visit
  // every open complaint's row to read its due date.
  const department = sql<number>`+complaints.department_id`;
  if (scope.kind !== 'all') q = q.where(department, '=', scope.departmentId);
  if (scope.kind === 'department') q = q.where('office_id', 'is not', null);
  if (scope.kind === 'offices')
    q = q.where('office_id', 'in', scope.officeIds.length ? scope.officeIds : [-1]);
  if (narrow.departmentId !== undefined) q = q.where(department, '=', narrow.departmentId);
  // Office 0 is the provincial triage queue: complaints without an office.
  if (narrow.officeId === 0) q = q.where('office_id', 'is', null);
  else if (narrow.officeId !== undefined) q = q.where('office_id', '=', narrow.officeId);
  if (narrow.districtId !== undefined) q = q.where('district_id', '=', narrow.districtId);
  if (narrow.categoryIds) q = q.where('category_id', 'in', narrow.categoryIds);
  if (by) {
    const col = by === 'office' ? officeCol : sql.ref(`complaints.${COLUMN[by]}`);
    q = q.select(col.as('key')).groupBy(col);
  }

  const counts = new Map<number | null, number>();
  const [before, thisMonth] = await Promise.all([earlier.execute(), q.execute()]);
  for (const r of [...before, ...thisMonth] as { key?: unknown; n: unknown }[]) {
    const key = r.key === undefined ? null : Number(r.key);
    counts.set(key, (counts.get(key) ?? 0) + Number(r.n ?? 0));
  }
  // Rollup rows that complaints have all left stay at zero until a rebuild: no figure to show.
  for (const [key, n] of counts) if (n === 0 && key !== null) counts.delete(key);
  return counts;
}

export interface HeatFilter {
  /** Filing months (their first days). */
  months: string[];
  statuses?: readonly ComplaintStatus[];
  /** Only cells from min to max (inclusive), numbered at the table's scale. */
  cells?: { minLat: number; maxLat: number; minLng: number; maxLng: number };
}

export type HeatRow = { cellLat: number; cellLng: number; count: number };

function heatRows(rows: { cell_lat: unknown; cell_lng: unknown; n: unknown }[]): HeatRow[] {
  return rows
    .map((r) => ({ cellLat: Number(r.cell_lat), cellLng: Number(r.cell_lng), count: Number(r.n) }))
    .filter((r) => r.count > 0);
}

/** The sum of the status columns asked for (every status when none is named). */
const heatTotal = (statuses?: readonly ComplaintStatus[]) =>
  sql.join(
    (statuses ?? HEAT_STATUSES).map((s) => sql.ref(s)),
    sql` + `,
  );

function withinCells(q: AnyQuery, cells: HeatFilter['cells']): AnyQuery {
  if (!cells) return q;
  return q
    .where('cell_lat', '>=', cells.minLat)
    .where('cell_lat', '<=', cells.maxLat)
    .where('cell_lng', '>=', cells.minLng)
    .where('cell_lng', '<=', cells.maxLng);
}

/** Complaints per cell of everything, at a scale: a row per cell and month of heat_area. */
export async function heatArea(db: DbOrTrx, scale: HeatScale, f: HeatFilter): Promise<HeatRow[]> {
  const q = withHeatTables(db)
    .selectFrom('heat_area')
    .select(['cell_lat', 'cell_lng', sql<number>`sum(${heatTotal(f.statuses)})`.as('n')])
    .where('scale', '=', scale)
    .where('month', 'in', f.months)
    .groupBy(['cell_lat', 'cell_lng']);
  return heatRows(await withinCells(q, f.cells).execute());
}

/** Complaints per grid cell of a department or an office: its rows of heat_place. */
export async function heatPlace(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  f: HeatFilter,
): Promise<HeatRow[]> {
  let q: AnyQuery = withHeatTables(db)
    .selectFrom('heat_place')
    .select(['cell_lat', 'cell_lng', sql<number>`sum(${heatTotal(f.statuses)})`.as('n')])
    .where('month', 'in', f.months)
    .groupBy(['cell_lat', 'cell_lng']);
  q = withinCells(applyScope(q, scope, narrow, 'heat_place'), f.cells);
  return heatRows(await q.execute());
}

/** Complaints per grid cell for some categories: their rows of heat_cells (heat_cells_category). */
export async function heatCells(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  f: HeatFilter,
): Promise<HeatRow[]> {
  let q: AnyQuery = db
    .selectFrom('heat_cells')
    .select(['cell_lat', 'cell_lng', sql<number>`sum(count)`.as('n')])
    .where('month', 'in', f.months)
    .groupBy(['cell_lat', 'cell_lng']);
  q = applyScope(q, scope, narrow, 'heat_cells');
  if (f.statuses) q = q.where('status', 'in', f.statuses);
  return heatRows(await withinCells(q, f.cells).execute());
}

export interface DrillFilter {
  statuses?: readonly ComplaintStatus[];
  overdueAt?: string;
  beforeId?: number;
  limit: number;
}

const LIST_COLUMNS = [
  'complaints.id',
  'complaints.tracking_number',
  'complaints.status',
  'complaints.category_id',
  'complaints.department_id',
  'complaints.district_id',
  'complaints.office_id',
  'complaints.due_at',
  'complaints.created_at',
  'complaints.resolved_at',
  'complaints.closed_at',
] as const;

function scopeComplaints(q: AnyQuery, scope: DashboardScope, narrow: Narrow): AnyQuery {
  if (scope.kind !== 'all') q = q.where('complaints.department_id', '=', scope.departmentId);
  if (scope.kind === 'department') q = q.where('complaints.office_id', 'is not', null);
  if (scope.kind === 'offices')
    q = q.where('complaints.office_id', 'in', scope.officeIds.length ? scope.officeIds : [-1]);
  if (narrow.departmentId !== undefined) q = q.where('complaints.department_id', '=', narrow.departmentId);
  if (narrow.officeId !== undefined) q = q.where('complaints.office_id', '=', narrow.officeId);
  if (narrow.districtId !== undefined) q = q.where('complaints.district_id', '=', narrow.districtId);
  if (narrow.categoryIds) q = q.where('complaints.category_id', 'in', narrow.categoryIds);
  return q;
}

/** Complaints behind a figure of now (open, overdue), newest first. */
export async function listComplaints(db: DbOrTrx, scope: DashboardScope, narrow: Narrow, f: DrillFilter) {
  let q: AnyQuery = db.selectFrom('complaints').select([...LIST_COLUMNS, sql<string | null>`null`.as('at')]);
  q = scopeComplaints(q, scope, narrow);
  // On SQLite, `+column` keeps these filters off the indexes: walking the ids newest first and stopping at
  // the page beats collecting every open complaint and sorting them. PostgreSQL plans it well.
  const loose = dialectOf(db) === 'sqlite';
  const col = (name: 'status' | 'due_at') =>
    loose ? sql.raw(`+complaints.${name}`) : sql.ref(`complaints.${name}`);
  if (f.statuses) q = q.where(col('status'), 'in', [...f.statuses]);
  if (f.overdueAt) q = q.where(col('due_at'), '<', f.overdueAt);
  if (f.beforeId !== undefined) q = q.where('complaints.id', '<', f.beforeId);
  return (await q.orderBy('complaints.id', 'desc').limit(f.limit).execute()) as DrillRow[];
}

export interface DrillRow {
  id: number;
  tracking_number: string;
  status: ComplaintStatus;
  category_id: number;
  department_id: number;
  district_id: number;
  office_id: number | null;
  due_at: string;
  created_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  at: string | null;
  event_id?: number;
}

/**
 * Offices (0: triage) with events of a figure in the segments, in scope: the places an event figure's
 * complaints are looked up in. Read from the same rollups as the figure, so a filter by district or
 * category, or by the staff member who resolved, leaves only the offices that hold any.
 */
export async function officesWithEvents(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  segments: Segment[],
  counter: Counter,
  staffId?: number,
): Promise<number[]> {
  if (segments.length === 0) return [];
  const table = staffId !== undefined ? 'rollup_staff' : narrow.categoryIds ? 'rollups' : 'rollups_place';
  let q: AnyQuery = db
    .selectFrom(table)
    .select('office_id')
    .distinct()
    .where((eb) => inSegments(eb as never, segments))
    .where(sql.ref(counter), '>', 0);
  q = applyScope(q, scope, narrow, table);
  if (staffId !== undefined) q = q.where('staff_id', '=', staffId);
  const rows = (await q.execute()) as { office_id: unknown }[];
  return rows.map((r) => Number(r.office_id));
}

export interface EventFigure {
  /** The event that counts (its type and the status it leads to). */
  type: 'submitted' | 'resolved' | 'reopened' | 'closed' | 'rejected';
  closeReason?: 'satisfied' | 'no_feedback';
}

export interface EventListFilter extends EventFigure {
  /** Office ids (0: triage), or undefined for every office. */
  offices?: number[];
  staffId?: number;
  from: string;
  before: string;
  afterEventId?: number;
  limit: number;
}

/**
 * Complaints behind an event figure (received, resolved, reopened, closed, rejected in a period), newest
 * event first, after the cursor's event. Each office is read through complaint_events_office_status from
 * its newest event of the kind and the pages are merged, so a page costs a few index rows per office
 * whatever the period; without offices (everything an admin sees) the kind's time index is walked instead.
 * The office is the event's, as in the rollups; the district and category are the complaint's.
 */
export function eventListQuery(db: DbOrTrx, narrow: Narrow, f: EventListFilter) {
  const sqlite = dialectOf(db) === 'sqlite';
  // The complaint is read in a branch only when it filters; the page's complaints are joined once at the end.
  const triageOf = (offices?: number[]) => offices?.includes(0) && narrow.departmentId !== undefined;
  const filters = (offices?: number[]) =>
    f.closeReason !== undefined ||
    narrow.districtId !== undefined ||
    narrow.categoryIds !== undefined ||
    triageOf(offices);
  const branch = (offices?: number[]) => {
    // An office's events are found through complaint_events_office_status; on SQLite `+e.type` keeps the
    // planner off the kind's time index whatever statistics it has.
    const type = offices && sqlite ? sql.raw('+e.type') : sql.ref('e.type');
    let q: AnyQuery = db
      .selectFrom('complaint_events as e')
      .select(['e.complaint_id', 'e.created_at as at', 'e.id as event_id'])
      .where(type, '=', f.type)
      .where('e.to_status', '=', f.type)
      .where('e.created_at', '>=', f.from);
    if (filters(offices)) q = q.innerJoin('complaints as c', 'c.id', 'e.complaint_id');
    if (offices) {
      const real = offices.filter((o) => o !== 0);
      q = q.where((eb: AnyQuery) =>
        eb.or([
          ...(real.length === 1 ? [eb('e.office_id', '=', real[0])] : []),
          ...(real.length > 1 ? [eb('e.office_id', 'in', real)] : []),
          // A triage event belongs to the complaint's department.
          ...(offices.includes(0)
            ? [
                eb.and([
                  eb('e.office_id', 'is', null),
                  ...(triageOf(offices) ? [eb('c.department_id', '=', narrow.departmentId)] : []),
                ]),
              ]
            : []),
        ]),
      );
    }
    if (f.afterEventId === undefined) q = q.where('e.created_at', '<', f.before);
    else {
      // The cursor bounds the walk; the period's end stays a plain filter (on SQLite kept off the index).
      const at = sql`(select p.created_at from complaint_events p where p.id = ${f.afterEventId})`;
      q = q
        .where(sql`(e.created_at, e.id)`, '<', sql`(${at}, ${f.afterEventId})`)
        .where(sqlite ? sql.raw('+e.created_at') : sql.ref('e.created_at'), '<', f.before);
    }
    if (narrow.districtId !== undefined) q = q.where('c.district_id', '=', narrow.districtId);
    if (narrow.categoryIds) q = q.where('c.category_id', 'in', narrow.categoryIds);
    if (f.closeReason) q = q.where('c.close_reason', '=', f.closeReason);
    if (f.staffId !== undefined) {
      q = q.where('e.actor_type', '=', 'staff').where('e.actor_id', '=', f.staffId);
    }
    return q.orderBy('e.created_at', 'desc').orderBy('e.id', 'desc').limit(f.limit);
  };
  let page: AnyQuery;
  if (!f.offices) page = branch();
  else if (f.offices.length === 0) return null;
  // Beyond a few dozen offices (never in one department or district), one sorted read beats the merge.
  else if (f.offices.length === 1 || f.offices.length > MERGED_OFFICES) page = branch(f.offices);
  else {
    const [first, ...rest] = f.offices.map((office, i) =>
      db.selectFrom(branch([office]).as(`o${i}`)).selectAll(),
    );
    let merged: AnyQuery = first;
    for (const q of rest) merged = merged.unionAll(q);
    page = db
      .selectFrom(merged.as('merged'))
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('event_id', 'desc')
      .limit(f.limit);
  }
  return db
    .selectFrom(page.as('page'))
    .innerJoin('complaints', 'complaints.id', 'page.complaint_id')
    .select([...LIST_COLUMNS, 'page.at', 'page.event_id'])
    .orderBy('page.at', 'desc')
    .orderBy('page.event_id', 'desc');
}

export async function listByEvents(db: DbOrTrx, narrow: Narrow, f: EventListFilter): Promise<DrillRow[]> {
  const q = eventListQuery(db, narrow, f);
  return q ? ((await q.execute()) as DrillRow[]) : [];
}

const MERGED_OFFICES = 100;

export async function staffNames(db: DbOrTrx, ids: number[]) {
  if (ids.length === 0) return new Map<number, string>();
  const rows = await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
