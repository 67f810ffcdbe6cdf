import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../db/database.js';
import {
  type DeadJob,
  type EnqueueOptions,
  type JobHandler,
  type JobQueue,
  type JobQueueOptions,
  type JobStat,
  LOCK_SECONDS,
  type RegisterOptions,
  resolveEnqueueOptions,
  retryDelaySeconds,
} from './queue.js';
import { type ClaimedJob, JobRunner, type JobStore } from './runner.js';

export interface SqliteJobQueueOptions extends JobQueueOptions {
  /** How long a claimed job stays locked to its worker. */
  lockSeconds?: number;
  /** Completed jobs are kept this long (for stats and support questions), then deleted. */
  completedRetentionMs?: number;
  /** Dead letters are kept this long for admins, then deleted. */
  deadRetentionMs?: number;
  maintenanceIntervalMs?: number;
}

interface SqliteJob extends ClaimedJob {
  rowId: number;
  backoffSeconds: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 24 * 3600_000;
const LOCK_EXPIRED = 'LockExpired: the worker stopped before finishing (process killed or lock outlived)';

/**
 * The jobs table as a JobStore. SQLite has one writer, so a single UPDATE ... RETURNING claims atomically
 * even when several processes (the server and `portal jobs run`) share the file. A job whose worker died
 * keeps state `active` until its locked_until passes; the next claim then takes it over.
 */
class SqliteStore implements JobStore<SqliteJob> {
  constructor(
    private readonly db: Db,
    private readonly opts: Required<
      Pick<SqliteJobQueueOptions, 'lockSeconds' | 'completedRetentionMs' | 'deadRetentionMs'>
    >,
  ) {}

