import { type Insertable, type Selectable, sql } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import type { MediaModeration, MediaTable } from '../../db/schema.js';

export type MediaRow = Selectable<MediaTable>;

export async function insertMedia(db: DbOrTrx, rows: Insertable<MediaTable>[]): Promise<MediaRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('media').values(rows).returningAll().execute();
}

/** media_count on the complaint counts every file attached to it, hidden or not. */
export async function addToMediaCount(db: DbOrTrx, complaintId: number, n: number): Promise<void> {
  await db
    .updateTable('complaints')
    .set({ media_count: sql`media_count + ${n}` })
    .where('id', '=', complaintId)
    .execute();
}

export async function findMedia(db: DbOrTrx, id: number): Promise<MediaRow | undefined> {
  return db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Reads a media row for a change, holding it until the transaction ends (PostgreSQL; SQLite has one writer). */
export async function lockMedia(db: DbOrTrx, id: number): Promise<MediaRow | undefined> {
  let q = db.selectFrom('media').selectAll().where('id', '=', id);
  if (dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function listMediaOfComplaint(
  db: DbOrTrx,
  complaintId: number,
  opts: { includeHidden: boolean },
): Promise<MediaRow[]> {
  let q = db.selectFrom('media').selectAll().where('complaint_id', '=', complaintId);
  if (!opts.includeHidden) q = q.where('moderation', '=', 'ok');
  return q.orderBy('id').execute();
}

export async function setModeration(
  db: DbOrTrx,
  id: number,
  change: {
    moderation: MediaModeration;
    moderated_by: number;
    moderated_at: string;
    moderation_reason: string | null;
  },
): Promise<MediaRow> {
  return db.updateTable('media').set(change).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Which of these storage keys have a media row (through the unique index on storage_key). */
export async function existingStorageKeys(db: DbOrTrx, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('media').select('storage_key').where('storage_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.storage_key));
}
