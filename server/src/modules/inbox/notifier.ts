import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/database.js';
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

const RETRY_MS = 1000;

/**
 * Many nodes (PostgreSQL): `pg_notify` in the delivering transaction is sent by PostgreSQL on commit and
 * dropped on rollback, and reaches every node's one LISTEN connection. That connection opens with the
 * first subscriber, reconnects when lost, and on every (re)connect nudges all listeners, because
 * notifications sent while nobody listened are gone.
 */
export class PgNotifier implements InboxNotifier {
  private readonly listeners = new Listeners();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    readonly channel: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  async publish(trx: Transaction<DB>, citizenIds: number[]) {
    const ids = [...new Set(citizenIds)];
    if (ids.length === 0) return;
    // One statement for every recipient (a resolved complaint may have thousands of supporters).
    await sql`select pg_notify(${this.channel}, id::text) from unnest(${ids}::bigint[]) as id`.execute(trx);
  }

  subscribe(citizenId: number, listener: () => void) {
    const unsubscribe = this.listeners.add(citizenId, listener);
    this.listen();
    return unsubscribe;
  }

  listenerCount(citizenId: number) {
    return this.listeners.count(citizenId);
  }

  /** The backend pid of the LISTEN connection, or null while not connected (for operators and tests). */
  get listenerPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  private listen() {
    if (this.closed || this.client || this.connecting) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
  }

  private async connect() {
    const client = new pg.Client(this.clientConfig);
    let lost = false;
    const drop = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (err) this.onError(err);
      if (this.client === client) this.client = null;
      client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on('notification', (msg) => {
      const id = Number(msg.payload);
      if (Number.isSafeInteger(id)) this.listeners.emit(id);
    });
    client.on('error', drop);
    client.on('end', () => drop());
    try {
      await client.connect();
      await client.query(`listen ${client.escapeIdentifier(this.channel)}`);
    } catch (err) {
      drop(err);
      return;
    }
    if (this.closed || lost) {
      lost = true;
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.listeners.emitAll();
  }

  private scheduleRetry() {
    if (this.closed || this.retry || this.listeners.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.listen();
    }, RETRY_MS);
    this.retry.unref();
  }

  async close() {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }
}

/**
 * One channel per schema, so portals sharing a database (test schemas, tenants) never hear each other.
 * PostgreSQL channel names stop at 63 bytes: a long schema name is replaced by its hash.
 */
export function inboxChannel(schema: string | null): string {
  const name = `inbox_${schema ?? 'public'}`;
  return Buffer.byteLength(name) <= 63
    ? name
    : `inbox_${createHash('sha256').update(schema!).digest('hex').slice(0, 40)}`;
}

export function createInboxNotifier(
  database: Database,
  opts: { databaseUrl: string | null; schema: string | null; onError?: (err: unknown) => void },
): InboxNotifier {
  if (database.dialect !== 'postgres') return new LocalNotifier();
  // The pool's own settings (host, credentials, TLS, search_path), so the listener reaches the same database.
  const poolOptions = database.pgPool?.options ?? { connectionString: opts.databaseUrl ?? undefined };
  const { max: _max, idleTimeoutMillis: _idle, ...clientConfig } = poolOptions as pg.PoolConfig;
  return new PgNotifier(
    { ...clientConfig, application_name: 'citizen-portal-inbox', keepAlive: true },
    inboxChannel(opts.schema),
    opts.onError,
  );
}
