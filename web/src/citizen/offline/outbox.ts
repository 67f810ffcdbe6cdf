// Every new complaint goes through the outbox: it is saved on the phone first, then sent. Without a
// connection it waits and is sent when the phone comes back online; the Idempotency-Key (the entry's id)
// makes a repeat after a lost answer harmless, so the complaint arrives exactly once.
import { ApiError, newIdempotencyKey } from '../../shared/api.js';
import { api, type Filed } from '../api.js';
import { type OutboxEntry, type OutboxFile, outboxDb } from './db.js';

export type { OutboxEntry } from './db.js';

const listeners = new Set<() => void>();
export function onOutboxChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
const changed = () => {
  for (const listener of listeners) listener();
};

/** Sent entries stay a week so the citizen sees when each one went. */
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

export async function listOutbox(userId: number): Promise<OutboxEntry[]> {
  const entries = await outboxDb.all();
  const now = Date.now();
  for (const entry of entries) {
    if (entry.state === 'sent' && entry.sentAt && now - Date.parse(entry.sentAt) > KEEP_SENT_MS) {
      await outboxDb.remove(entry.id);
    }
  }
  return entries
    .filter((e) => e.userId === userId && !(e.state === 'sent' && now - Date.parse(e.sentAt!) > KEEP_SENT_MS))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function enqueue(userId: number, fields: Record<string, string>, files: OutboxFile[]) {
  const entry: OutboxEntry = {
    id: newIdempotencyKey(),
    userId,
    createdAt: new Date().toISOString(),
    fields,
    files,
    state: 'waiting',
    attempts: 0,
  };
  await outboxDb.put(entry);
  changed();
  return entry;
}

export async function discard(id: string): Promise<void> {
  await outboxDb.remove(id);
  changed();
}

let sending: Promise<void> | null = null;
let again = false;

/**
 * Sends what waits, one entry at a time. A call while a round runs asks for one more round after it,
 * so a reconnect or a tap on "Send now" is never lost behind a round that is failing.
 */
export function sendWaiting(): Promise<void> {
  if (sending) {
    again = true;
    return sending;
  }
  sending = (async () => {
    do {
      again = false;
      await sendRound();
    } while (again);
  })().finally(() => {
    sending = null;
  });
  return sending;
}

async function sendRound(): Promise<void> {
  const waiting = (await outboxDb.all())
    .filter((e) => e.state === 'waiting')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const entry of waiting) {
    const form = new FormData();
    for (const [key, value] of Object.entries(entry.fields)) form.append(key, value);
    for (const file of entry.files) form.append('media', file.blob, file.name);
    try {
      const filed = await api.post<Filed>('/complaints', form, { idempotencyKey: entry.id });
      // The media are on the portal now: keep only what the list shows.
      await outboxDb.put({
        ...entry,
        files: [],
        state: 'sent',
        sentAt: new Date().toISOString(),
        complaintId: filed.id,
        trackingNumber: filed.trackingNumber,
        attempts: entry.attempts + 1,
      });
      changed();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const retryLater = err.offline || err.status === 401 || err.status === 429 || err.status >= 500;
      await outboxDb.put({
        ...entry,
        attempts: entry.attempts + 1,
        ...(retryLater ? {} : { state: 'failed', error: err.message }),
      });
      changed();
      if (err.offline) return;
    }
  }
}

/** Sends on start, whenever the connection returns, and every half minute while something waits. */
export function startOutbox(): void {
  const tick = () => {
    if (navigator.onLine) void sendWaiting().catch(() => undefined);
  };
  window.addEventListener('online', tick);
  setInterval(tick, 30_000);
  tick();
}
