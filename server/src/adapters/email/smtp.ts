import nodemailer from 'nodemailer';
import type { EmailSender } from './types.js';

// nodemailer waits up to two minutes to connect and an hour on a silent socket; a mail job should give up long
// before that and let the queue retry.
const TIMEOUTS: Record<string, number> = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
};

/**
 * The SMTP URL with our timeouts added as query options, which nodemailer reads from the URL; options the URL
 * already sets win. Appended as text so that the credentials in the URL stay byte for byte as configured.
 */
export function withTimeouts(url: string): string {
  const missing = Object.entries(TIMEOUTS).filter(([k]) => !new RegExp(`[?&]${k}=`).test(url));
  if (missing.length === 0) return url;
  const query = missing.map(([k, v]) => `${k}=${v}`).join('&');
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

/** Sends through an SMTP server given as smtp://user:pass@host:587 or smtps://user:pass@host:465. */
export function createSmtpSender(opts: { url: string; from: string }): EmailSender {
  const transport = nodemailer.createTransport(withTimeouts(opts.url));
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
