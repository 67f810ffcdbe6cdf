import { CompiledQuery } from 'kysely';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import type { DbOrTrx } from '../db/database.js';
import {
  type DeadJob,
  type EnqueueOptions,
  type JobHandler,
  type JobQueue,
  type JobQueueOptions,
  type JobStat,
  LOCK_SECONDS,
  type RegisterOptions,
  type ResolvedEnqueueOptions,
  resolveEnqueueOptions,
} from './queue.js';
import { type ClaimedJob, JobRunner, type JobStore } from './runner.js';

export interface PgJobQueueOptions extends JobQueueOptions {
  /** The portal's own pool (jobs and data share it); without it pg-boss opens a pool on connectionString. */
  pool?: pg.Pool;
  connectionString?: string;
  /** The PostgreSQL schema of pg-boss's tables. */
  schema: string;
  /** How long a fetched job stays active before pg-boss's maintenance fails it back to retry. */
  lockSeconds?: number;
  /** How often pg-boss expires, archives and purges jobs (coordinated: one process per interval). */
  maintenanceIntervalSeconds?: number;
}

interface PgJob extends ClaimedJob {
  createdAt: string;
}

/** Where a queue's exhausted jobs land, for deadJobs() and for admins to inspect or replay. */
const DEAD_SUFFIX = '__dead';
export const deadLetterQueue = (queue: string) => `${queue}${DEAD_SUFFIX}`;

const STATES: Record<string, JobStat['state'] | undefined> = {
  created: 'pending',
  retry: 'retry',
  active: 'active',
  completed: 'completed',
  cancelled: 'cancelled',
  // A failed job is counted once, through its copy in the dead-letter queue.
  failed: undefined,
};

/** What our fail() stores as the job's output, copied into the dead-letter queue. */
interface FailureOutput {
  message?: string;
  attempts?: number;
  jobId?: string;
  createdAt?: string;
  /** pg-boss's own shape, when its maintenance fails a job whose worker died. */
  value?: { message?: string };
}

const toIso = (v: Date | string) => new Date(v).toISOString();

/** Runs pg-boss's SQL on the caller's Kysely connection, so the job commits or rolls back with the data. */
function onKysely(db: DbOrTrx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] };
    },
  };
}

function onPool(pool: pg.Pool): PgBoss.Db {
  return { executeSql: (text: string, values: unknown[]) => pool.query(text, values) };
}

/**
 * pg-boss as a JobStore: its fetch takes jobs with FOR UPDATE SKIP LOCKED, so any number of worker
 * processes on any number of machines share a queue without taking the same job. Retries, backoff and
 * expiry are pg-boss's own: a job whose worker died stays active until started_on + expire_in, when
 * pg-boss's maintenance (or drain()) fails it back to retry.
 */
class PgStore implements JobStore<PgJob> {
  constructor(
    private readonly boss: () => Promise<PgBoss>,
    private readonly ensureQueue: (queue: string) => Promise<void>,
  ) {}

  async claim(queue: string, limit: number): Promise<PgJob[]> {
    await this.ensureQueue(queue);
    const boss = await this.boss();
    const jobs = await boss.fetch<unknown>(queue, { batchSize: limit, includeMetadata: true });
    return jobs.map((job) => ({
      id: job.id,
      queue: job.name,
      payload: job.data,
      attempt: job.retryCount + 1,
      maxAttempts: job.retryLimit + 1,
      createdAt: toIso(job.createdOn),
    }));
  }

  async complete(job: PgJob): Promise<boolean> {
    const boss = await this.boss();
    return affected(await boss.complete(job.queue, job.id));
  }

  async fail(job: PgJob, error: string): Promise<boolean> {
    const output: FailureOutput = {
      message: error,
      attempts: job.attempt,
      jobId: job.id,
      createdAt: job.createdAt,
    };
    const boss = await this.boss();
    return affected(await boss.fail(job.queue, job.id, output));
  }

  async maintain(): Promise<void> {
    // pg-boss supervises its own maintenance.
  }

  async recover(): Promise<void> {
    const boss = await this.boss();
    await boss.expire();
  }
}

/** pg-boss reports { affected } although its types say void; absent means unknown, taken as saved. */
function affected(result: unknown): boolean {
  const n = (result as { affected?: number } | undefined)?.affected;
  return n === undefined || n > 0;
}

