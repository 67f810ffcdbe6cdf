import nodemailer from 'nodemailer';
import type { EmailSender } from './types.js';

export function createSmtpSender(opts: { url: string; from: string }): EmailSender {
  const transport = nodemailer.createTransport(opts.url);
  return {
    name: 'smtp',
    async send(m) {
      try {
        await transport.sendMail({
          from: opts.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          messageId: `<${m.reference}@citizen-portal>`,
        });
        return { status: 'sent' };
      } catch (err) {
        const e = err as { responseCode?: number; message: string };
        // 5xx SMTP replies are permanent (bad address); anything else may pass on a later try.
        return { status: 'failed', error: e.message, retryable: !(e.responseCode && e.responseCode >= 500) };
      }
    },
  };
}
