import type { DbOrTrx } from '../../db/database.js';

export async function getSetting(db: DbOrTrx, key: string) {
  return db.selectFrom('portal_settings').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function putSetting(
  db: DbOrTrx,
  row: { key: string; value: string; updated_by: number | null; updated_at: string },
) {
  await db
    .insertInto('portal_settings')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ value: row.value, updated_by: row.updated_by, updated_at: row.updated_at }),
    )
    .execute();
}

/** Recent complaints with a location, newest first (complaints_created), for the public map. */
export async function recentPoints(
  db: DbOrTrx,
  q: { from: string; districtId?: number; categoryIds?: number[]; limit: number },
) {
  let query = db
    .selectFrom('complaints')
    .select(['lat', 'lng', 'category_id', 'status', 'created_at', 'updated_at', 'district_id'])
    .where('created_at', '>=', q.from)
    .where('lat', 'is not', null)
    .where('lng', 'is not', null);
  if (q.districtId !== undefined) query = query.where('district_id', '=', q.districtId);
  if (q.categoryIds) query = query.where('category_id', 'in', q.categoryIds);
  return query.orderBy('created_at', 'desc').limit(q.limit).execute();
}
