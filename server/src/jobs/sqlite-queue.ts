import { sql } from 'kysely';
import type { Db, DbOrTrx } from '../db/database.js';
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

interface Registered {
  handler: JobHandler<unknown>;
}

interface ClaimedJob {
  id: number;
  queue: string;
  payload: string;
  attempts: number;
  max_attempts: number;
  backoff_seconds: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const COMPLETED_RETENTION_MS = 24 * 3600_000;

/**
 * The embedded engine: jobs are rows of the `jobs` table in the portal's own SQLite file. SQLite has one
 * writer, so claiming with a single UPDATE ... RETURNING is atomic; a job whose worker died is taken over
 * when its lock expires.
 */
export class SqliteJobQueue implements JobQueue {
  readonly engine = 'sqlite' as const;
  private readonly handlers = new Map<string, Registered>();
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: { pollIntervalMs: number; concurrency: number; logger: Logger },
  ) {}

  async enqueue<T extends object>(
    db: DbOrTrx,
    queue: string,
    payload: T,
    opts: EnqueueOptions = {},
  ): Promise<void> {
    const now = Date.now();
    await db
      .insertInto('jobs')
      .values({
        queue,
        payload: JSON.stringify(payload),
        state: 'pending',
        max_attempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        backoff_seconds: opts.backoffSeconds ?? DEFAULT_BACKOFF_SECONDS,
        run_at: iso(now + (opts.delaySeconds ?? 0) * 1000),
        singleton_key: opts.singletonKey ?? null,
        created_at: iso(now),
        updated_at: iso(now),
      })
      // The partial unique index on (queue, singleton_key) makes a second pending singleton a no-op.
      .onConflict((oc) => oc.doNothing())
      .execute();
    if (this.running && !opts.delaySeconds) this.schedule(20);
  }

  register<T>(queue: string, handler: JobHandler<T>): void {
    this.handlers.set(queue, { handler: handler as JobHandler<unknown> });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inflight]);
  }

  private schedule(ms: number) {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
  }

  private async poll(): Promise<void> {
    this.timer = null;
    try {
      const free = this.opts.concurrency - this.inflight.size;
      if (free > 0) {
        const jobs = await this.claim([...this.handlers.keys()], free);
        for (const job of jobs) {
          const p = this.run(job).finally(() => {
            this.inflight.delete(p);
            if (this.running) this.schedule(0);
          });
          this.inflight.add(p);
        }
      }
      if (Date.now() - this.lastSweep > 600_000) {
        this.lastSweep = Date.now();
        await this.db
          .deleteFrom('jobs')
          .where('state', '=', 'completed')
          .where('updated_at', '<', iso(Date.now() - COMPLETED_RETENTION_MS))
          .execute();
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'job poll failed');
    }
    this.schedule(this.opts.pollIntervalMs);
  }

  private async claim(queues: string[], limit: number): Promise<ClaimedJob[]> {
    if (queues.length === 0 || limit <= 0) return [];
    const now = Date.now();
    const due = this.db
      .selectFrom('jobs')
      .select('id')
      .where('queue', 'in', queues)
      .where((eb) =>
        eb.or([
          eb.and([eb('state', '=', 'pending'), eb('run_at', '<=', iso(now))]),
          eb.and([eb('state', '=', 'active'), eb('locked_until', '<=', iso(now))]),
        ]),
      )
      .orderBy('run_at')
      .orderBy('id')
      .limit(limit);
    return this.db
      .updateTable('jobs')
      .set((eb) => ({
        state: 'active',
        attempts: eb('attempts', '+', 1),
        locked_until: iso(now + LOCK_SECONDS * 1000),
        updated_at: iso(now),
      }))
      .where('id', 'in', due)
      .returning(['id', 'queue', 'payload', 'attempts', 'max_attempts', 'backoff_seconds'])
      .execute();
  }

  private async run(job: ClaimedJob): Promise<void> {
    const registered = this.handlers.get(job.queue);
    try {
      if (!registered) throw new Error(`no handler for queue ${job.queue}`);
      await registered.handler(JSON.parse(job.payload), {
        id: String(job.id),
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        queue: job.queue,
      });
      await this.db
        .updateTable('jobs')
        .set({ state: 'completed', locked_until: null, updated_at: iso(Date.now()) })
        .where('id', '=', job.id)
        .execute();
    } catch (err) {
      const dead = job.attempts >= job.max_attempts;
      const delay = job.backoff_seconds * 2 ** (job.attempts - 1) * 1000;
      this.opts.logger.warn(
        { jobId: job.id, queue: job.queue, attempt: job.attempts, dead, err },
        'job failed',
      );
      await this.db
        .updateTable('jobs')
        .set({
          state: dead ? 'dead' : 'pending',
          run_at: iso(Date.now() + (dead ? 0 : delay)),
          locked_until: null,
          last_error: errorText(err),
          updated_at: iso(Date.now()),
        })
        .where('id', '=', job.id)
        .execute();
    }
  }

  async drain(queues?: string[]): Promise<number> {
    const names = queues ?? [...this.handlers.keys()];
    let ran = 0;
    for (;;) {
      const jobs = await this.claim(names, 1);
      if (jobs.length === 0) return ran;
      await this.run(jobs[0]!);
      ran++;
    }
  }

  async stats(): Promise<JobStat[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select([
        'queue',
        'state',
        sql<number>`count(*)`.as('count'),
        sql<number>`max(attempts)`.as('attempts'),
      ])
      .groupBy(['queue', 'state'])
      .orderBy('queue')
      .execute();
    return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
  }

  async deadJobs(limit = 50): Promise<DeadJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'queue', 'attempts', 'last_error', 'payload', 'created_at'])
      .where('state', '=', 'dead')
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
