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
  return {
    name: 'outbox',
    async send(msg) {
      // Every time, not once: a developer may empty the outbox folder while the portal runs.
      await mkdir(opts.dir, { recursive: true, mode: 0o700 });
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
  return parseJsonLines<OutboxSms>(text);
}

/** One record a line; a line cut short (a crash mid-write) is skipped rather than hiding all the others. */
function parseJsonLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // skipped: see above
    }
  }
  return out;
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
