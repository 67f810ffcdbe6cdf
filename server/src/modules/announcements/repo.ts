import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { AnnouncementsTable } from '../../db/schema.js';

export async function insertAnnouncement(db: DbOrTrx, row: Insertable<AnnouncementsTable>) {
  return db.insertInto('announcements').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertTargets(db: DbOrTrx, announcementId: number, districtIds: number[]) {
  if (districtIds.length === 0) return;
  await db
    .insertInto('announcement_districts')
    .values(districtIds.map((district_id) => ({ announcement_id: announcementId, district_id })))
    .execute();
}

export async function findAnnouncement(db: DbOrTrx, id: number) {
  return db.selectFrom('announcements').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function targetsOf(db: DbOrTrx, ids: number[]): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('announcement_districts')
    .select(['announcement_id', 'district_id'])
    .where('announcement_id', 'in', ids)
    .orderBy('district_id')
    .execute();
  for (const r of rows) out.get(r.announcement_id)?.push(r.district_id);
  return out;
}

export async function updateAnnouncement(db: DbOrTrx, id: number, patch: Updateable<AnnouncementsTable>) {
  return db
    .updateTable('announcements')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listAll(db: DbOrTrx, q: { before?: number; limit: number }) {
  let query = db.selectFrom('announcements').selectAll();
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/**
 * Current announcements for a citizen's district, newest first, with their read marker. Current ones are few
 * at any time; the (expires_at, starts_at) index finds them and the target is checked per announcement.
 */
export async function currentFor(
  db: DbOrTrx,
  citizenId: number,
  districtId: number,
  now: string,
  limit: number,
) {
  return db
    .selectFrom('announcements as a')
    .leftJoin('announcement_reads as r', (j) =>
      j.onRef('r.announcement_id', '=', 'a.id').on('r.citizen_id', '=', citizenId),
    )
    .selectAll('a')
    .select('r.read_at')
    .where('a.expires_at', '>', now)
    .where('a.starts_at', '<=', now)
    .where('a.withdrawn_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('a.province_wide', '=', 1),
        eb.exists(
          eb
            .selectFrom('announcement_districts as d')
            .select('d.district_id')
            .whereRef('d.announcement_id', '=', 'a.id')
            .where('d.district_id', '=', districtId),
        ),
      ]),
    )
    .orderBy('a.starts_at', 'desc')
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
}

export async function markRead(db: DbOrTrx, announcementId: number, citizenId: number, at: string) {
  await db
    .insertInto('announcement_reads')
    .values({ announcement_id: announcementId, citizen_id: citizenId, read_at: at })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function citizenPlace(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('citizens')
    .select(['district_id', 'language'])
    .where('id', '=', citizenId)
    .executeTakeFirst();
}

/** Active citizens in the districts (all when null) after a citizen id: one page of an SMS send. */
export async function citizensPage(
  db: DbOrTrx,
  q: { districtIds: number[] | null; afterId: number; limit: number },
) {
  let query = db
    .selectFrom('citizens')
    .select(['id', 'mobile', 'language'])
    .where('status', '=', 'active')
    .where('id', '>', q.afterId);
  if (q.districtIds) query = query.where('district_id', 'in', q.districtIds);
  return query.orderBy('id').limit(q.limit).execute();
}

/** Moves the SMS cursor only from where this page started: a replayed page finds it moved and stops. */
export async function advanceSmsCursor(db: DbOrTrx, id: number, from: number, to: number): Promise<boolean> {
  const r = await db
    .updateTable('announcements')
    .set({ sms_cursor: to })
    .where('id', '=', id)
    .where('sms_cursor', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function existingDistricts(db: DbOrTrx, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('districts').select('id').where('id', 'in', ids).execute();
  return rows.map((r) => r.id);
}
