import type { DbOrTrx } from '../../db/database.js';
import type { SmsStatus } from '../../db/schema.js';

export async function insertSms(
  db: DbOrTrx,
  row: { reference: string; to_number: string; purpose: string; body_enc: string; now: string },
): Promise<number> {
  const inserted = await db
    .insertInto('sms_messages')
    .values({
      reference: row.reference,
      to_number: row.to_number,
      purpose: row.purpose,
      body_enc: row.body_enc,
      status: 'queued',
      created_at: row.now,
      updated_at: row.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function findSms(db: DbOrTrx, id: number) {
  return db.selectFrom('sms_messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function recordAttempt(
  db: DbOrTrx,
  id: number,
  update: {
    status: SmsStatus;
    provider: string;
    provider_message_id: string | null;
    error: string | null;
    clearBody: boolean;
    now: string;
  },
) {
  await db
    .updateTable('sms_messages')
    .set((eb) => ({
      status: update.status,
      provider: update.provider,
      provider_message_id: update.provider_message_id,
      error: update.error,
      attempts: eb('attempts', '+', 1),
      updated_at: update.now,
      ...(update.clearBody ? { body_enc: null } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

/** Receipts only move a message forward: a late "sent" never overwrites "delivered". */
export async function applyReceiptStatus(
  db: DbOrTrx,
  match: { providerMessageId?: string; reference?: string },
  status: SmsStatus,
  error: string | null,
  now: string,
): Promise<number> {
  const allowedFrom: SmsStatus[] = status === 'sent' ? ['queued'] : ['queued', 'sent'];
  let q = db
    .updateTable('sms_messages')
    .set({ status, error, updated_at: now })
    .where('status', 'in', allowedFrom);
  if (match.providerMessageId) q = q.where('provider_message_id', '=', match.providerMessageId);
  else if (match.reference) q = q.where('reference', '=', match.reference);
  else return 0;
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function latestSmsFor(db: DbOrTrx, toNumber: string, purpose: string) {
  return db
    .selectFrom('sms_messages')
    .select(['id', 'status', 'error', 'created_at', 'updated_at'])
    .where('to_number', '=', toNumber)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}