/**
 * The scaled-out engine: pg-boss in the portal's PostgreSQL database. Every process that enqueues or works
 * installs or migrates pg-boss's schema on first use (pg-boss takes an advisory lock for that) and joins its
 * maintenance. Workers poll through the shared runner rather than pg-boss's work(), so both engines poll,
 * limit concurrency and shut down the same way.
 */
export class PgJobQueue implements JobQueue {
  readonly engine = 'postgres' as const;
  private readonly schema: string;
  private readonly lockSeconds: number;
  private readonly runner: JobRunner<PgJob>;
  private readonly queues = new Map<string, Promise<void>>();
  /** The started pg-boss; a new one after stop(), because pg-boss does not restart its maintenance. */
  private started: Promise<PgBoss> | null = null;

  constructor(private readonly opts: PgJobQueueOptions) {
    if (!opts.pool && !opts.connectionString)
      throw new Error('the PostgreSQL job queue needs a pool or a URL');
    this.schema = opts.schema;
    this.lockSeconds = opts.lockSeconds ?? LOCK_SECONDS;
    const store = new PgStore(
      () => this.boss(),
      (queue) => this.ensureQueue(queue),
    );
    this.runner = new JobRunner(store, opts);
  }

  private boss(): Promise<PgBoss> {
    if (!this.started) {
      const { pool, connectionString, schema, logger } = this.opts;
      const boss = new PgBoss({
        ...(pool ? { db: onPool(pool) } : { connectionString, max: 4 }),
        schema,
        application_name: 'citizen-portal-jobs',
        // No cron: the portal's periodic work is its own jobs.
        schedule: false,
        supervise: true,
        maintenanceIntervalSeconds: this.opts.maintenanceIntervalSeconds ?? 60,
        // Finished jobs stay visible in stats() for a day, as on SQLite; dead letters keep their own copy.
        archiveCompletedAfterSeconds: 24 * 3600,
      });
      boss.on('error', (err) => logger.error({ err }, 'job engine error'));
      const started = boss.start();
      started.catch(() => {
        if (this.started === started) this.started = null;
      });
      this.started = started;
    }
    return this.started;
  }

  /** pg-boss v10 needs a queue (a table partition) before its first job; created once per process. */
  private creating: Promise<void> = Promise.resolve();

  private ensureQueue(queue: string): Promise<void> {
    let created = this.queues.get(queue);
    if (!created) {
      // pg-boss creates a table partition per queue; two creations at once can deadlock on the parent
      // table, so this process creates one at a time and retries the deadlock another process may cause.
      created = this.creating.then(async () => {
        const boss = await this.boss();
        const dead = deadLetterQueue(queue);
        for (let attempt = 1; ; attempt++) {
          try {
            // Both calls are idempotent, so processes racing to create a queue are fine.
            await boss.createQueue(dead, { name: dead });
            await boss.createQueue(queue, { name: queue, deadLetter: dead });
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
            await new Promise((r) => setTimeout(r, 50 * attempt));
          }
        }
      });
      this.creating = created.catch(() => {});
      created.catch(() => this.queues.delete(queue));
      this.queues.set(queue, created);
    }
    return created;
  }

  async enqueue<T extends object>(
    db: DbOrTrx,
    queue: string,
    payload: T,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    const o = resolveEnqueueOptions(queue, payload, opts);
    // On pg-boss's own connection, outside the caller's transaction: a queue outlives any one job.
    await this.ensureQueue(queue);
    if (o.singletonKey && !db.isTransaction) {
      // The singleton check and the insert must share a transaction for the lock to cover both.
      await db.transaction().execute((trx) => this.insert(trx, queue, payload, o));
    } else {
      await this.insert(db, queue, payload, o);
    }
    if (o.delaySeconds === 0) {
      // Outside a transaction the job is visible now; inside one it usually is a moment later, and the
      // regular poll catches it otherwise.
      if (db.isTransaction) setTimeout(() => this.runner.wake(queue), 50).unref();
      else this.runner.wake(queue);
    }
  }

