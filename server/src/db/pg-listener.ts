import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from './database.js';

export interface ListenerHandlers {
  message(payload: string): void;
  /** After every (re)connect: notices sent while nobody listened are gone, so the owner catches up. */
  connected(): void;
  /** The connection is gone; nothing will be heard until `connected` fires again. */
  lost(): void;
  /** Whether to reconnect after a loss (an owner with nobody waiting can let the connection go). */
  wanted(): boolean;
  error(err: unknown): void;
}

const RETRY_MS = 1000;

/**
 * One LISTEN connection to PostgreSQL for one channel: opened on `start`, reopened a second after it is
 * lost for as long as its owner wants it. `pg_notify` is sent by PostgreSQL when the notifying transaction
 * commits and dropped on rollback, and it reaches every node listening on the channel.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    readonly channel: string,
    private readonly handlers: ListenerHandlers,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  /** The backend pid of the LISTEN connection, or null while not connected (for operators and tests). */
  get pid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  start() {
    if (this.closed || this.client || this.connecting) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = null;
    });
  }

  /** Resolves once a connection attempt has finished, connected or not (start-up, tests). */
  async settled() {
    await this.connecting;
  }

  private async connect() {
    const client = new pg.Client(this.clientConfig);
    let lost = false;
    const drop = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (err) this.handlers.error(err);
      if (this.client === client) {
        this.client = null;
        this.handlers.lost();
      }
      client.end().catch(() => {});
      this.scheduleRetry();
    };
    client.on('notification', (msg) => {
      if (msg.payload !== undefined) this.handlers.message(msg.payload);
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
    this.handlers.connected();
  }

  private scheduleRetry() {
    if (this.closed || this.retry || !this.handlers.wanted()) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start();
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
 * One channel per purpose and schema, so portals sharing a database (test schemas, tenants) never hear
 * each other. PostgreSQL channel names stop at 63 bytes: a long schema name is replaced by its hash.
 */
export function channelName(purpose: string, schema: string | null): string {
  const name = `${purpose}_${schema ?? 'public'}`;
  return Buffer.byteLength(name) <= 63
    ? name
    : `${purpose}_${createHash('sha256').update(schema!).digest('hex').slice(0, 40)}`;
}

/** The pool's own settings (host, credentials, TLS, search_path), so a listener reaches the same database. */
export function listenerConfig(
  database: Database,
  databaseUrl: string | null,
  name: string,
): pg.ClientConfig {
  const poolOptions = database.pgPool?.options ?? { connectionString: databaseUrl ?? undefined };
  const { max: _max, idleTimeoutMillis: _idle, ...clientConfig } = poolOptions as pg.PoolConfig;
  return { ...clientConfig, application_name: name, keepAlive: true };
}
