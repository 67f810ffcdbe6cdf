import { EventEmitter } from 'node:events';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

/**
 * Tells the processes that hold a citizen's live connection that new Message Box items exist. On PostgreSQL
 * `pg_notify` inside the delivering transaction fires only when it commits, and reaches every node's LISTEN
 * connection; on SQLite (one process) an in-process emitter does, and a reader behind the single
 * connection only sees the items once the writer commits.
 */
export interface InboxNotifier {
  publish(trx: Transaction<DB>, citizenIds: number[]): Promise<void>;
  subscribe(citizenId: number, listener: () => void): () => void;
  close(): Promise<void>;
}

class Listeners {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  on(citizenId: number, listener: () => void): () => void {
    const event = String(citizenId);
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
  emit(citizenId: number) {
    this.emitter.emit(String(citizenId));
  }
  count(): number {
    return this.emitter.eventNames().length;
  }
}

class LocalNotifier implements InboxNotifier {
  private readonly listeners = new Listeners();
  async publish(_trx: Transaction<DB>, citizenIds: number[]) {
    setImmediate(() => {
      for (const id of citizenIds) this.listeners.emit(id);
    });
  }
  subscribe(citizenId: number, listener: () => void) {
    return this.listeners.on(citizenId, listener);
  }
  async close() {}
}

class PgNotifier implements InboxNotifier {
  private readonly listeners = new Listeners();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly connectionString: string,
    /** One channel per schema, so portals sharing a database (tests, tenants) do not hear each other. */
    private readonly channel: string,
  ) {}

  async publish(trx: Transaction<DB>, citizenIds: number[]) {
    for (const id of new Set(citizenIds)) {
      await sql`select pg_notify(${this.channel}, ${String(id)})`.execute(trx);
    }
  }

  subscribe(citizenId: number, listener: () => void) {
    void this.listen();
    return this.listeners.on(citizenId, listener);
  }

  private listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('notification', (msg) => {
        const id = Number(msg.payload);
        if (Number.isInteger(id)) this.listeners.emit(id);
      });
      client.on('error', () => {
        // Reconnect on the next subscription (or at once while anyone listens).
        this.client = null;
        this.connecting = null;
        client.end().catch(() => {});
        if (!this.closed && this.listeners.count() > 0) setTimeout(() => void this.listen(), 1000).unref();
      });
      await client.connect();
      await client.query(`listen "${this.channel}"`);
      if (this.closed) await client.end();
      else this.client = client;
    })().catch(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async close() {
    this.closed = true;
    await this.connecting;
    await this.client?.end().catch(() => {});
    this.client = null;
  }
}

export function createInboxNotifier(
  database: Database,
  opts: { databaseUrl: string | null; schema: string | null },
) {
  if (database.dialect === 'postgres' && opts.databaseUrl) {
    return new PgNotifier(opts.databaseUrl, `inbox_${opts.schema ?? 'public'}`);
  }
  return new LocalNotifier();
}
