import type { DbOrTrx } from '../../db/database.js';
import type { ComplaintStatus } from '../../db/schema.js';

const COLUMNS = [
  'id',
  'tracking_number',
  'status',
  'source',
  'category_id',
  'department_id',
  'district_id',
  'description',
  'address',
  'lat',
  'lng',
  'due_at',
  'close_reason',
  'created_at',
  'updated_at',
] as const;

export type RequestRow = Awaited<ReturnType<typeof listRequests>>[number];

/** Requests newest first through complaints_created (or the tracking number's unique index). */
export async function listRequests(
  db: DbOrTrx,
  q: {
    trackingNumbers?: string[];
    categoryIds?: number[];
    statuses?: ComplaintStatus[];
    from: string;
    before: string;
    limit: number;
  },
) {
  let query = db.selectFrom('complaints').select(COLUMNS);
  if (q.trackingNumbers) query = query.where('tracking_number', 'in', q.trackingNumbers);
  else query = query.where('created_at', '>=', q.from).where('created_at', '<', q.before);
  if (q.categoryIds) query = query.where('category_id', 'in', q.categoryIds);
  if (q.statuses) query = query.where('status', 'in', q.statuses);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

export async function findRequest(db: DbOrTrx, trackingNumber: string) {
  return db
    .selectFrom('complaints')
    .select(COLUMNS)
    .where('tracking_number', '=', trackingNumber)
    .executeTakeFirst();
}

/** Public steps of requests, oldest first, by date (complaint_events_created) or for some requests. */
export async function listUpdates(
  db: DbOrTrx,
  q: { from: string; before: string; trackingNumbers?: string[]; limit: number },
) {
  let query = db
    .selectFrom('complaint_events as e')
    .innerJoin('complaints as c', 'c.id', 'e.complaint_id')
    .select([
      'e.id',
      'e.type',
      'e.to_status',
      'e.actor_type',
      'e.message',
      'e.created_at',
      'c.tracking_number',
      'c.status',
      'c.close_reason',
    ])
    .where('e.visibility', '=', 'public')
    .where('e.created_at', '>=', q.from)
    .where('e.created_at', '<', q.before);
  if (q.trackingNumbers) query = query.where('c.tracking_number', 'in', q.trackingNumbers);
  return query.orderBy('e.created_at').orderBy('e.id').limit(q.limit).execute();
}
