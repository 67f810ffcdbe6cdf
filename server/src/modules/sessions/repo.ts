import type { DbOrTrx } from '../../db/database.js';
import type { SessionSubject } from '../../db/schema.js';

export async function insertSession(
  db: DbOrTrx,
  row: {
    token_hash: string;
    subject_type: SessionSubject;
    subject_id: number;
    csrf_token: string;
    ip: string | null;
    user_agent: string | null;
    created_at: string;
    expires_at: string;
  },
) {
  await db.insertInto('sessions').values(row).execute();
}

export async function findLiveSession(db: DbOrTrx, tokenHash: string, now: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'subject_type', 'subject_id', 'csrf_token', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

export async function revokeSession(db: DbOrTrx, id: number, now: string) {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).execute();
}

export async function revokeAllFor(
  db: DbOrTrx,
  subjectType: SessionSubject,
  subjectId: number,
  now: string,
  exceptId?: number,
) {
  let q = db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .where('revoked_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  await q.execute();
}
