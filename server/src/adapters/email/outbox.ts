import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EmailSender } from './types.js';

export interface OutboxEmail {
  to: string;
  subject: string;
  text: string;
  reference: string;
  createdAt: string;
}

/**
 * Without SMTP, mail is appended to DATA_DIR/outbox/email.jsonl, one JSON line a message, where a developer or
 * a test reads it. One appendFile call per line keeps lines whole.
 */
export function createEmailOutbox(opts: { dir: string }): EmailSender {
  const file = path.join(opts.dir, 'email.jsonl');
  return {
    name: 'outbox',
    async send(m) {
      await mkdir(opts.dir, { recursive: true, mode: 0o700 });
      const line: OutboxEmail = {
        to: m.to,
        subject: m.subject,
        text: m.text,
        reference: m.reference,
        createdAt: new Date().toISOString(),
      };
      await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      return { status: 'sent' };
    },
  };
}

export async function readEmailOutbox(dir: string): Promise<OutboxEmail[]> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'email.jsonl'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: OutboxEmail[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as OutboxEmail);
    } catch {
      // A line cut short by a crash mid-write; the others still count.
    }
  }
  return out;
}
