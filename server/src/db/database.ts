import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
export type Db = Kysely<DB>;
/** A repo function takes either, so a service can compose several in one transaction. */
export type DbOrTrx = Kysely<DB> | Transaction<DB>;

export interface Database {
  db: Db;
  dialect: Dialect;
  /** The pg pool in the scaled-out shape (the job engine shares it); null on SQLite. */
  pgPool: pg.Pool | null;
  sqlite: SQLite.Database | null;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Both engines hand back the same JS shapes: timestamps as ISO strings, 64-bit ints as numbers.
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1184 || oid === 1114)
      return (v: string) => new Date(/(Z|[+-]\d{2}(:?\d{2})?)$/.test(v) ? v : `${v}Z`).toISOString();
    if (oid === 20) return (v: string) => Number(v);
    if (oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export function openDatabase(config: Pick<Config, 'databaseUrl' | 'databaseSchema' | 'dataDir'>): Database {
  if (config.databaseUrl) {
    const schema = config.databaseSchema;
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      types: pgTypes as pg.CustomTypesConfig,
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      pgPool: pool,
      sqlite: null,
      async ping() {
        await sql`select 1`.execute(db);
      },
      async close() {
        await db.destroy();
      },
    };
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(config.dataDir, 'portal.sqlite');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    pgPool: null,
    sqlite,
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Guards functions that must run inside a caller's transaction (status changes, audit appends). */
export function assertInTransaction(db: DbOrTrx): asserts db is Transaction<DB> {
  if (!db.isTransaction) throw new Error('this operation must run inside a transaction');
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** For the few queries whose SQL differs by engine (row locks, full-text search). */
export function dialectOf(db: DbOrTrx): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * Kysely prepares every statement anew; compiling SQL in SQLite costs more than running a small query. The
 * portal runs a few hundred distinct statements, so prepared ones are kept (least recently used dropped).
 * Reuse is safe: the single connection runs one statement at a time, a stream included.
 */
function withStatementCache(sqlite: SQLite.Database, size = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (stmt) {
          cache.delete(source);
        } else {
          stmt = prepare(source);
          if (cache.size >= size) cache.delete(cache.keys().next().value!);
        }
        cache.set(source, stmt);
        return stmt;
      };
    },
  });
}
