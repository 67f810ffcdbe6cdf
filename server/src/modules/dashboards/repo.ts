import { type ExpressionBuilder, sql } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import type { ComplaintStatus, DB } from '../../db/schema.js';
import { COUNTERS, HISTOGRAM } from './rollup.js';

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
  | 'heat_cells'
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
  if (narrow.districtId !== undefined && table !== 'heat_cells') {
    q = q.where(`${table}.district_id`, '=', narrow.districtId);
  }
  if (narrow.categoryIds && table !== 'rollup_staff' && table !== 'rollups_place')
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

/** Open complaints past their due date, counted from the complaints_open_due index. */
export async function overdueCounts(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  open: readonly ComplaintStatus[],
  now: string,
  by?: Dimension,
): Promise<Map<number | null, number>> {
  const officeCol = sql<number>`coalesce(complaints.office_id, 0)`;
  let q: AnyQuery = db
    .selectFrom('complaints')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', 'in', [...open])
    .where('due_at', '<', now);
  // `+department_id` keeps the planner on complaints_open_due: the department's own index would visit
  // every open complaint's row to read its due date.
  const department = sql<number>`+complaints.department_id`;
  if (scope.kind !== 'all') q = q.where(department, '=', scope.departmentId);
  if (scope.kind === 'department') q = q.where('office_id', 'is not', null);
  if (scope.kind === 'offices')
    q = q.where('office_id', 'in', scope.officeIds.length ? scope.officeIds : [-1]);
  if (narrow.departmentId !== undefined) q = q.where(department, '=', narrow.departmentId);
  if (narrow.officeId !== undefined) q = q.where('office_id', '=', narrow.officeId);
  if (narrow.districtId !== undefined) q = q.where('district_id', '=', narrow.districtId);
  if (narrow.categoryIds) q = q.where('category_id', 'in', narrow.categoryIds);
  if (by) {
    const col = by === 'office' ? officeCol : sql.ref(`complaints.${COLUMN[by]}`);
    q = q.select(col.as('key')).groupBy(col);
  }
  const rows = (await q.execute()) as { key?: unknown; n: unknown }[];
  return new Map(rows.map((r) => [r.key === undefined ? null : Number(r.key), Number(r.n ?? 0)]));
}

export async function heatCells(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  q: { fromMonth: string; toMonth: string; statuses?: ComplaintStatus[] },
) {
  let query: AnyQuery = db
    .selectFrom('heat_cells')
    .select(['cell_lat', 'cell_lng', sql<number>`sum(count)`.as('n')])
    .where('month', '>=', q.fromMonth)
    .where('month', '<=', q.toMonth)
    .groupBy(['cell_lat', 'cell_lng']);
  query = applyScope(query, scope, narrow, 'heat_cells');
  if (q.statuses) query = query.where('status', 'in', q.statuses);
  const rows = (await query.execute()) as { cell_lat: unknown; cell_lng: unknown; n: unknown }[];
  return rows
    .map((r) => ({ cellLat: Number(r.cell_lat), cellLng: Number(r.cell_lng), count: Number(r.n) }))
    .filter((r) => r.count > 0);
}

export interface DrillFilter {
  statuses?: readonly ComplaintStatus[];
  createdFrom?: string;
  createdBefore?: string;
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

/** Complaints behind a "now" or "filed" figure (open, overdue, received), newest first. */
export async function listComplaints(db: DbOrTrx, scope: DashboardScope, narrow: Narrow, f: DrillFilter) {
  let q: AnyQuery = db.selectFrom('complaints').select([...LIST_COLUMNS, sql<string | null>`null`.as('at')]);
  q = scopeComplaints(q, scope, narrow);
  // On SQLite, `+column` keeps these filters off the indexes: walking the ids newest first and stopping at
  // the page beats collecting every open (or recent) complaint and sorting them. PostgreSQL plans it well.
  const loose = dialectOf(db) === 'sqlite';
  const col = (name: 'status' | 'created_at' | 'due_at') =>
    loose ? sql.raw(`+complaints.${name}`) : sql.ref(`complaints.${name}`);
  if (f.statuses) q = q.where(col('status'), 'in', [...f.statuses]);
  if (f.createdFrom) q = q.where(col('created_at'), '>=', f.createdFrom);
  if (f.createdBefore) q = q.where(col('created_at'), '<', f.createdBefore);
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

/** Complaints behind an event figure (resolved, reopened, closed, rejected in a period), newest event first. */
export async function listByEvents(
  db: DbOrTrx,
  scope: DashboardScope,
  narrow: Narrow,
  f: {
    toStatus: ComplaintStatus;
    closeReason?: 'satisfied' | 'no_feedback';
    staffId?: number;
    from: string;
    before: string;
    beforeEventId?: number;
    limit: number;
  },
) {
  let q: AnyQuery = db
    .selectFrom('complaint_events as e')
    .innerJoin('complaints', 'complaints.id', 'e.complaint_id')
    .select([...LIST_COLUMNS, 'e.created_at as at', 'e.id as event_id'])
    .where('e.type', '=', f.toStatus)
    .where('e.to_status', '=', f.toStatus)
    .where('e.created_at', '>=', f.from)
    .where('e.created_at', '<', f.before);
  q = scopeComplaints(q, scope, narrow);
  if (f.closeReason) q = q.where('complaints.close_reason', '=', f.closeReason);
  if (f.staffId !== undefined) q = q.where('e.actor_type', '=', 'staff').where('e.actor_id', '=', f.staffId);
  if (f.beforeEventId !== undefined) q = q.where('e.id', '<', f.beforeEventId);
  return (await q.orderBy('e.id', 'desc').limit(f.limit).execute()) as DrillRow[];
}

export async function staffNames(db: DbOrTrx, ids: number[]) {
  if (ids.length === 0) return new Map<number, string>();
  const rows = await db.selectFrom('staff').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
