import type { DbOrTrx } from '../../db/database.js';

export async function findKey(db: DbOrTrx, owner: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('owner', '=', owner)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertKey(
  db: DbOrTrx,
  row: {
    owner: string;
    key: string;
    request_hash: string;
    status_code: number;
    response: string;
    created_at: string;
  },
) {
  await db
    .insertInto('idempotency_keys')
    .values({ ...row, state: 'done' })
    .execute();
}
