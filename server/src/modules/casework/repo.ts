import { type Insertable, type SelectQueryBuilder, sql } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import type { ComplaintStatus, ComplaintSupportersTable, DB } from '../../db/schema.js';

/**
 * Which complaints a staff member's queue holds, resolved to what the indexes serve: every complaint
 * (admins), one department's complaints at any office (a supervisor without districts), or a department's
 * complaints at a list of offices (officers, and supervisors of some districts).
 */
export type QueueScope =
  | { kind: 'all' }
  | { kind: 'department'; departmentId: number }
  | { kind: 'offices'; departmentId: number; officeIds: number[] };

export interface QueueFilter {
  statuses?: ComplaintStatus[];
  categoryIds?: number[];
  districtId?: number;
  officeId?: number;
  triage?: boolean;
  createdFrom?: string;
  createdBefore?: string;
  /** Open and past the due date at this instant. */
  overdueAt?: string;
  escalated?: boolean;
  /** An FTS5 MATCH expression (SQLite) or the raw text for plainto_tsquery (PostgreSQL). */
  text?: { fts: string; plain: string };
  trackingNumber?: string;
  beforeId?: number;
  limit: number;
}

export const OPEN: readonly ComplaintStatus[] = ['submitted', 'assigned', 'in_progress', 'reopened'];

export async function officeIdsFor(
  db: DbOrTrx,
  departmentId: number,
  districtIds: number[],
): Promise<number[]> {
  if (districtIds.length === 0) return [];
  const rows = await db
    .selectFrom('offices')
    .select('id')
    .where('department_id', '=', departmentId)
    .where('district_id', 'in', districtIds)
    .execute();
  return rows.map((r) => r.id);
}

/** The scope narrowed to one office when the filter names one; null when nothing is left to look at. */
function narrowed(scope: QueueScope, officeId?: number): QueueScope | null {
  if (scope.kind !== 'offices') return scope;
  const officeIds =
    officeId === undefined ? scope.officeIds : scope.officeIds.filter((id) => id === officeId);
  return officeIds.length === 0 ? null : { ...scope, officeIds };
}

function scoped<O>(q: SelectQueryBuilder<DB, 'complaints', O>, scope: QueueScope) {
  if (scope.kind === 'all') return q;
  q = q.where('complaints.department_id', '=', scope.departmentId);
  if (scope.kind === 'department') return q.where('complaints.office_id', 'is not', null);
  return q.where('complaints.office_id', 'in', scope.officeIds);
}

/** One page of the queue, newest first; the caller asks for limit + 1 rows to know whether more follow. */
export async function listQueue(db: DbOrTrx, queueScope: QueueScope, f: QueueFilter) {
  const scope = narrowed(queueScope, f.officeId);
  if (!scope) return [];
  let q = db
    .selectFrom('complaints')
    .select([
      'complaints.id',
      'complaints.tracking_number',
      'complaints.status',
      'complaints.category_id',
      'complaints.district_id',
      'complaints.office_id',
      'complaints.due_at',
      'complaints.escalation_level',
      'complaints.support_count',
      'complaints.media_count',
      'complaints.created_at',
      sql<string>`substr(complaints.description, 1, 161)`.as('excerpt'),
    ]);
  q = scoped(q, scope);
  if (f.officeId !== undefined) q = q.where('complaints.office_id', '=', f.officeId);
  if (f.triage) q = q.where('complaints.office_id', 'is', null);
  if (f.statuses && f.statuses.length > 0) q = q.where('complaints.status', 'in', f.statuses);
  if (f.categoryIds && f.categoryIds.length > 0) q = q.where('complaints.category_id', 'in', f.categoryIds);
  if (f.districtId !== undefined) q = q.where('complaints.district_id', '=', f.districtId);
  if (f.createdFrom) q = q.where('complaints.created_at', '>=', f.createdFrom);
  if (f.createdBefore) q = q.where('complaints.created_at', '<', f.createdBefore);
  if (f.overdueAt) {
    q = q.where('complaints.status', 'in', OPEN).where('complaints.due_at', '<', f.overdueAt);
  }
  if (f.escalated) q = q.where('complaints.escalation_level', '>', 0);
  if (f.trackingNumber) q = q.where('complaints.tracking_number', '=', f.trackingNumber);
  if (f.beforeId !== undefined) q = q.where('complaints.id', '<', f.beforeId);
  if (f.text && dialectOf(db) === 'sqlite') {
    // Driven from the full-text index in its own rowid order, so the page stops after `limit` matches in
    // scope instead of collecting every match first (a common word matches a third of the complaints).
    return q
      .innerJoin(sql<{ rowid: number }>`complaints_fts`.as('f'), (join) =>
        join.on(sql<boolean>`f.rowid = complaints.id`),
      )
      .where(sql<boolean>`f.complaints_fts match ${f.text.fts}`)
      .orderBy(sql`f.rowid`, 'desc')
      .limit(f.limit)
      .execute();
  }
  if (f.text) q = q.where(sql<boolean>`complaints.search @@ plainto_tsquery('simple', ${f.text.plain})`);
  return q.orderBy('complaints.id', 'desc').limit(f.limit).execute();
}

