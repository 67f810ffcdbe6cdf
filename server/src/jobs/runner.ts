import {
  errorText,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobQueueOptions,
  type RegisterOptions,
} from './queue.js';

/** A job a worker has claimed: it holds the job's lock until it completes or fails it. */
export interface ClaimedJob {
  id: string;
  queue: string;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
}

/**
 * What each engine provides. The runner does the rest (polling, concurrency, retries' bookkeeping calls,
 * graceful shutdown) the same way for both, so the engines cannot drift apart in behaviour.
 */
export interface JobStore<J extends ClaimedJob> {
  /** Atomically takes up to `limit` due jobs of a queue; no other worker can take the same ones. */
  claim(queue: string, limit: number): Promise<J[]>;
  /** Returns false when the job was no longer ours (its lock expired and another worker took it). */
  complete(job: J): Promise<boolean>;
  /** Records a failed try: another try after the backoff, or the dead letter once out of tries. */
  fail(job: J, error: string): Promise<boolean>;
  /** Housekeeping while workers run (e.g. dropping old completed jobs). */
  maintain(): Promise<void>;
  /** Before a drain: hands jobs whose worker died back to the queue. */
  recover(): Promise<void>;
}

export interface RunnerOptions extends JobQueueOptions {
  maintenanceIntervalMs?: number;
}

interface Worker {
  queue: string;
  handler: JobHandler<unknown>;
  concurrency: number;
  batchSize: number;
  running: number;
  loop: Promise<void> | null;
  /** Ends the current sleep early; null while the loop is busy. */
  wake: (() => void) | null;
  /** A wake-up that came while the loop was busy, so the next sleep is skipped. */
  woken: boolean;
}

const DEFAULT_MAINTENANCE_MS = 10 * 60_000;

function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be an integer >= 1`);
  return value;
}

/** Polls a JobStore per registered queue and runs the handlers. */
export class JobRunner<J extends ClaimedJob> {
  private readonly workers = new Map<string, Worker>();
  private readonly inflight = new Set<Promise<void>>();
  private running = false;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private maintaining = false;
  private readonly logger: JobLogger;

  constructor(
    private readonly store: JobStore<J>,
    private readonly opts: RunnerOptions,
  ) {
    positiveInt(opts.concurrency, 'concurrency');
    if (!(opts.pollIntervalMs > 0)) throw new Error('pollIntervalMs must be > 0');
    this.logger = opts.logger;
  }

  get isRunning(): boolean {
    return this.running;
  }

  get queues(): string[] {
    return [...this.workers.keys()];
  }

  register<T>(queue: string, handler: JobHandler<T>, opts: RegisterOptions = {}): void {
    // Two handlers for one queue would each get a share of its jobs: always a wiring mistake.
    if (this.workers.has(queue)) throw new Error(`a handler for queue ${queue} is already registered`);
    const concurrency = positiveInt(opts.concurrency ?? this.opts.concurrency, 'concurrency');
    const worker: Worker = {
      queue,
      handler: handler as JobHandler<unknown>,
      concurrency,
      batchSize: positiveInt(opts.batchSize ?? concurrency, 'batchSize'),
      running: 0,
      loop: null,
      wake: null,
      woken: false,
    };
    this.workers.set(queue, worker);
    if (this.running) worker.loop = this.loop(worker);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const worker of this.workers.values()) worker.loop = this.loop(worker);
    void this.maintain();
    this.maintenanceTimer = setInterval(
      () => void this.maintain(),
      this.opts.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_MS,
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.maintenanceTimer = null;
    const loops: Promise<void>[] = [];
    for (const worker of this.workers.values()) {
      worker.wake?.();
      if (worker.loop) loops.push(worker.loop);
      worker.loop = null;
    }
    await Promise.all(loops);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  /** Makes an idle worker of the queue look for jobs now instead of at its next poll. */
  wake(queue: string): void {
    const worker = this.workers.get(queue);
    if (!worker) return;
    if (worker.wake) worker.wake();
    else worker.woken = true;
  }

  async drain(queues?: string[]): Promise<number> {
    const names = queues ?? this.queues;
    const workers = names.map((name) => {
      const worker = this.workers.get(name);
      if (!worker) throw new Error(`no handler registered for queue ${name}`);
      return worker;
    });
    await this.store.recover();
    let ran = 0;
    for (let progress = true; progress; ) {
      progress = false;
      for (const worker of workers) {
        const [job] = await this.store.claim(worker.queue, 1);
        if (!job) continue;
        progress = true;
        ran++;
        const run = this.execute(worker.handler, job);
        this.inflight.add(run);
        await run;
        this.inflight.delete(run);
      }
    }
    return ran;
  }

  private async loop(worker: Worker): Promise<void> {
    while (this.running) {
      const free = worker.concurrency - worker.running;
      let full = false;
      if (free > 0) {
        const limit = Math.min(free, worker.batchSize);
        try {
          const jobs = await this.store.claim(worker.queue, limit);
          for (const job of jobs) this.spawn(worker, job);
          full = jobs.length === limit;
        } catch (err) {
          this.logger.error({ err, queue: worker.queue }, 'job claim failed');
        }
      }
      if (!this.running) break;
      // A full batch means more jobs may be waiting: take them while there are free slots.
      if (full && worker.running < worker.concurrency) continue;
      await this.sleep(worker);
    }
  }

  private sleep(worker: Worker): Promise<void> {
    if (worker.woken) {
      worker.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        worker.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.opts.pollIntervalMs);
      worker.wake = done;
    });
  }

  private spawn(worker: Worker, job: J): void {
    worker.running++;
    const run = this.execute(worker.handler, job).finally(() => {
      worker.running--;
      this.inflight.delete(run);
      // A slot is free again.
      this.wake(worker.queue);
    });
    this.inflight.add(run);
  }

  /** Runs one claimed job and records the outcome; never throws. */
  private async execute(handler: JobHandler<unknown>, job: J): Promise<void> {
    const context: JobContext = {
      id: job.id,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      queue: job.queue,
    };
    const log = { jobId: job.id, queue: job.queue, attempt: job.attempt, maxAttempts: job.maxAttempts };
    let failure: unknown = null;
    let ok = false;
    try {
      await handler(job.payload, context);
      ok = true;
    } catch (err) {
      failure = err;
    }
    try {
      let saved: boolean;
      if (ok) {
        saved = await this.store.complete(job);
      } else {
        const dead = job.attempt >= job.maxAttempts;
        if (dead) this.logger.error({ ...log, err: failure }, 'job failed for the last time: dead-lettered');
        else this.logger.warn({ ...log, err: failure }, 'job failed: will retry');
        saved = await this.store.fail(job, errorText(failure));
      }
      if (!saved) this.logger.warn(log, 'job outcome not saved: its lock expired and another worker took it');
    } catch (err) {
      // The job stays locked; once the lock expires another worker runs it again.
      this.logger.error({ ...log, err }, 'job outcome not saved');
    }
  }

  private async maintain(): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      await this.store.maintain();
    } catch (err) {
      this.logger.error({ err }, 'job maintenance failed');
    } finally {
      this.maintaining = false;
    }
  }
}
