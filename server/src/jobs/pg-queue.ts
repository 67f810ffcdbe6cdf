import { CompiledQuery } from 'kysely';
import PgBoss from 'pg-boss';
import type { DbOrTrx } from '../db/database.js';
import type { Logger } from '../logger.js';
import {
  DEFAULT_BACKOFF_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  type DeadJob,
  type EnqueueOptions,
  errorText,
  type JobHandler,
  type JobQueue,
  type JobStat,
  LOCK_SECONDS,
} from './queue.js';

const STATES: Record<string, JobStat['state']> = {
  created: 'pending',
  retry: 'retry',
  active: 'active',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'dead',
};

/** Runs pg-boss's SQL on the caller's Kysely transaction, so the job commits or rolls back with the data. */
function onConnection(db: DbOrTrx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  };
}

/**
 * The scaled-out engine: pg-boss in the portal's PostgreSQL database. Its fetch uses SKIP LOCKED, so any
 * number of worker processes on any number of machines share the queues without taking the same job;
 * a job whose worker died is retried when it expires. A job that used up its tries stays "failed": the
 * dead-letter state admins see.
 */
export class PgJobQueue implements JobQueue {
  readonly engine = 'postgres' as const;
  private readonly boss: PgBoss;
  private readonly handlers = new Map<string, { handler: JobHandler<unknown>; concurrency: number }>();
  private readonly queues = new Map<string, Promise<void>>();
  private started: Promise<unknown> | null = null;
  private working = false;

  constructor(
    connectionString: string,
    private readonly schema: string,
    private readonly opts: { pollIntervalMs: number; concurrency: number; logger: Logger },
  ) {
    this.boss = new PgBoss({ connectionString, schema, max: 4, application_name: 'citizen-portal-jobs' });
    this.boss.on('error', (err) => opts.logger.error({ err }, 'job engine error'));
  }

  /** Installs or migrates pg-boss's schema once per process (it takes its own lock for that). */
  private ready(): Promise<unknown> {
    this.started ??= this.boss.start();
    return this.started;
  }

  private ensureQueue(name: string): Promise<void> {
    let p = this.queues.get(name);
    if (!p) {
      p = (async () => {
        await this.ready();
        if (!(await this.boss.getQueue(name))) await this.boss.createQueue(name);
      })();
      p.catch(() => this.queues.delete(name));
      this.queues.set(name, p);
    }
    return p;
  }

  async enqueue<T extends object>(
    db: DbOrTrx,
    queue: string,
    payload: T,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    // Queue creation runs on pg-boss's own connection, outside the caller's transaction.
    await this.ensureQueue(queue);
    const conn = onConnection(db);
    if (opts.singletonKey) {
      const existing = await conn.executeSql(
        `select 1 from ${this.schema}.job where name = $1 and singleton_key = $2 and state < 'completed' limit 1`,
        [queue, opts.singletonKey],
      );
      if (existing.rows.length > 0) return;
    }
    const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    await this.boss.send(queue, payload, {
      db: conn,
      retryLimit: maxAttempts - 1,
      retryDelay: opts.backoffSeconds ?? DEFAULT_BACKOFF_SECONDS,
      retryBackoff: true,
      expireInSeconds: LOCK_SECONDS,
      startAfter: opts.delaySeconds ? opts.delaySeconds : undefined,
      singletonKey: opts.singletonKey,
    });
  }

  register<T>(queue: string, handler: JobHandler<T>, opts: { concurrency?: number } = {}): void {
    this.handlers.set(queue, {
      handler: handler as JobHandler<unknown>,
      concurrency: opts.concurrency ?? this.opts.concurrency,
    });
  }

  private context(job: PgBoss.JobWithMetadata<unknown>) {
    return { id: job.id, attempt: job.retryCount + 1, maxAttempts: job.retryLimit + 1, queue: job.name };
  }

  async start(): Promise<void> {
    if (this.working) return;
    this.working = true;
    await this.ready();
    const pollingIntervalSeconds = Math.max(0.5, this.opts.pollIntervalMs / 1000);
    for (const [name, { handler, concurrency }] of this.handlers) {
      await this.ensureQueue(name);
      for (let i = 0; i < concurrency; i++) {
        await this.boss.work<unknown>(
          name,
          { includeMetadata: true, batchSize: 1, pollingIntervalSeconds },
          async ([job]) => {
            if (job) await handler(job.data, this.context(job));
          },
        );
      }
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.working = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: 15_000 });
    this.started = null;
    this.queues.clear();
  }

  async drain(queues?: string[]): Promise<number> {
    const names = queues ?? [...this.handlers.keys()];
    let ran = 0;
    for (;;) {
      let any = false;
      for (const name of names) {
        const registered = this.handlers.get(name);
        if (!registered) continue;
        await this.ensureQueue(name);
        const [job] = await this.boss.fetch<unknown>(name, { batchSize: 1, includeMetadata: true });
        if (!job) continue;
        any = true;
        ran++;
        try {
          await registered.handler(job.data, this.context(job));
          await this.boss.complete(name, job.id);
        } catch (err) {
          this.opts.logger.warn({ jobId: job.id, queue: name, err }, 'job failed');
          await this.boss.fail(name, job.id, { message: errorText(err) });
        }
      }
      if (!any) return ran;
    }
  }

  async stats(): Promise<JobStat[]> {
    await this.ready();
    const { rows } = await this.boss
      .getDb()
      .executeSql(
        `select name, state, count(*)::int as count from ${this.schema}.job group by name, state order by name`,
        [],
      );
    return (rows as { name: string; state: string; count: number }[]).map((r) => ({
      queue: r.name,
      state: STATES[r.state] ?? 'pending',
      count: Number(r.count),
    }));
  }

  async deadJobs(limit = 50): Promise<DeadJob[]> {
    await this.ready();
    const { rows } = await this.boss.getDb().executeSql(
      `select id, name, retry_count, output, data, created_on from ${this.schema}.job
       where state = 'failed' order by completed_on desc nulls last limit $1`,
      [limit],
    );
    return (
      rows as {
        id: string;
        name: string;
        retry_count: number;
        output: unknown;
        data: unknown;
        created_on: Date;
      }[]
    ).map((r) => ({
      id: r.id,
      queue: r.name,
      attempts: r.retry_count + 1,
      lastError: (r.output as { message?: string } | null)?.message ?? null,
      payload: r.data,
      createdAt: new Date(r.created_on).toISOString(),
    }));
  }
}
