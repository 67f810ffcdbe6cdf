import type { DbOrTrx } from '../db/database.js';

export interface EnqueueOptions {
  /** Run no sooner than this many seconds from now. */
  delaySeconds?: number;
  /** Tries before the job is dead-lettered; 5 when absent. */
  maxAttempts?: number;
  /** Wait before the first retry, doubling each time; 10 s when absent, 0 retries at once. */
  backoffSeconds?: number;
  /** At most one pending or running job with this key per queue; a second enqueue does nothing. */
  singletonKey?: string;
}

export interface JobContext {
  id: string;
  /** 1 on the first try. */
  attempt: number;
  maxAttempts: number;
  queue: string;
}

/**
 * A handler may run more than once for one job: a worker killed mid-run leaves its job locked, and another
 * worker takes it over when the lock expires. Every handler must therefore be idempotent: check what was
 * already done (an SMS already sent, a notice already stored) before doing it again.
 */
export type JobHandler<T> = (payload: T, job: JobContext) => Promise<void>;

export interface RegisterOptions {
  /** Handlers of this queue that may run at once in this process. */
  concurrency?: number;
  /** Jobs claimed per poll (never more than the free slots). */
  batchSize?: number;
}

export interface JobStat {
  queue: string;
  /** retry: waiting for another try after a failure; dead: out of tries (the dead letters). */
  state: 'pending' | 'retry' | 'active' | 'completed' | 'dead' | 'cancelled';
  count: number;
}

export interface DeadJob {
  id: string;
  queue: string;
  attempts: number;
  lastError: string | null;
  payload: unknown;
  createdAt: string;
}

/** The job queue that domain code sees; it lives in the same database as the data. */
export interface JobQueue {
  readonly engine: 'sqlite' | 'postgres';
  /** Enqueues inside the caller's transaction (or on the plain db): the job exists iff the transaction commits. */
  enqueue<T extends object>(db: DbOrTrx, queue: string, payload: T, opts?: EnqueueOptions): Promise<void>;
  /** Registers the handler of a queue, before start(). */
  register<T>(queue: string, handler: JobHandler<T>, opts?: RegisterOptions): void;
  /**
   * Creates what every registered queue needs before its first job (pg-boss: a table partition), so that
   * no enqueue inside a transaction has to create one; called once after the workers are registered.
   */
  prepare(): Promise<void>;
  /** Starts polling and working; several processes may work one database. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running handlers to finish. */
  stop(): Promise<void>;
  /** Runs every job that is due now until none is left; returns how many ran. For tests and operators. */
  drain(queues?: string[]): Promise<number>;
  /** Counts per queue and state, for admins. */
  stats(): Promise<JobStat[]>;
  /** Dead-lettered jobs with their last error, newest first, for admins. */
  deadJobs(limit?: number): Promise<DeadJob[]>;
}

/** What the queue logs through: pino's logger fits. */
export interface JobLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface JobQueueOptions {
  /** How often an idle worker looks for due jobs. */
  pollIntervalMs: number;
  /** Handlers per queue that run at once, unless register() says otherwise. */
  concurrency: number;
  logger: JobLogger;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_SECONDS = 10;
/** How long a worker holds a job before another may take it over; a handler should finish well within it. */
export const LOCK_SECONDS = 300;
/** Caps the doubling so a long-failing job still retries within a day or so. */
const MAX_BACKOFF_DOUBLINGS = 13;

export interface ResolvedEnqueueOptions {
  delaySeconds: number;
  maxAttempts: number;
  backoffSeconds: number;
  singletonKey: string | null;
}

/** Both engines accept and reject the same options, so code tested on SQLite behaves alike on PostgreSQL. */
export function resolveEnqueueOptions(
  queue: string,
  payload: object,
  opts: EnqueueOptions,
): ResolvedEnqueueOptions {
  if (!/^[\w.-]{1,100}$/.test(queue) || queue.endsWith('__dead')) throw new Error(`bad queue name: ${queue}`);
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new Error('a job payload must be a plain object');
  }
  const delaySeconds = opts.delaySeconds ?? 0;
  const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoffSeconds = opts.backoffSeconds ?? DEFAULT_BACKOFF_SECONDS;
  if (!Number.isFinite(delaySeconds) || delaySeconds < 0) throw new Error('delaySeconds must be >= 0');
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer >= 1');
  if (!Number.isInteger(backoffSeconds) || backoffSeconds < 0) {
    throw new Error('backoffSeconds must be an integer >= 0');
  }
  if (opts.singletonKey !== undefined && opts.singletonKey.length === 0)
    throw new Error('empty singletonKey');
  return { delaySeconds, maxAttempts, backoffSeconds, singletonKey: opts.singletonKey ?? null };
}

/** Seconds to wait after failed try number `attempt` (1-based): backoff, 2 x backoff, 4 x backoff, ... */
export function retryDelaySeconds(backoffSeconds: number, attempt: number): number {
  return backoffSeconds * 2 ** Math.min(Math.max(attempt - 1, 0), MAX_BACKOFF_DOUBLINGS);
}

export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, 2000);
}