  async claim(queue: string, limit: number): Promise<SqliteJob[]> {
    const now = Date.now();
    const nowIso = iso(now);
    // A dead worker's job that had used its last try becomes a dead letter instead of running once more.
    await this.db
      .updateTable('jobs')
      .set({ state: 'dead', locked_until: null, last_error: LOCK_EXPIRED, updated_at: nowIso })
      .where('queue', '=', queue)
      .where('state', '=', 'active')
      .where('locked_until', '<=', nowIso)
      .whereRef('attempts', '>=', 'max_attempts')
      .execute();
    // Two branches, each on the jobs_due index, so a poll reads only due rows, not the day of completed ones.
    const pending = this.db
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', queue)
      .where('state', '=', 'pending')
      .where('run_at', '<=', nowIso)
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit);
    const expired = this.db
      .selectFrom('jobs')
      .select('id')
      .where('queue', '=', queue)
      .where('state', '=', 'active')
      .where('locked_until', '<=', nowIso)
      .whereRef('attempts', '<', 'max_attempts')
      .orderBy('locked_until')
      .limit(limit);
    const due = this.db
      .selectFrom(
        this.db
          .selectFrom(expired.as('e'))
          .select('id')
          .unionAll(this.db.selectFrom(pending.as('p')).select('id'))
          .as('d'),
      )
      .select('id')
      .limit(limit);
    const rows = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'active',
        attempts: eb('attempts', '+', 1),
        locked_until: iso(now + this.opts.lockSeconds * 1000),
        updated_at: nowIso,
      }))
      .where('id', 'in', due)
      .returning(['id', 'queue', 'payload', 'attempts', 'max_attempts', 'backoff_seconds'])
      .execute();
    return rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({
        id: String(r.id),
        rowId: r.id,
        queue: r.queue,
        payload: JSON.parse(r.payload),
        attempt: r.attempts,
        maxAttempts: r.max_attempts,
        backoffSeconds: r.backoff_seconds,
      }));
  }

  // The attempt number fences a worker whose lock expired: its late outcome must not overwrite the new run.
  async complete(job: SqliteJob): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state: 'completed', locked_until: null, updated_at: iso(Date.now()) })
      .where('id', '=', job.rowId)
      .where('state', '=', 'active')
      .where('attempts', '=', job.attempt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async fail(job: SqliteJob, error: string): Promise<boolean> {
    const now = Date.now();
    const dead = job.attempt >= job.maxAttempts;
    const result = await this.db
      .updateTable('jobs')
      .set({
        state: dead ? 'dead' : 'pending',
        ...(dead ? {} : { run_at: iso(now + retryDelaySeconds(job.backoffSeconds, job.attempt) * 1000) }),
        locked_until: null,
        last_error: error,
        updated_at: iso(now),
      })
      .where('id', '=', job.rowId)
      .where('state', '=', 'active')
      .where('attempts', '=', job.attempt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async maintain(): Promise<void> {
    const now = Date.now();
    await this.db
      .deleteFrom('jobs')
      .where('state', '=', 'completed')
      .where('updated_at', '<', iso(now - this.opts.completedRetentionMs))
      .execute();
    await this.db
      .deleteFrom('jobs')
      .where('state', '=', 'dead')
      .where('updated_at', '<', iso(now - this.opts.deadRetentionMs))
      .execute();
  }

  async recover(): Promise<void> {
    // claim() already takes over expired locks.
  }
}

/** The embedded engine: jobs are rows of the `jobs` table in the portal's own SQLite file. */
export class SqliteJobQueue implements JobQueue {
  readonly engine = 'sqlite' as const;
  private readonly runner: JobRunner<SqliteJob>;

  constructor(
    private readonly db: Db,
    opts: SqliteJobQueueOptions,
  ) {
    const store = new SqliteStore(db, {
      lockSeconds: opts.lockSeconds ?? LOCK_SECONDS,
      completedRetentionMs: opts.completedRetentionMs ?? DAY_MS,
      deadRetentionMs: opts.deadRetentionMs ?? 30 * DAY_MS,
    });
    this.runner = new JobRunner(store, opts);
  }

  async enqueue<T extends object>(
    db: DbOrTrx,
    queue: string,
    payload: T,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    const o = resolveEnqueueOptions(queue, payload, opts);
    const now = Date.now();
    await db
      .insertInto('jobs')
      .values({
        queue,
        payload: JSON.stringify(payload),
        state: 'pending',
        max_attempts: o.maxAttempts,
        backoff_seconds: o.backoffSeconds,
        run_at: iso(now + o.delaySeconds * 1000),
        singleton_key: o.singletonKey,
        created_at: iso(now),
        updated_at: iso(now),
      })
      // The partial unique index jobs_singleton (queue, singleton_key among pending and active jobs)
      // turns a second enqueue of a live singleton into a no-op.
      .onConflict((oc) => oc.doNothing())
      .execute();
    // Kysely serialises SQLite queries on one connection, so the worker's claim runs only after the
    // caller's transaction has finished: an immediate wake-up cannot miss the commit.
    if (o.delaySeconds === 0) setImmediate(() => this.runner.wake(queue));
  }

  register<T>(queue: string, handler: JobHandler<T>, opts?: RegisterOptions): void {
    this.runner.register(queue, handler, opts);
  }

  /** The jobs table serves every queue: nothing to create. */
  async prepare(): Promise<void> {}

  async start(): Promise<void> {
    this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }

  drain(queues?: string[]): Promise<number> {
    return this.runner.drain(queues);
  }

  async stats(): Promise<JobStat[]> {
    const state = sql<
      JobStat['state']
    >`case when state = 'pending' and attempts > 0 then 'retry' else state end`;
    const rows = await this.db
      .selectFrom('jobs')
      .select(['queue', state.as('state'), sql<number>`count(*)`.as('count')])
      .groupBy(['queue', state])
      .orderBy('queue')
      .orderBy('state')
      .execute();
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
  }

  async deadJobs(limit = 50): Promise<DeadJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'queue', 'attempts', 'last_error', 'payload', 'created_at'])
      .where('state', '=', 'dead')
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      queue: r.queue,
      attempts: r.attempts,
      lastError: r.last_error,
      payload: JSON.parse(r.payload),
      createdAt: r.created_at,
    }));
  }
}
