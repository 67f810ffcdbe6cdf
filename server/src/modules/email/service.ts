import { randomUUID } from 'node:crypto';
import type { EmailSender } from '../../adapters/email/types.js';
import type { DbOrTrx } from '../../db/database.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import { decrypt, encrypt } from '../../security/crypto.js';

export const EMAIL_QUEUE = 'email.send';
const MAX_ATTEMPTS = 5;

interface EmailJob {
  reference: string;
  to: string;
  subject: string;
  /** Encrypted: the body may hold a one-time code, and job payloads rest in the database. */
  textEnc: string;
}

export class EmailService {
  constructor(private readonly deps: { jobs: JobQueue; sender: EmailSender; key: Buffer; logger: Logger }) {}

  registerWorkers() {
    this.deps.jobs.register<EmailJob>(EMAIL_QUEUE, async (job, ctx) => {
      const result = await this.deps.sender.send({
        to: job.to,
        subject: job.subject,
        text: decrypt(this.deps.key, job.textEnc),
        reference: job.reference,
      });
      this.deps.logger.info(
        { reference: job.reference, status: result.status, attempt: ctx.attempt },
        'email attempt',
      );
      if (result.status === 'failed' && result.retryable !== false) {
        throw new Error(`email failed: ${result.error ?? 'unknown error'}`);
      }
    });
  }

  async queue(db: DbOrTrx, message: { to: string; subject: string; text: string }): Promise<void> {
    const job: EmailJob = {
      reference: randomUUID(),
      to: message.to,
      subject: message.subject,
      textEnc: encrypt(this.deps.key, message.text),
    };
    await this.deps.jobs.enqueue(db, EMAIL_QUEUE, job, { maxAttempts: MAX_ATTEMPTS, backoffSeconds: 30 });
  }
}
