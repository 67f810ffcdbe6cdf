import type { Insertable, Selectable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { ActorType, AuditLogTable } from '../../db/schema.js';

export type AuditRow = Selectable<AuditLogTable>;

export async function lastEntry(db: DbOrTrx) {
  return db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function insertEntry(db: DbOrTrx, row: Insertable<AuditLogTable>) {
  return db.insertInto('audit_log').values(row).returning(['id', 'hash']).executeTakeFirstOrThrow();
}

/** One batch of the chain in id order (keyset on the primary key: each batch costs the same). */
export async function entriesAfter(db: DbOrTrx, afterId: number, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function listEntries(
  db: DbOrTrx,
  q: {
    entityType?: string;
    entityId?: string;
    actorType?: ActorType;
    actorId?: number;
    before?: number;
    limit: number;
  },
): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.entityType !== undefined) query = query.where('entity_type', '=', q.entityType);
  if (q.entityId !== undefined) query = query.where('entity_id', '=', q.entityId);
  if (q.actorType !== undefined) query = query.where('actor_type', '=', q.actorType);
  if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
