import { randomUUID } from 'node:crypto';
import type { SmsGateway } from '../../adapters/sms/types.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import type { SmsStatus } from '../../db/schema.js';
import type { JobContext, JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import { decrypt, encrypt } from '../../security/crypto.js';
import { applyReceiptStatus, findSms, insertSms, latestSmsFor, recordAttempt } from './repo.js';

export const SMS_QUEUE = 'sms.send';
const MAX_ATTEMPTS = 5;

export interface SmsServiceDeps {
  db: Db;
  jobs: JobQueue;
  gateway: SmsGateway;
  key: Buffer;
  logger: Logger;
}

/**
 * Every SMS goes through the job queue: it is recorded and queued in the caller's transaction, sent by a
 * worker with retries, and its delivery state (queued, sent, delivered, failed) follows the gateway's receipts.
 * The text is kept encrypted until it is sent and then dropped, because it may hold a one-time code.
 */
export class SmsService {
  constructor(private readonly deps: SmsServiceDeps) {}

  registerWorkers() {
    this.deps.jobs.register<{ id: number }>(SMS_QUEUE, (payload, job) => this.deliver(payload.id, job));
  }

  async queue(db: DbOrTrx, message: { to: string; text: string; purpose: string }): Promise<number> {
    const id = await insertSms(db, {
      reference: randomUUID(),
      to_number: message.to,
      purpose: message.purpose,
      body_enc: encrypt(this.deps.key, message.text),
      now: new Date().toISOString(),
    });
    await this.deps.jobs.enqueue(db, SMS_QUEUE, { id }, { maxAttempts: MAX_ATTEMPTS, backoffSeconds: 15 });
    return id;
  }

  /** Idempotent: a retried job for a message already sent does nothing. */
  async deliver(id: number, job: JobContext): Promise<void> {
    const { db, gateway, logger } = this.deps;
    const row = await findSms(db, id);
    if (row?.status !== 'queued' || !row.body_enc) return;
    const result = await gateway.send({
      to: row.to_number,
      text: decrypt(this.deps.key, row.body_enc),
      reference: row.reference,
    });
    const lastTry = job.attempt >= MAX_ATTEMPTS;
    const failed = result.status === 'failed';
    const giveUp = failed && (!result.retryable || lastTry);
    await recordAttempt(db, id, {
      status: failed ? (giveUp ? 'failed' : 'queued') : result.status,
      provider: gateway.name,
      provider_message_id: result.providerMessageId ?? null,
      error: result.error ?? null,
      clearBody: !failed || giveUp,
      now: new Date().toISOString(),
    });
    logger.info(
      { smsId: id, purpose: row.purpose, status: result.status, attempt: job.attempt },
      'sms attempt',
    );
    if (failed && !giveUp) throw new Error(`sms gateway failed: ${result.error ?? 'unknown error'}`);
  }

  async applyReceipt(receipt: {
    providerMessageId?: string;
    reference?: string;
    status: SmsStatus;
    error?: string;
  }): Promise<boolean> {
    const n = await applyReceiptStatus(
      this.deps.db,
      { providerMessageId: receipt.providerMessageId, reference: receipt.reference },
      receipt.status,
      receipt.error ?? null,
      new Date().toISOString(),
    );
    return n > 0;
  }

  async latestFor(toNumber: string, purpose: string) {
    return latestSmsFor(this.deps.db, toNumber, purpose);
  }
}
