import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.js';
import { type Database, openDatabase } from '../db/database.js';
import { createJobQueue } from './index.js';
import type { JobQueue, JobStat } from './queue.js';

const silent = { info() {}, warn() {}, error() {} };

let t: TestDatabase;
let bossSchema: string | undefined;
let live: JobQueue[] = [];
const otherDatabases: Database[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  bossSchema = t.schema ? `${t.schema}_jobs` : undefined;
});

afterEach(async () => {
  await Promise.all(live.map((q) => q.stop()));
  live = [];
});

afterAll(async () => {
  for (const database of otherDatabases) await database.close();
  await t.destroy();
});

function makeQueue(database: Database = t.database): JobQueue {
  const queue = createJobQueue(database, {
    pollIntervalMs: 20,
    concurrency: 4,
    logger: silent,
    pgBossSchema: bossSchema,
  });
  live.push(queue);
  return queue;
}

/** A second connection to the same database, as another process would have. */
function openAgain(): Database {
  const database = openDatabase({ databaseUrl: t.databaseUrl, databaseSchema: t.schema, dataDir: t.dataDir });
  otherDatabases.push(database);
  return database;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function waitFor(check: () => boolean, ms = 10_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await sleep(10);
  }
}

// The engines keep time in their own columns; these reach into them to stand in for a clock moving on.
async function pg(text: string, values: unknown[] = []) {
  return (await t.database.pgPool!.query(text, values)).rows;
}

/** Seconds until the queue's waiting job is due. */
async function secondsUntilDue(queue: string): Promise<number> {
  if (t.engine === 'sqlite') {
    const row = await t.database.db
      .selectFrom('jobs')
      .select('run_at')
      .where('queue', '=', queue)
      .where('state', '=', 'pending')
      .executeTakeFirstOrThrow();
    return (Date.parse(row.run_at) - Date.now()) / 1000;
  }
  const [row] = await pg(
    `select extract(epoch from start_after - now())::float8 as s from ${bossSchema}.job
     where name = $1 and state in ('created', 'retry')`,
    [queue],
  );
  return Number(row.s);
}

async function makeDue(queue: string) {
  if (t.engine === 'sqlite') {
    await t.database.db
      .updateTable('jobs')
      .set({ run_at: new Date(Date.now() - 1000).toISOString() })
      .where('queue', '=', queue)
      .where('state', '=', 'pending')
      .execute();
  } else {
    await pg(
      `update ${bossSchema}.job set start_after = now() - interval '1 second'
       where name = $1 and state in ('created', 'retry')`,
      [queue],
    );
  }
}

/** What a killed worker leaves behind once enough time has passed: an active job whose lock ran out. */
async function expireLocks(queue: string) {
  if (t.engine === 'sqlite') {
    await t.database.db
      .updateTable('jobs')
      .set({ locked_until: new Date(Date.now() - 1000).toISOString() })
      .where('queue', '=', queue)
      .where('state', '=', 'active')
      .execute();
  } else {
    await pg(
      `update ${bossSchema}.job set started_on = now() - interval '1 day' where name = $1 and state = 'active'`,
      [queue],
    );
  }
}

async function statsOf(queue: JobQueue, name: string): Promise<Partial<Record<JobStat['state'], number>>> {
  const stats = await queue.stats();
  return Object.fromEntries(stats.filter((s) => s.queue === name).map((s) => [s.state, s.count]));
}

