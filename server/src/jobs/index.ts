import type { Database } from '../db/database.js';
import { PgJobQueue } from './pg-queue.js';
import type { JobQueue, JobQueueOptions } from './queue.js';
import { SqliteJobQueue } from './sqlite-queue.js';

export interface CreateJobQueueOptions extends JobQueueOptions {
  /** pg-boss's schema on PostgreSQL; `pgboss` when absent. */
  pgBossSchema?: string;
  /** Only used when the database has no pool of its own to share. */
  databaseUrl?: string | null;
}

/** The queue of the database's engine: the jobs table on SQLite, pg-boss on PostgreSQL. */
export function createJobQueue(database: Database, opts: CreateJobQueueOptions): JobQueue {
  if (database.dialect === 'postgres') {
    return new PgJobQueue({
      ...opts,
      pool: database.pgPool ?? undefined,
      connectionString: opts.databaseUrl ?? undefined,
      schema: opts.pgBossSchema ?? 'pgboss',
    });
  }
  return new SqliteJobQueue(database.db, opts);
}
