import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SmsGateway } from './types.js';

export interface OutboxSms {
  to: string;
  text: string;
  reference: string;
  createdAt: string;
}

/**
 * The default when no gateway is configured: each message becomes one JSON line in DATA_DIR/outbox/sms.jsonl,
 * where a developer or a test reads the code. One appendFile call per line keeps lines whole.
 */
export function createOutboxGateway(opts: { dir: string }): SmsGateway {
  const file = path.join(opts.dir, 'sms.jsonl');
  let ready: Promise<unknown> | null = null;
  return {
    name: 'outbox',
    async send(msg) {
      ready ??= mkdir(opts.dir, { recursive: true, mode: 0o700 });
      await ready;
      const line: OutboxSms = {
        to: msg.to,
        text: msg.text,
        reference: msg.reference,
        createdAt: new Date().toISOString(),
      };
      await appendFile(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      return { status: 'sent', providerMessageId: msg.reference };
    },
  };
}

export async function readOutbox(dir: string): Promise<OutboxSms[]> {
  let text: string;
  try {
    text = await readFile(path.join(dir, 'sms.jsonl'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as OutboxSms);
}

/** The newest 6-digit code sent to a number, for tests and local trials. */
export async function latestCodeFor(dir: string, to: string): Promise<string | null> {
  const messages = (await readOutbox(dir)).filter((m) => m.to === to);
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = /(?<!\d)(\d{6})(?!\d)/.exec(messages[i]!.text);
    if (m) return m[1]!;
  }
  return null;
}
