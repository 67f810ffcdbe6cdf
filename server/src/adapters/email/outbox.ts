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

/** Without SMTP, mail is appended to DATA_DIR/outbox/email.jsonl, one JSON line a message. */
export function createEmailOutbox(opts: { dir: string }): EmailSender {
  const file = path.join(opts.dir, 'email.jsonl');
  return {
    name: 'outbox',
    async send(m) {
      await mkdir(opts.dir, { recursive: true, mode: 0o700 });
      const line: OutboxEmail = { ...m, createdAt: new Date().toISOString() };
      await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      return { status: 'sent' };
    },
  };
}

export async function readEmailOutbox(dir: string): Promise<OutboxEmail[]> {
  try {
    const text = await readFile(path.join(dir, 'email.jsonl'), 'utf8');
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as OutboxEmail);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