  private async insert(db: DbOrTrx, queue: string, payload: object, o: ResolvedEnqueueOptions) {
    const conn = onKysely(db);
    if (o.singletonKey) {
      // pg-boss's singleton policies apply to a whole queue and do not mean "one pending or active job per
      // key", so the check is ours: enqueuers of one key wait on this lock until the holder's transaction
      // ends, then see its job (under READ COMMITTED, the portal's isolation level).
      await conn.executeSql('select pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
        `${this.schema}.${queue}`,
        o.singletonKey,
      ]);
      const { rows } = await conn.executeSql(
        `select 1 from ${this.schema}.job
         where name = $1 and singleton_key = $2 and state < 'completed' limit 1`,
        [queue, o.singletonKey],
      );
      if (rows.length > 0) return;
    }
    const boss = await this.boss();
    const id = await boss.send(queue, payload, {
      db: conn,
      retryLimit: o.maxAttempts - 1,
      retryDelay: o.backoffSeconds,
      // pg-boss doubles the delay and adds up to as much again of jitter: [d, 2d], [2d, 4d], ...
      retryBackoff: o.backoffSeconds > 0,
      expireInSeconds: this.lockSeconds,
      startAfter: o.delaySeconds > 0 ? o.delaySeconds : undefined,
      singletonKey: o.singletonKey ?? undefined,
      deadLetter: deadLetterQueue(queue),
    });
    if (!id) throw new Error(`job not stored: queue ${queue} does not exist`);
  }

  register<T>(queue: string, handler: JobHandler<T>, opts?: RegisterOptions): void {
    this.runner.register(queue, handler, opts);
  }

  async prepare(): Promise<void> {
    for (const queue of this.runner.queues) await this.ensureQueue(queue);
  }

  async start(): Promise<void> {
    await this.prepare();
    this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    const started = this.started;
    if (!started) return;
    this.started = null;
    this.queues.clear();
    const boss = await started.catch(() => null);
    // Closes pg-boss's own pool only; the portal's pool closes with the database.
    await boss?.stop({ graceful: true, wait: true });
  }

  drain(queues?: string[]): Promise<number> {
    return this.runner.drain(queues);
  }

  async stats(): Promise<JobStat[]> {
    const boss = await this.boss();
    const { rows } = await boss
      .getDb()
      .executeSql(
        `select name, state::text as state, count(*)::int as count from ${this.schema}.job group by 1, 2`,
        [],
      );
    const counts = new Map<string, JobStat>();
    for (const row of rows as { name: string; state: string; count: number }[]) {
      const isDead = row.name.endsWith(DEAD_SUFFIX);
      const queue = isDead ? row.name.slice(0, -DEAD_SUFFIX.length) : row.name;
      // Dead letters are never worked, so every one waiting in a dead-letter queue counts as dead.
      const state = isDead
        ? row.state === 'created' || row.state === 'retry'
          ? 'dead'
          : undefined
        : STATES[row.state];
      if (!state) continue;
      const key = `${queue}\u0000${state}`;
      const stat = counts.get(key) ?? { queue, state, count: 0 };
      stat.count += Number(row.count);
      counts.set(key, stat);
    }
    return [...counts.values()].sort((a, b) =>
      a.queue === b.queue ? a.state.localeCompare(b.state) : a.queue.localeCompare(b.queue),
    );
  }

  async deadJobs(limit = 50): Promise<DeadJob[]> {
    const boss = await this.boss();
    const { rows } = await boss.getDb().executeSql(
      `select id, name, data, output, retry_limit, created_on from ${this.schema}.job
       where right(name, ${DEAD_SUFFIX.length}) = '${DEAD_SUFFIX}' and state < 'active'
       order by created_on desc, id desc limit $1`,
      [limit],
    );
    return (
      rows as {
        id: string;
        name: string;
        data: unknown;
        output: FailureOutput | null;
        retry_limit: number;
        created_on: Date | string;
      }[]
    ).map((r) => ({
      id: r.output?.jobId ?? r.id,
      queue: r.name.slice(0, -DEAD_SUFFIX.length),
      attempts: r.output?.attempts ?? r.retry_limit + 1,
      lastError: r.output?.message ?? r.output?.value?.message ?? null,
      payload: r.data,
      createdAt: r.output?.createdAt ?? toIso(r.created_on),
    }));
  }
}
