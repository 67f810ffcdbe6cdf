import type { Insertable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { AuditLogTable } from '../../db/schema.js';

export async function lastEntry(db: DbOrTrx) {
  return db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function insertEntry(db: DbOrTrx, row: Insertable<AuditLogTable>) {
  return db.insertInto('audit_log').values(row).returning(['id', 'hash']).executeTakeFirstOrThrow();
}

export async function entriesAfter(db: DbOrTrx, afterId: number, limit: number) {
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
    actorType?: string;
    actorId?: number;
    before?: number;
    limit: number;
  },
) {
  let query = db.selectFrom('audit_log').selectAll();
  if (q.entityType) query = query.where('entity_type', '=', q.entityType);
  if (q.entityId) query = query.where('entity_id', '=', q.entityId);
  if (q.actorType) query = query.where('actor_type', '=', q.actorType as never);
  if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}
