import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';

export async function findThrottle(db: DbOrTrx, key: string) {
  return db.selectFrom('throttles').selectAll().where('key', '=', key).executeTakeFirst();
}

/**
 * Counts one event in a fixed window with a single upsert, so concurrent requests on several nodes
 * cannot both read the old count. A window older than windowStart starts again at 1.
 */
export async function countEvent(db: DbOrTrx, key: string, now: string, windowStart: string) {
  const row = await db
    .insertInto('throttles')
    .values({ key, count: 1, window_start: now, blocked_until: null })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when throttles.window_start < ${windowStart} then 1 else throttles.count + 1 end`,
        window_start: sql<string>`case when throttles.window_start < ${windowStart} then ${now} else throttles.window_start end`,
        blocked_until: sql<
          string | null
        >`case when throttles.window_start < ${windowStart} then null else throttles.blocked_until end`,
      }),
    )
    .returning(['count', 'window_start'])
    .executeTakeFirstOrThrow();
  return row;
}

export async function blockUntil(db: DbOrTrx, key: string, until: string) {
  await db.updateTable('throttles').set({ blocked_until: until }).where('key', '=', key).execute();
}

export async function clearThrottle(db: DbOrTrx, key: string) {
  await db.deleteFrom('throttles').where('key', '=', key).execute();
}
