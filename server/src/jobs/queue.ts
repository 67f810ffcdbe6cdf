import type { DbOrTrx } from '../db/database.js';

export interface EnqueueOptions {
  delaySeconds?: number;
  /** Tries before the job is dead-lettered; 5 when absent. */
  maxAttempts?: number;
  /** Wait before the first retry, doubling each time; 10 s when absent. */
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
 * A handler may run more than once for one job (a worker killed mid-run is retried once its lock expires),
 * so every handler must be idempotent: check what was already done before doing it again.
 */
export type JobHandler<T> = (payload: T, job: JobContext) => Promise<void>;

export interface JobStat {
  queue: string;
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
  /** Enqueues inside the caller's transaction: the job exists if and only if the transaction commits. */
  enqueue<T extends object>(db: DbOrTrx, queue: string, payload: T, opts?: EnqueueOptions): Promise<void>;
  register<T>(queue: string, handler: JobHandler<T>, opts?: { concurrency?: number }): void;
  /** Starts polling and working; several processes may work one PostgreSQL database. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running ones to finish. */
  stop(): Promise<void>;
  /** Runs every job that is due now until none is left; returns how many ran. For tests and operators. */
  drain(queues?: string[]): Promise<number>;
  stats(): Promise<JobStat[]>;
  deadJobs(limit?: number): Promise<DeadJob[]>;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_SECONDS = 10;
/** How long a worker holds a job before another may take it over. */
export const LOCK_SECONDS = 300;

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 2000) : String(err).slice(0, 2000);
}
