import { sql, type Transaction } from 'kysely';
import type pg from 'pg';
import type { Database } from '../../db/database.js';
import { channelName, listenerConfig, PgListener } from '../../db/pg-listener.js';
import type { DB } from '../../db/schema.js';

/**
 * Tells the processes that hold a citizen's live connection that new Message Box items exist. A listener
 * is only a nudge to re-read the box: it may fire spuriously, and must tolerate that.
 */
export interface InboxNotifier {
  /** Inside the delivering transaction; listeners hear of it only if it commits. */
  publish(trx: Transaction<DB>, citizenIds: number[]): Promise<void>;
  subscribe(citizenId: number, listener: () => void): () => void;
  /** Live listeners of one citizen in this process (capping streams, checking clean-up). */
  listenerCount(citizenId: number): number;
  close(): Promise<void>;
}

class Listeners {
  private readonly byCitizen = new Map<number, Set<() => void>>();

  add(citizenId: number, listener: () => void): () => void {
    let set = this.byCitizen.get(citizenId);
    if (!set) {
      set = new Set();
      this.byCitizen.set(citizenId, set);
    }
    // A fresh function per subscription, so the same listener subscribed twice unsubscribes once each.
    const entry = () => listener();
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.byCitizen.get(citizenId) === set) this.byCitizen.delete(citizenId);
    };
  }

  emit(citizenId: number) {
    for (const listener of this.byCitizen.get(citizenId) ?? []) listener();
  }

  emitAll() {
    for (const id of this.byCitizen.keys()) this.emit(id);
  }

  count(citizenId: number): number {
    return this.byCitizen.get(citizenId)?.size ?? 0;
  }

  get size(): number {
    return this.byCitizen.size;
  }
}

/**
 * One process (SQLite). The emit waits for setImmediate, and the listener's read of the box queues behind
 * the delivering transaction on the single connection, so it sees the items once committed and nothing
 * new after a rollback.
 */
export class LocalNotifier implements InboxNotifier {
  private readonly listeners = new Listeners();

  async publish(_trx: Transaction<DB>, citizenIds: number[]) {
    if (citizenIds.length === 0) return;
    setImmediate(() => {
      for (const id of new Set(citizenIds)) this.listeners.emit(id);
    });
  }

  subscribe(citizenId: number, listener: () => void) {
    return this.listeners.add(citizenId, listener);
  }

  listenerCount(citizenId: number) {
    return this.listeners.count(citizenId);
  }

  async close() {}
}

/**
 * Many nodes (PostgreSQL): `pg_notify` in the delivering transaction reaches every node's one LISTEN
 * connection on commit. That connection opens with the first subscriber, reconnects when lost while anyone
 * listens, and on every (re)connect nudges all listeners, because notifications sent while nobody listened
 * are gone.
 */
export class PgNotifier implements InboxNotifier {
  private readonly listeners = new Listeners();
  private readonly listener: PgListener;

  constructor(clientConfig: pg.ClientConfig, channel: string, onError: (err: unknown) => void = () => {}) {
    this.listener = new PgListener(clientConfig, channel, {
      message: (payload) => {
        const id = Number(payload);
        if (Number.isSafeInteger(id)) this.listeners.emit(id);
      },
      connected: () => this.listeners.emitAll(),
      lost: () => {},
      wanted: () => this.listeners.size > 0,
      error: onError,
    });
  }

  get channel(): string {
    return this.listener.channel;
  }

  async publish(trx: Transaction<DB>, citizenIds: number[]) {
    const ids = [...new Set(citizenIds)];
    if (ids.length === 0) return;
    // One statement for every recipient (a resolved complaint may have thousands of supporters).
    await sql`select pg_notify(${this.channel}, id::text) from unnest(${ids}::bigint[]) as id`.execute(trx);
  }

  subscribe(citizenId: number, listener: () => void) {
    const unsubscribe = this.listeners.add(citizenId, listener);
    this.listener.start();
    return unsubscribe;
  }

  listenerCount(citizenId: number) {
    return this.listeners.count(citizenId);
  }

  /** The backend pid of the LISTEN connection, or null while not connected (for operators and tests). */
  get listenerPid(): number | null {
    return this.listener.pid;
  }

  close() {
    return this.listener.close();
  }
}

export function inboxChannel(schema: string | null): string {
  return channelName('inbox', schema);
}

export function createInboxNotifier(
  database: Database,
  opts: { databaseUrl: string | null; schema: string | null; onError?: (err: unknown) => void },
): InboxNotifier {
  if (database.dialect !== 'postgres') return new LocalNotifier();
  return new PgNotifier(
    listenerConfig(database, opts.databaseUrl, 'citizen-portal-inbox'),
    inboxChannel(opts.schema),
    opts.onError,
  );
}
