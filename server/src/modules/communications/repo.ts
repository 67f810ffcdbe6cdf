import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { CommunicationAudience, CommunicationsTable } from '../../db/schema.js';

export async function insertCommunication(db: DbOrTrx, row: Insertable<CommunicationsTable>) {
  return db.insertInto('communications').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findCommunication(db: DbOrTrx, id: number) {
  return db.selectFrom('communications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Messages with the name of the staff member who wrote each. */
function withAuthor(db: DbOrTrx) {
  return db
    .selectFrom('communications')
    .leftJoin('staff', 'staff.id', 'communications.created_by')
    .selectAll('communications')
    .select('staff.name as author_name');
}

export async function findCommunicationWithAuthor(db: DbOrTrx, id: number) {
  return withAuthor(db).where('communications.id', '=', id).executeTakeFirst();
}

export async function listCommunications(db: DbOrTrx, q: { before?: number; limit: number }) {
  let query = withAuthor(db);
  if (q.before !== undefined) query = query.where('communications.id', '<', q.before);
  return query.orderBy('communications.id', 'desc').limit(q.limit).execute();
}

export async function audienceExists(db: DbOrTrx, audience: CommunicationAudience, id: number) {
  const table = audience === 'citizen' ? 'citizens' : audience === 'category' ? 'categories' : 'districts';
  const r = await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  return r !== undefined;
}

/** The next page of recipients after a citizen id, in id order. */
export async function recipientsPage(
  db: DbOrTrx,
  q: { audience: CommunicationAudience; audienceId: number; afterId: number; limit: number },
) {
  if (q.audience === 'district' || q.audience === 'citizen') {
    return db
      .selectFrom('citizens')
      .select(['id', 'language'])
      .where(q.audience === 'district' ? 'district_id' : 'id', '=', q.audienceId)
      .where('status', '!=', 'blocked')
      .where('id', '>', q.afterId)
      .orderBy('id')
      .limit(q.limit)
      .execute();
  }
  // Complainants of the category or of its sub-categories.
  const categories = db
    .selectFrom('categories')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', q.audienceId), eb('parent_id', '=', q.audienceId)]));
  return db
    .selectFrom('citizens')
    .select(['id', 'language'])
    .where('status', '!=', 'blocked')
    .where('id', '>', q.afterId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('complaints')
        .select(sql<number>`citizen_id`.as('citizen_id'))
        .where('category_id', 'in', categories)
        .where('citizen_id', 'is not', null),
    )
    .orderBy('id')
    .limit(q.limit)
    .execute();
}

/** Moves the cursor only from where this page started, so a replayed page delivers nothing twice. */
export async function advance(
  db: DbOrTrx,
  id: number,
  from: number,
  to: number,
  delivered: number,
  finishedAt: string | null,
): Promise<boolean> {
  const r = await db
    .updateTable('communications')
    .set((eb) => ({ cursor: to, delivered: eb('delivered', '+', delivered), finished_at: finishedAt }))
    .where('id', '=', id)
    .where('cursor', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