/** Complaints per status in the scope, read from the counters the lifecycle keeps (office 0 is triage). */
export async function countsByStatus(
  db: DbOrTrx,
  queueScope: QueueScope,
  narrow: { officeId?: number; triage?: boolean },
): Promise<Map<ComplaintStatus, number>> {
  const scope = narrowed(queueScope, narrow.officeId);
  if (!scope) return new Map();
  let q = db
    .selectFrom('complaint_counts')
    .select(['status', sql<number | string>`sum(count)`.as('n')])
    .groupBy('status');
  if (scope.kind !== 'all') q = q.where('department_id', '=', scope.departmentId);
  if (scope.kind === 'department') q = q.where('office_id', '<>', 0);
  if (scope.kind === 'offices') q = q.where('office_id', 'in', scope.officeIds);
  if (narrow.officeId !== undefined) q = q.where('office_id', '=', narrow.officeId);
  if (narrow.triage) q = q.where('office_id', '=', 0);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

export async function complainantOf(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('citizens')
    .select(['id', 'name', 'mobile'])
    .where('id', '=', citizenId)
    .executeTakeFirst();
}

/** Adds supporters, keeping those already there; returns how many are new. */
export async function addSupporters(db: DbOrTrx, complaintId: number, citizenIds: number[], at: string) {
  if (citizenIds.length === 0) return 0;
  const rows: Insertable<ComplaintSupportersTable>[] = citizenIds.map((citizen_id) => ({
    complaint_id: complaintId,
    citizen_id,
    created_at: at,
  }));
  const inserted = await db
    .insertInto('complaint_supporters')
    .values(rows)
    .onConflict((oc) => oc.columns(['complaint_id', 'citizen_id']).doNothing())
    .returning('citizen_id')
    .execute();
  return inserted.length;
}

// The deadline sweep reads these through complaints_status_due (status, due_at), in batches.

export async function dueForReminder(
  db: DbOrTrx,
  now: string,
  horizon: string,
  exclude: number[],
  limit: number,
) {
  let q = db
    .selectFrom('complaints')
    .select('id')
    .where('status', 'in', OPEN)
    .where('due_at', '>', now)
    .where('due_at', '<=', horizon)
    .where('reminded_at', 'is', null);
  if (exclude.length > 0) q = q.where('id', 'not in', exclude);
  // No ORDER BY: over several statuses it would sort every match before the first batch; any order will do.
  return (await q.limit(limit).execute()).map((r) => r.id);
}

/** Overdue open complaints below the admins' level: candidates for the first or the second escalation. */
export async function dueForEscalation(
  db: DbOrTrx,
  now: string,
  secondBefore: string,
  exclude: number[],
  limit: number,
) {
  let q = db
    .selectFrom('complaints')
    .select('id')
    .where('status', 'in', OPEN)
    .where('due_at', '<', now)
    .where((eb) =>
      eb.or([
        eb('escalation_level', '=', 0),
        eb.and([eb('escalation_level', '=', 1), eb('escalated_at', '<=', secondBefore)]),
      ]),
    );
  if (exclude.length > 0) q = q.where('id', 'not in', exclude);
  return (await q.limit(limit).execute()).map((r) => r.id);
}

export async function resolvedWithoutFeedback(db: DbOrTrx, before: string, exclude: number[], limit: number) {
  let q = db
    .selectFrom('complaints')
    .select('id')
    .where('status', '=', 'resolved')
    .where('resolved_at', '<=', before);
  if (exclude.length > 0) q = q.where('id', 'not in', exclude);
  return (await q.orderBy('due_at').limit(limit).execute()).map((r) => r.id);
}

/** Open complaints of a category inside a box around a point (complaints_category_place); the caller trims to the circle. */
export async function openNearby(
  db: DbOrTrx,
  q: {
    categoryId: number;
    minLat: number;
    maxLat: number;
    minLng: number;
    maxLng: number;
    excludeId: number;
  },
) {
  return db
    .selectFrom('complaints')
    .select([
      'id',
      'tracking_number',
      'status',
      'lat',
      'lng',
      'department_id',
      'office_id',
      'support_count',
      'created_at',
    ])
    .where('category_id', '=', q.categoryId)
    .where('lat', '>=', q.minLat)
    .where('lat', '<=', q.maxLat)
    .where('lng', '>=', q.minLng)
    .where('lng', '<=', q.maxLng)
    .where('status', 'in', OPEN)
    .where('id', '<>', q.excludeId)
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}
