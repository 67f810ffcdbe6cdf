import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { InboxItemsTable } from '../../db/schema.js';

/** Inserts the items; one per (citizen, event): a second delivery of the same event adds nothing. */
export async function insertItems(db: DbOrTrx, rows: Insertable<InboxItemsTable>[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await db
    .insertInto('inbox_items')
    .values(rows)
    .onConflict((oc) => oc.columns(['citizen_id', 'event_id']).where('event_id', 'is not', null).doNothing())
    .returning('citizen_id')
    .execute();
  return inserted.map((r) => r.citizen_id);
}

export async function citizenLanguages(db: DbOrTrx, ids: number[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('citizens').select(['id', 'language']).where('id', 'in', ids).execute();
}

/** Newest first on the (citizen_id, id) index; the join reads one complaint per item by primary key. */
export function itemsQuery(
  db: DbOrTrx,
  citizenId: number,
  q: { before?: number; limit: number; unreadOnly?: boolean },
) {
  let query = db
    .selectFrom('inbox_items')
    .leftJoin('complaints', 'complaints.id', 'inbox_items.complaint_id')
    .select([
      'inbox_items.id',
      'inbox_items.kind',
      'inbox_items.complaint_id',
      'inbox_items.title',
      'inbox_items.body',
      'inbox_items.read_at',
      'inbox_items.created_at',
      'complaints.tracking_number',
    ])
    .where('inbox_items.citizen_id', '=', citizenId);
  if (q.before !== undefined) query = query.where('inbox_items.id', '<', q.before);
  if (q.unreadOnly) query = query.where('inbox_items.read_at', 'is', null);
  return query.orderBy('inbox_items.id', 'desc').limit(q.limit);
}

export async function listItems(...args: Parameters<typeof itemsQuery>) {
  return itemsQuery(...args).execute();
}

/** `read_at is null` exactly as the partial index inbox_items_unread says it, so both engines use it. */
export function unreadQuery(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('inbox_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('citizen_id', '=', citizenId)
    .where('read_at', 'is', null);
}

export async function countUnread(db: DbOrTrx, citizenId: number): Promise<number> {
  const r = await unreadQuery(db, citizenId).executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function latestItemId(db: DbOrTrx, citizenId: number): Promise<number> {
  const r = await db
    .selectFrom('inbox_items')
    .select('id')
    .where('citizen_id', '=', citizenId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.id ?? 0;
}

/** Only the citizen's own unread items change; ids of anyone else's simply match nothing. */
export async function markRead(db: DbOrTrx, citizenId: number, ids: number[] | 'all', at: string) {
  let q = db
    .updateTable('inbox_items')
    .set({ read_at: at })
    .where('citizen_id', '=', citizenId)
    .where('read_at', 'is', null);
  if (ids !== 'all') {
    if (ids.length === 0) return;
    q = q.where('id', 'in', ids);
  }
  await q.execute();
}
