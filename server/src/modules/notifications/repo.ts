import type { DbOrTrx } from '../../db/database.js';
import type { Language } from '../../db/schema.js';

export interface DeviceRow {
  id: number;
  citizen_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  language: Language;
}

/** Registering the same endpoint again (a refreshed subscription, a re-login) moves it to this citizen. */
export async function upsertSubscription(
  db: DbOrTrx,
  row: { citizen_id: number; endpoint: string; p256dh: string; auth: string; user_agent: string | null },
  now: string,
): Promise<number> {
  const saved = await db
    .insertInto('push_subscriptions')
    .values({ ...row, created_at: now })
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({
        citizen_id: row.citizen_id,
        p256dh: row.p256dh,
        auth: row.auth,
        user_agent: row.user_agent,
      }),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return saved.id;
}

export async function countSubscriptions(db: DbOrTrx, citizenId: number): Promise<number> {
  const r = await db
    .selectFrom('push_subscriptions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('citizen_id', '=', citizenId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function listSubscriptions(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('push_subscriptions')
    .select(['id', 'endpoint', 'user_agent', 'created_at'])
    .where('citizen_id', '=', citizenId)
    .orderBy('id')
    .execute();
}

/** Only the citizen's own device; returns whether one was removed. */
export async function deleteOwnSubscription(
  db: DbOrTrx,
  citizenId: number,
  by: { id?: number; endpoint?: string },
): Promise<boolean> {
  let q = db.deleteFrom('push_subscriptions').where('citizen_id', '=', citizenId);
  if (by.id !== undefined) q = q.where('id', '=', by.id);
  if (by.endpoint !== undefined) q = q.where('endpoint', '=', by.endpoint);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function deleteSubscription(db: DbOrTrx, id: number): Promise<void> {
  await db.deleteFrom('push_subscriptions').where('id', '=', id).execute();
}

function devices(db: DbOrTrx) {
  return db
    .selectFrom('push_subscriptions as ps')
    .innerJoin('citizens as c', 'c.id', 'ps.citizen_id')
    .select(['ps.id', 'ps.citizen_id', 'ps.endpoint', 'ps.p256dh', 'ps.auth', 'c.language']);
}

export async function devicesOfCitizen(db: DbOrTrx, citizenId: number): Promise<DeviceRow[]> {
  return devices(db).where('ps.citizen_id', '=', citizenId).orderBy('ps.id').execute();
}

/** Devices of citizens in the districts (all when null) with ids in (afterId, lastId]: one fan-out batch. */
export async function devicesInRange(
  db: DbOrTrx,
  q: { districtIds: number[] | null; afterId: number; lastId: number },
): Promise<DeviceRow[]> {
  let query = devices(db).where('ps.id', '>', q.afterId).where('ps.id', '<=', q.lastId);
  if (q.districtIds) query = query.where('c.district_id', 'in', q.districtIds);
  return query.orderBy('ps.id').execute();
}

/** The ids that end each batch of `size` devices in the districts, walking the id order from afterId. */
export async function deviceIdPage(
  db: DbOrTrx,
  q: { districtIds: number[] | null; afterId: number; limit: number },
): Promise<number[]> {
  let query = db.selectFrom('push_subscriptions as ps').select('ps.id').where('ps.id', '>', q.afterId);
  if (q.districtIds) {
    query = query
      .innerJoin('citizens as c', 'c.id', 'ps.citizen_id')
      .where('c.district_id', 'in', q.districtIds);
  }
  const rows = await query.orderBy('ps.id').limit(q.limit).execute();
  return rows.map((r) => r.id);
}

export async function deliveredAmong(db: DbOrTrx, messageKey: string, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('push_deliveries')
    .select('subscription_id')
    .where('message_key', '=', messageKey)
    .where('subscription_id', '>=', Math.min(...ids))
    .where('subscription_id', '<=', Math.max(...ids))
    .execute();
  return new Set(rows.map((r) => r.subscription_id));
}

export async function recordDeliveries(
  db: DbOrTrx,
  messageKey: string,
  subscriptionIds: number[],
  at: string,
) {
  if (subscriptionIds.length === 0) return;
  await db
    .insertInto('push_deliveries')
    .values(subscriptionIds.map((id) => ({ message_key: messageKey, subscription_id: id, sent_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function countDeliveries(db: DbOrTrx, messageKey: string): Promise<number> {
  const r = await db
    .selectFrom('push_deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('message_key', '=', messageKey)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertFailure(
  db: DbOrTrx,
  row: {
    message_key: string;
    subscription_id: number;
    citizen_id: number | null;
    push_service: string;
    status_code: number | null;
    error: string;
    removed: number;
    created_at: string;
  },
) {
  await db.insertInto('push_failures').values(row).execute();
}

export async function listFailures(db: DbOrTrx, q: { before?: number; limit: number }) {
  let query = db.selectFrom('push_failures').selectAll();
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

export async function findPreferences(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('notification_preferences')
    .select(['push', 'sms', 'email'])
    .where('citizen_id', '=', citizenId)
    .executeTakeFirst();
}

export async function savePreferences(
  db: DbOrTrx,
  citizenId: number,
  p: { push: number; sms: number; email: number },
  now: string,
) {
  await db
    .insertInto('notification_preferences')
    .values({ citizen_id: citizenId, ...p, updated_at: now })
    .onConflict((oc) => oc.column('citizen_id').doUpdateSet({ ...p, updated_at: now }))
    .execute();
}

/** What an event on a complaint needs to decide how to tell its citizen, in one read. */
export async function eventAudience(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('citizens as c')
    .leftJoin('notification_preferences as np', 'np.citizen_id', 'c.id')
    .select((eb) => [
      'c.mobile',
      'c.language',
      'np.push',
      'np.sms',
      eb
        .selectFrom('push_subscriptions as ps')
        .select((e) => e.fn.countAll<number>().as('n'))
        .whereRef('ps.citizen_id', '=', 'c.id')
        .as('devices'),
    ])
    .where('c.id', '=', citizenId)
    .executeTakeFirst();
}
