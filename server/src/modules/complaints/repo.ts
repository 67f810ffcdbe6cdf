import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import type {
  ComplaintEventsTable,
  ComplaintStatus,
  ComplaintsTable,
  EventVisibility,
} from '../../db/schema.js';

export type ComplaintRow = Selectable<ComplaintsTable>;
export type EventRow = Selectable<ComplaintEventsTable>;

/**
 * The next complaint id, taken before the insert so the tracking number can be written with the row.
 * PostgreSQL hands out sequence values to concurrent writers; SQLite has one writer at a time.
 */
export async function nextComplaintId(db: DbOrTrx): Promise<number> {
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ id: string | number }>`select nextval('complaint_ids') as id`.execute(db);
    return Number(r.rows[0]!.id);
  }
  const r = await db
    .selectFrom('complaints')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  return Number(r?.max ?? 0) + 1;
}

export async function insertComplaint(db: DbOrTrx, row: Insertable<ComplaintsTable>) {
  return db.insertInto('complaints').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findComplaint(db: DbOrTrx, id: number) {
  return db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Reads the complaint for a change, holding its row until the transaction ends (PostgreSQL). */
export async function lockComplaint(db: DbOrTrx, id: number) {
  let q = db.selectFrom('complaints').selectAll().where('id', '=', id);
  if (dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateComplaint(db: DbOrTrx, id: number, patch: Updateable<ComplaintsTable>) {
  await db.updateTable('complaints').set(patch).where('id', '=', id).execute();
}

export async function insertEvent(db: DbOrTrx, row: Insertable<ComplaintEventsTable>) {
  return db.insertInto('complaint_events').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listEvents(db: DbOrTrx, complaintId: number, visibility?: EventVisibility) {
  let q = db.selectFrom('complaint_events').selectAll().where('complaint_id', '=', complaintId);
  if (visibility) q = q.where('visibility', '=', visibility);
  return q.orderBy('id').execute();
}

/** Keeps complaint_counts equal to a count of complaints by office, department and status. */
export async function adjustCount(
  db: DbOrTrx,
  key: { officeId: number | null; departmentId: number; status: ComplaintStatus },
  delta: number,
) {
  await db
    .insertInto('complaint_counts')
    .values({
      office_id: key.officeId ?? 0,
      department_id: key.departmentId,
      status: key.status,
      count: delta,
    })
    .onConflict((oc) =>
      oc
        .columns(['office_id', 'department_id', 'status'])
        .doUpdateSet({ count: sql`complaint_counts.count + ${delta}` }),
    )
    .execute();
}

export async function supporterIds(db: DbOrTrx, complaintId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('complaint_supporters')
    .select('citizen_id')
    .where('complaint_id', '=', complaintId)
    .execute();
  return rows.map((r) => r.citizen_id);
}

/** Who filed it and which office holds it: what the policies need. */
export async function findPlace(db: DbOrTrx, id: number) {
  return db
    .selectFrom('complaints')
    .leftJoin('offices', 'offices.id', 'complaints.office_id')
    .select([
      'complaints.citizen_id',
      'complaints.department_id',
      'complaints.office_id',
      'offices.district_id as office_district_id',
    ])
    .where('complaints.id', '=', id)
    .executeTakeFirst();
}

export async function listOwnComplaints(
  db: DbOrTrx,
  citizenId: number,
  q: { before?: number; limit: number; status?: ComplaintStatus[] },
) {
  let query = db.selectFrom('complaints').selectAll().where('citizen_id', '=', citizenId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  if (q.status && q.status.length > 0) query = query.where('status', 'in', q.status);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

export async function openComplaintsInBox(
  db: DbOrTrx,
  q: {
    categoryId: number;
    minLat: number;
    maxLat: number;
    minLng: number;
    maxLng: number;
    statuses: readonly ComplaintStatus[];
    limit: number;
  },
) {
  return db
    .selectFrom('complaints')
    .select(['id', 'tracking_number', 'category_id', 'status', 'lat', 'lng', 'support_count', 'created_at'])
    .where('category_id', '=', q.categoryId)
    .where('lat', '>=', q.minLat)
    .where('lat', '<=', q.maxLat)
    .where('lng', '>=', q.minLng)
    .where('lng', '<=', q.maxLng)
    .where('status', 'in', [...q.statuses])
    .orderBy('id', 'desc')
    .limit(q.limit)
    .execute();
}

/** False when the citizen already supports it. */
export async function addSupporter(db: DbOrTrx, complaintId: number, citizenId: number): Promise<boolean> {
  const r = await db
    .insertInto('complaint_supporters')
    .values({ complaint_id: complaintId, citizen_id: citizenId, created_at: new Date().toISOString() })
    .onConflict((oc) => oc.columns(['complaint_id', 'citizen_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function incrementSupportCount(db: DbOrTrx, complaintId: number) {
  await db
    .updateTable('complaints')
    .set((eb) => ({ support_count: eb('support_count', '+', 1) }))
    .where('id', '=', complaintId)
    .execute();
}
