import { sql } from 'kysely';
import type { Database, DbOrTrx } from '../db/database.js';
import { channelName, listenerConfig, PgListener } from '../db/pg-listener.js';
import { TtlCache } from './ttl-cache.js';

type Handler = (key: string) => void;

/**
 * "This row changed": how a node tells every node (itself included) to forget what it remembered of
 * it. Caches built on it trust an entry only while the feed is live, and only if no change was heard
 * while the entry was being read.
 */
export abstract class ChangeFeed {
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly resets = new Set<() => void>();
  /** Bumped by every change and every reset; a reader compares it before and after its read. */
  version = 0;

  abstract get live(): boolean;
  /** Called by a cache before it reads (a PostgreSQL feed starts listening on first use). */
  abstract use(): void;
  /**
   * Forgets the row here at once and tells the other nodes; inside a transaction, they hear it when
   * it commits (and a rolled-back change only costs a re-read).
   */
  abstract publish(db: DbOrTrx, topic: string, key: string | number): Promise<void>;
  abstract close(): Promise<void>;

  on(topic: string, handler: Handler) {
    const set = this.handlers.get(topic) ?? new Set();
    set.add(handler);
    this.handlers.set(topic, set);
  }

  onReset(handler: () => void) {
    this.resets.add(handler);
  }

  protected heard(topic: string, key: string) {
    this.version++;
    for (const handler of this.handlers.get(topic) ?? []) handler(key);
  }

  protected reset() {
    this.version++;
    for (const handler of this.resets) handler();
  }
}

/** One process (embedded SQLite): a change is heard here, at once. */
export class LocalChangeFeed extends ChangeFeed {
  get live() {
    return true;
  }
  use() {}
  async publish(_db: DbOrTrx, topic: string, key: string | number) {
    this.heard(topic, String(key));
  }
  async close() {}
}

/**
 * Many nodes (PostgreSQL): `pg_notify` reaches every node's LISTEN connection on commit. While that
 * connection is down nothing is trusted: caches read through, and start empty when it is back.
 */
export class PgChangeFeed extends ChangeFeed {
  private readonly listener: PgListener;

  constructor(
    database: Database,
    opts: { databaseUrl: string | null; schema: string | null; onError: (err: unknown) => void },
  ) {
    super();
    this.listener = new PgListener(
      listenerConfig(database, opts.databaseUrl, 'citizen-portal-changes'),
      channelName('changes', opts.schema),
      {
        message: (payload) => {
          const at = payload.indexOf(':');
          if (at > 0) this.heard(payload.slice(0, at), payload.slice(at + 1));
        },
        connected: () => this.reset(),
        lost: () => this.reset(),
        wanted: () => true,
        error: opts.onError,
      },
    );
  }

  get live() {
    return this.listener.connected;
  }

  use() {
    this.listener.start();
  }

  /** Resolves once the first connection attempt has finished (tests, benchmarks). */
  async ready() {
    this.use();
    await this.listener.settled();
  }

  async publish(db: DbOrTrx, topic: string, key: string | number) {
    this.heard(topic, String(key));
    await sql`select pg_notify(${this.listener.channel}, ${`${topic}:${key}`})`.execute(db);
  }

  close() {
    return this.listener.close();
  }
}

export function createChangeFeed(
  database: Database,
  opts: { databaseUrl: string | null; schema: string | null; onError: (err: unknown) => void },
): ChangeFeed {
  return database.dialect === 'postgres' ? new PgChangeFeed(database, opts) : new LocalChangeFeed();
}

/**
 * Rows read often and changed rarely (sessions, profiles), remembered for a short while on each node and
 * forgotten everywhere when the feed hears they changed.
 */
export class SharedCache<K, V> {
  private readonly entries: TtlCache<K, V>;

  constructor(
    private readonly feed: ChangeFeed,
    opts: { maxEntries: number; ttlMs: number },
  ) {
    this.entries = new TtlCache(opts.maxEntries, opts.ttlMs);
    feed.onReset(() => this.entries.clear());
  }

  /** Forgets the entry keyed `keyOf(changed)` when `topic` changes. */
  forgetOn(topic: string, keyOf: (changed: string) => K) {
    this.feed.on(topic, (changed) => this.entries.delete(keyOf(changed)));
  }

  /** Forgets every entry `matches(changed)` accepts when `topic` changes (rare: an account's sessions). */
  forgetAllOn(topic: string, matches: (changed: string) => (value: V) => boolean) {
    this.feed.on(topic, (changed) => this.entries.deleteWhere(matches(changed)));
  }

  async read(key: K, load: () => Promise<V | null>, stillValid: (value: V) => boolean = () => true) {
    this.feed.use();
    if (this.feed.live) {
      const hit = this.entries.get(key);
      if (hit !== undefined && stillValid(hit)) return hit;
    }
    const version = this.feed.version;
    const value = await load();
    // Kept only when nothing changed while it was read: a change heard meanwhile may be this very row.
    if (value !== null && this.feed.live && this.feed.version === version) this.entries.set(key, value);
    return value;
  }

  /** Forgets one entry on this node only (after a commit here, before the notice comes back). */
  forget(key: K) {
    this.entries.delete(key);
  }

  get size() {
    return this.entries.size;
  }
}
