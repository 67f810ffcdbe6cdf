import type { DbOrTrx } from '../../db/database.js';

export async function insertApiKey(
  db: DbOrTrx,
  row: { name: string; key_hash: string; key_prefix: string; created_by: number | null; created_at: string },
) {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findByName(db: DbOrTrx, name: string) {
  return db.selectFrom('api_keys').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findById(db: DbOrTrx, id: number) {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findActiveByHash(db: DbOrTrx, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function listApiKeys(db: DbOrTrx) {
  return db.selectFrom('api_keys').selectAll().orderBy('id').execute();
}

export async function markRevoked(db: DbOrTrx, id: number, at: string) {
  await db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
}

export async function touchLastUsed(db: DbOrTrx, id: number, at: string) {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
