import type { DbOrTrx } from '../../db/database.js';

export async function lockCitizen(db: DbOrTrx, id: number) {
  return db
    .selectFrom('citizens')
    .select(['id', 'name', 'status', 'warnings', 'warned_at', 'blocked_at', 'blocked_reason', 'verified_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function setSanction(
  db: DbOrTrx,
  id: number,
  patch: {
    status?: 'active' | 'pending' | 'blocked';
    warnings?: number;
    warned_at?: string;
    blocked_at?: string | null;
    blocked_reason?: string | null;
    updated_at: string;
  },
) {
  await db.updateTable('citizens').set(patch).where('id', '=', id).execute();
}

export async function listBlocked(db: DbOrTrx, q: { before?: number; limit: number }) {
  let query = db
    .selectFrom('citizens')
    .select(['id', 'name', 'district_id', 'warnings', 'blocked_at', 'blocked_reason'])
    .where('status', '=', 'blocked');
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
