import { createEmailOutbox } from './outbox.js';
import { createSmtpSender } from './smtp.js';
import type { EmailSender } from './types.js';

export function createEmailSender(config: {
  provider: 'outbox' | 'smtp';
  outboxDir: string;
  smtp?: { url: string; from: string };
}): EmailSender {
  if (config.provider === 'smtp') {
    if (!config.smtp) throw new Error('EMAIL_PROVIDER=smtp needs SMTP_URL');
    return createSmtpSender(config.smtp);
  }
  return createEmailOutbox({ dir: config.outboxDir });
}