describe(`job queue (${process.env.TEST_ENGINE ?? 'sqlite'})`, () => {
  it('reports its engine', () => {
    expect(makeQueue().engine).toBe(t.engine);
  });

  it('stores a job only if the enqueuing transaction commits, and runs it once with its payload', async () => {
    const q = makeQueue();
    const seen: unknown[] = [];
    q.register<{ complaintId: number; office: string }>('test.tx', async (payload, job) => {
      seen.push({ payload, attempt: job.attempt, queue: job.queue });
    });

    await expect(
      t.database.db.transaction().execute(async (trx) => {
        await q.enqueue(trx, 'test.tx', { complaintId: 1, office: 'rolled back' });
        throw new Error('complaint not saved');
      }),
    ).rejects.toThrow('complaint not saved');
    expect(await q.drain()).toBe(0);
    expect(await statsOf(q, 'test.tx')).toEqual({});

    await t.database.db.transaction().execute(async (trx) => {
      await q.enqueue(trx, 'test.tx', { complaintId: 2, office: 'Peshawar WSSP' });
    });
    expect(await q.drain()).toBe(1);
    expect(await q.drain()).toBe(0);
    expect(seen).toEqual([
      { payload: { complaintId: 2, office: 'Peshawar WSSP' }, attempt: 1, queue: 'test.tx' },
    ]);
    expect(await statsOf(q, 'test.tx')).toEqual({ completed: 1 });
  });

  it('retries a failing job with doubling backoff, then dead-letters it with its last error', async () => {
    const q = makeQueue();
    const attempts: number[] = [];
    q.register<{ complaintId: number }>('test.fail', async (_payload, job) => {
      attempts.push(job.attempt);
      throw new Error(`gateway down (try ${job.attempt})`);
    });
    await q.enqueue(t.database.db, 'test.fail', { complaintId: 7 }, { maxAttempts: 3, backoffSeconds: 2 });

    expect(await q.drain()).toBe(1);
    // 2 s, doubling; PostgreSQL adds up to as much again of jitter.
    const first = await secondsUntilDue('test.fail');
    expect(first).toBeGreaterThan(1);
    expect(first).toBeLessThan(4.5);
    expect(await q.drain()).toBe(0);
    expect(await statsOf(q, 'test.fail')).toEqual({ retry: 1 });

    await makeDue('test.fail');
    expect(await q.drain()).toBe(1);
    const second = await secondsUntilDue('test.fail');
    expect(second).toBeGreaterThan(3);
    expect(second).toBeLessThan(8.5);

    await makeDue('test.fail');
    expect(await q.drain()).toBe(1);
    expect(await q.drain()).toBe(0);
    expect(attempts).toEqual([1, 2, 3]);

    const dead = (await q.deadJobs()).filter((d) => d.queue === 'test.fail');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ queue: 'test.fail', attempts: 3, payload: { complaintId: 7 } });
    expect(dead[0]!.lastError).toContain('gateway down (try 3)');
    expect(typeof dead[0]!.id).toBe('string');
    expect(Number.isNaN(Date.parse(dead[0]!.createdAt))).toBe(false);
    expect(await statsOf(q, 'test.fail')).toEqual({ dead: 1 });
  });

  it('retries at once when backoffSeconds is 0, and a single try dead-letters on its first failure', async () => {
    const q = makeQueue();
    let tries = 0;
    q.register('test.quick', async () => {
      tries++;
      throw new Error('no');
    });
    await q.enqueue(t.database.db, 'test.quick', { n: 1 }, { maxAttempts: 2, backoffSeconds: 0 });
    await q.enqueue(t.database.db, 'test.quick', { n: 2 }, { maxAttempts: 1 });
    expect(await q.drain()).toBe(3);
    expect(tries).toBe(3);
    expect(await statsOf(q, 'test.quick')).toEqual({ dead: 2 });
  });

  it('does not run a delayed job before its time', async () => {
    const q = makeQueue();
    const ran: string[] = [];
    q.register<{ n: string }>('test.delay', async (payload) => {
      ran.push(payload.n);
    });
    await q.enqueue(t.database.db, 'test.delay', { n: 'later' }, { delaySeconds: 60 });
    await q.enqueue(t.database.db, 'test.delay', { n: 'now' });
    expect(await q.drain()).toBe(1);
    expect(ran).toEqual(['now']);
    const wait = await secondsUntilDue('test.delay');
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);

    await makeDue('test.delay');
    expect(await q.drain()).toBe(1);
    expect(ran).toEqual(['now', 'later']);
  });

  it('keeps at most one pending or active job per singleton key', async () => {
    const q = makeQueue();
    const ran: number[] = [];
    q.register<{ n: number }>('test.single', async (payload) => {
      ran.push(payload.n);
      // While this job runs its key is taken, so this enqueue does nothing.
      if (payload.n === 1) await q.enqueue(t.database.db, 'test.single', { n: 99 }, { singletonKey: 'c-7' });
    });
    await q.enqueue(t.database.db, 'test.single', { n: 1 }, { singletonKey: 'c-7' });
    await q.enqueue(t.database.db, 'test.single', { n: 2 }, { singletonKey: 'c-7' });
    await q.enqueue(t.database.db, 'test.single', { n: 3 }, { singletonKey: 'c-8' });
    await q.enqueue(t.database.db, 'test.single', { n: 4 });
    await q.enqueue(t.database.db, 'test.single', { n: 5 });
    // Racing transactions: only the first to commit keeps its job.
    await Promise.all(
      [11, 12, 13, 14, 15].map((n) =>
        t.database.db.transaction().execute(async (trx) => {
          await q.enqueue(trx, 'test.single', { n }, { singletonKey: 'c-9' });
          await sleep(5);
        }),
      ),
    );

    expect(await q.drain()).toBe(5);
    expect(ran.filter((n) => n < 10).sort()).toEqual([1, 3, 4, 5]);
    expect(ran.filter((n) => n > 10)).toHaveLength(1);
    expect(ran).not.toContain(99);

    // Once the job is done the key is free again.
    await q.enqueue(t.database.db, 'test.single', { n: 6 }, { singletonKey: 'c-7' });
    expect(await q.drain()).toBe(1);
    expect(ran.at(-1)).toBe(6);
  });

  it('lets two workers on two connections share 50 jobs, each run exactly once', async () => {
    const a = makeQueue();
    const b = makeQueue(openAgain());
    const runs = new Map<number, string[]>();
    for (const [name, q] of [
      ['a', a],
      ['b', b],
    ] as const) {
      q.register<{ n: number }>(
        'test.many',
        async (payload) => {
          runs.set(payload.n, [...(runs.get(payload.n) ?? []), name]);
          await sleep(2);
        },
        { concurrency: 3 },
      );
    }
    await t.database.db.transaction().execute(async (trx) => {
      for (let n = 0; n < 50; n++) await a.enqueue(trx, 'test.many', { n });
    });
    await Promise.all([a.start(), b.start()]);
    await waitFor(() => runs.size === 50);
    await Promise.all([a.stop(), b.stop()]);

    expect([...runs.keys()].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    for (const workers of runs.values()) expect(workers).toHaveLength(1);
    expect(await statsOf(a, 'test.many')).toEqual({ completed: 50 });
  });

  it('runs a job again when its worker died mid-run, and ignores the dead worker if it wakes', async () => {
    const crashed = makeQueue();
    const survivor = makeQueue(openAgain());
    const started = deferred();
    const frozen = deferred();
    const runs: string[] = [];
    crashed.register('test.crash', async (_payload, job) => {
      runs.push(`crashed:${job.attempt}`);
      started.resolve();
      await frozen.promise;
    });
    survivor.register('test.crash', async (_payload, job) => {
      runs.push(`survivor:${job.attempt}`);
    });
    await crashed.enqueue(t.database.db, 'test.crash', { smsId: 5 }, { backoffSeconds: 0 });

    const stuck = crashed.drain();
    await started.promise;
    expect(await survivor.drain()).toBe(0);
    expect(await statsOf(survivor, 'test.crash')).toEqual({ active: 1 });

    await expireLocks('test.crash');
    expect(await survivor.drain()).toBe(1);
    expect(runs).toEqual(['crashed:1', 'survivor:2']);

    // The first worker finishing late must not overwrite the outcome of the run that replaced it.
    frozen.resolve();
    expect(await stuck).toBe(1);
    expect(await statsOf(survivor, 'test.crash')).toEqual({ completed: 1 });
  });

  it('dead-letters a job whose worker died on its last try', async () => {
    const crashed = makeQueue();
    const survivor = makeQueue(openAgain());
    const started = deferred();
    const frozen = deferred();
    crashed.register('test.lasttry', async () => {
      started.resolve();
      await frozen.promise;
    });
    let survivorRan = false;
    survivor.register('test.lasttry', async () => {
      survivorRan = true;
    });
    await crashed.enqueue(t.database.db, 'test.lasttry', { n: 1 }, { maxAttempts: 1 });
    const stuck = crashed.drain();
    await started.promise;
    await expireLocks('test.lasttry');
    expect(await survivor.drain()).toBe(0);
    expect(survivorRan).toBe(false);
    expect(await statsOf(survivor, 'test.lasttry')).toEqual({ dead: 1 });
    const [dead] = (await survivor.deadJobs()).filter((d) => d.queue === 'test.lasttry');
    expect(dead?.lastError).toMatch(/timeout|LockExpired/);
    frozen.resolve();
    await stuck;
  });

  it('stop() waits for the running handler and then takes no more jobs', async () => {
    const q = makeQueue();
    const started = deferred();
    const release = deferred();
    const done: number[] = [];
    q.register<{ n: number }>('test.stop', async (payload) => {
      started.resolve();
      await release.promise;
      done.push(payload.n);
    });
    await q.start();
    await q.enqueue(t.database.db, 'test.stop', { n: 1 });
    await started.promise;

    let stopped = false;
    const stopping = q.stop().then(() => {
      stopped = true;
    });
    await sleep(50);
    expect(stopped).toBe(false);
    release.resolve();
    await stopping;
    expect(done).toEqual([1]);
    expect(await statsOf(q, 'test.stop')).toEqual({ completed: 1 });

    await q.enqueue(t.database.db, 'test.stop', { n: 2 });
    await sleep(100);
    expect(done).toEqual([1]);
    expect(await statsOf(q, 'test.stop')).toEqual({ completed: 1, pending: 1 });
  });

  it('works jobs as they arrive once started, with a wake-up on enqueue', async () => {
    const q = createJobQueue(t.database, {
      pollIntervalMs: 60_000,
      concurrency: 2,
      logger: silent,
      pgBossSchema: bossSchema,
    });
    live.push(q);
    const done: number[] = [];
    q.register<{ n: number }>('test.wake', async (payload) => {
      done.push(payload.n);
    });
    await q.start();
    await sleep(50);
    await q.enqueue(t.database.db, 'test.wake', { n: 1 });
    await waitFor(() => done.length === 1, 3000);
    await t.database.db.transaction().execute(async (trx) => {
      await q.enqueue(trx, 'test.wake', { n: 2 });
    });
    await waitFor(() => done.length === 2, 3000);
    expect(done).toEqual([1, 2]);
  });

  it('rejects bad input before storing anything', async () => {
    const q = makeQueue();
    q.register('test.bad', async () => {});
    await expect(q.enqueue(t.database.db, 'test.bad', [1, 2])).rejects.toThrow(/plain object/);
    await expect(q.enqueue(t.database.db, 'test.bad', {}, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    await expect(q.enqueue(t.database.db, 'test.bad', {}, { backoffSeconds: -1 })).rejects.toThrow(/backoff/);
    await expect(q.enqueue(t.database.db, 'test.bad', {}, { delaySeconds: Number.NaN })).rejects.toThrow(
      /delaySeconds/,
    );
    await expect(q.enqueue(t.database.db, 'bad queue!', {})).rejects.toThrow(/queue name/);
    await expect(q.enqueue(t.database.db, 'test.bad__dead', {})).rejects.toThrow(/queue name/);
    expect(() => q.register('test.bad', async () => {})).toThrow(/already registered/);
    await expect(q.drain(['test.unknown'])).rejects.toThrow(/no handler/);
    expect(await q.drain()).toBe(0);
  });
});
