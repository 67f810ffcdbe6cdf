import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { PgJobQueue } from './pg-queue.js';
import type { JobQueue } from './queue.js';
import { SqliteJobQueue } from './sqlite-queue.js';

export function createJobQueue(
  database: Database,
  opts: {
    pollIntervalMs: number;
    concurrency: number;
    logger: Logger;
    databaseUrl?: string | null;
    pgBossSchema?: string;
  },
): JobQueue {
  if (database.dialect === 'postgres') {
    if (!opts.databaseUrl) throw new Error('the PostgreSQL job queue needs the database URL');
    return new PgJobQueue(opts.databaseUrl, opts.pgBossSchema ?? 'pgboss', opts);
  }
  return new SqliteJobQueue(database.db, opts);
}
