import type { Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { ComplaintLifecycle, EventInput } from '../complaints/lifecycle.js';
import { type ComplaintRow, lockComplaint } from '../complaints/repo.js';
import { dueForEscalation, dueForReminder, OPEN, resolvedWithoutFeedback } from './repo.js';

export const SLA_QUEUE = 'complaints.sla-sweep';

const BATCH = 200;
/** Rounds per rule per sweep: a backlog larger than this waits for the next sweep instead of one long run. */
const MAX_ROUNDS = 50;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SweepResult {
  reminded: number;
  escalatedToSupervisor: number;
  escalatedToAdmins: number;
  closedWithoutFeedback: number;
  failed: number;
}

export interface SlaDeps {
  db: Db;
  config: Readonly<Config>;
  jobs: JobQueue;
  lifecycle: ComplaintLifecycle;
  logger: Logger;
}

/** The change a due complaint needs at `now`, decided again on the locked row; null when none is due any more. */
type Step = (row: ComplaintRow, now: Date) => (EventInput & { counter: keyof SweepResult }) | null;

const system = { type: 'system' as const, id: null };
const isOpen = (row: ComplaintRow) => OPEN.includes(row.status);

/**
 * Deadlines: reminds the office before a complaint falls due, escalates it to the department's supervisor
 * when it is overdue and to the Performance Management Cell when it stays overdue, and closes a resolution
 * the citizen never answered. Each complaint changes in its own transaction after its row is locked and its
 * state checked again, so the sweep can run twice, or on several workers at once, without doing anything
 * twice.
 */
export async function runSlaSweep(deps: SlaDeps, now: Date): Promise<SweepResult> {
  const { db, config } = deps;
  const c = config.complaints;
  const at = now.toISOString();
  const horizon = new Date(now.getTime() + c.reminderHours * HOUR_MS).toISOString();
  const secondBefore = new Date(now.getTime() - c.secondEscalationDays * DAY_MS).toISOString();
  const feedbackBefore = new Date(now.getTime() - c.feedbackDays * DAY_MS).toISOString();
  const result: SweepResult = {
    reminded: 0,
    escalatedToSupervisor: 0,
    escalatedToAdmins: 0,
    closedWithoutFeedback: 0,
    failed: 0,
  };

  const remind: Step = (row) =>
    isOpen(row) && row.reminded_at === null && row.due_at > at && row.due_at <= horizon
      ? {
          counter: 'reminded',
          type: 'reminder',
          visibility: 'internal',
          actor: system,
          message: `Due within ${c.reminderHours} hours.`,
          data: { dueAt: row.due_at },
          patch: { reminded_at: at },
        }
      : null;

  const escalate: Step = (row) => {
    if (!isOpen(row) || row.due_at >= at) return null;
    if (row.escalation_level === 0) {
      return {
        counter: 'escalatedToSupervisor',
        type: 'escalated',
        visibility: 'public',
        actor: system,
        message: 'Overdue: escalated to the department\u2019s supervisor.',
        data: { level: 1 },
        patch: { escalation_level: 1, escalated_at: at },
      };
    }
    if (row.escalation_level === 1 && row.escalated_at !== null && row.escalated_at <= secondBefore) {
      return {
        counter: 'escalatedToAdmins',
        type: 'escalated',
        visibility: 'public',
        actor: system,
        message: 'Still overdue: escalated to the Performance Management Cell.',
        data: { level: 2 },
        patch: { escalation_level: 2, escalated_at: at },
      };
    }
    return null;
  };

  const closeUnanswered: Step = (row) =>
    row.status === 'resolved' && row.resolved_at !== null && row.resolved_at <= feedbackBefore
      ? {
          counter: 'closedWithoutFeedback',
          type: 'closed',
          visibility: 'public',
          actor: system,
          toStatus: 'closed',
          expectStatus: ['resolved'],
          message: `Closed: no feedback within ${c.feedbackDays} days of the resolution.`,
          data: { reason: 'no_feedback' },
          patch: { closed_at: at, close_reason: 'no_feedback' },
        }
      : null;

  const sweep = async (select: (exclude: number[]) => Promise<number[]>, step: Step) => {
    const failed: number[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const ids = await select(failed);
      for (const id of ids) {
        try {
          const counter = await db.transaction().execute((trx) => applyStep(deps, trx, id, step, now));
          if (counter) result[counter]++;
        } catch (err) {
          // One broken complaint must not stop the others; it is tried again by the next sweep.
          failed.push(id);
          result.failed++;
          deps.logger.error({ err, complaintId: id }, 'sla sweep: complaint failed');
        }
      }
      if (ids.length < BATCH || failed.length > BATCH) break;
    }
  };

  await sweep((ex) => dueForReminder(db, at, horizon, ex, BATCH), remind);
  await sweep((ex) => dueForEscalation(db, at, secondBefore, ex, BATCH), escalate);
  await sweep((ex) => resolvedWithoutFeedback(db, feedbackBefore, ex, BATCH), closeUnanswered);
  return result;
}

async function applyStep(
  deps: SlaDeps,
  trx: Transaction<DB>,
  id: number,
  step: Step,
  now: Date,
): Promise<keyof SweepResult | null> {
  const row = await lockComplaint(trx, id);
  const change = row ? step(row, now) : null;
  if (!change) return null;
  const { counter, ...input } = change;
  await deps.lifecycle.apply(trx, id, input);
  return counter;
}

/**
 * Runs the sweep through the job queue. Each run schedules the next one first, keyed by its time slot: a
 * job's own key is taken while it runs, and slot keys make the chains that several starting nodes begin
 * fall together into one.
 */
export class SlaService {
  constructor(private readonly deps: SlaDeps) {}

  registerWorkers() {
    this.deps.jobs.register(SLA_QUEUE, async () => {
      await this.schedule();
      const result = await this.runSlaSweep(new Date());
      this.deps.logger.info({ ...result }, 'sla sweep');
    });
  }

  async schedule(now = new Date()) {
    const periodMs = this.deps.config.complaints.sweepSeconds * 1000;
    const slot = Math.floor(now.getTime() / periodMs) + 1;
    await this.deps.jobs.enqueue(
      this.deps.db,
      SLA_QUEUE,
      { slot },
      {
        singletonKey: `slot-${slot}`,
        delaySeconds: Math.ceil((slot * periodMs - now.getTime()) / 1000),
        // A failed sweep is not retried: the next slot's sweep does the same work.
        maxAttempts: 1,
      },
    );
  }

  runSlaSweep(now: Date): Promise<SweepResult> {
    return runSlaSweep(this.deps, now);
  }
}
