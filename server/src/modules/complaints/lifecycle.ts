import type { Transaction, Updateable } from 'kysely';
import { assertInTransaction, nowIso } from '../../db/database.js';
import type { ActorType, ComplaintStatus, ComplaintsTable, DB, EventVisibility } from '../../db/schema.js';
import { conflict, notFound } from '../../errors.js';
import {
  adjustCount,
  type ComplaintRow,
  type EventRow,
  insertComplaint,
  insertEvent,
  lockComplaint,
  updateComplaint,
} from './repo.js';

/**
 * The state machine. `assigned -> assigned` is a forward to another office; `resolved -> reopened` is the
 * citizen's dissatisfaction; closed and rejected are final.
 */
export const TRANSITIONS: Readonly<Record<ComplaintStatus, readonly ComplaintStatus[]>> = {
  submitted: ['assigned', 'rejected', 'closed'],
  assigned: ['assigned', 'in_progress', 'resolved', 'rejected', 'closed'],
  in_progress: ['assigned', 'resolved', 'rejected', 'closed'],
  resolved: ['closed', 'reopened'],
  reopened: ['assigned', 'in_progress', 'resolved', 'rejected', 'closed'],
  closed: [],
  rejected: [],
};

/** Every status, in the order of a complaint's life (the queue's counts, the heat map's columns). */
export const STATUSES: readonly ComplaintStatus[] = [
  'submitted',
  'assigned',
  'in_progress',
  'resolved',
  'closed',
  'reopened',
  'rejected',
];

export const OPEN_STATUSES: readonly ComplaintStatus[] = ['submitted', 'assigned', 'in_progress', 'reopened'];

export function canTransition(from: ComplaintStatus, to: ComplaintStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Columns a complaint only gets later in its life: null when it is filed. */
const NOT_YET = {
  reminded_at: null,
  escalated_at: null,
  resolved_at: null,
  closed_at: null,
  close_reason: null,
  rejection_reason: null,
  merged_into_id: null,
  satisfied: null,
  rating: null,
  feedback_comment: null,
  feedback_at: null,
} as const;

export type NewComplaintRow = Omit<
  ComplaintsTable,
  | 'status'
  | 'escalation_level'
  | 'reopen_count'
  | 'support_count'
  | 'media_count'
  | keyof typeof NOT_YET
  | 'source_name'
  | 'reporter'
  | 'attributes'
> &
  // Only complaints from Open311 clients carry these.
  Partial<Record<'source_name' | 'reporter' | 'attributes', string | null>>;

export type EventType =
  | 'submitted'
  | 'assigned'
  | 'forwarded'
  | 'in_progress'
  | 'resolved'
  | 'rejected'
  | 'reopened'
  | 'closed'
  | 'note'
  | 'reply'
  | 'citizen_reply'
  | 'merged'
  | 'escalated'
  | 'reminder'
  | 'supported'
  | 'feedback'
  | 'media_moderated';

export interface Actor {
  type: ActorType;
  id: number | null;
}

export interface EventInput {
  type: EventType;
  visibility: EventVisibility;
  actor: Actor;
  /** The new status, checked against the state machine. */
  toStatus?: ComplaintStatus;
  message?: string | null;
  data?: Record<string, unknown> | null;
  /** Other columns that change with the event (office, due date, feedback, ...). */
  patch?: Omit<Updateable<ComplaintsTable>, 'id' | 'status' | 'updated_at'>;
  /** Refuse unless the complaint is in one of these statuses (a stale screen acting twice). */
  expectStatus?: readonly ComplaintStatus[];
}

export interface AppliedEvent {
  event: EventRow;
  before: ComplaintRow | null;
  after: ComplaintRow;
}

/** Told of every event inside its transaction: the Message Box, the audit chain, notifications. */
export type EventSubscriber = (trx: Transaction<DB>, applied: AppliedEvent) => Promise<void>;

/**
 * The only way a complaint changes: each change appends an event and updates the derived columns and the
 * per-office counts in the caller's transaction, then tells the subscribers in that same transaction.
 */
export class ComplaintLifecycle {
  private readonly subscribers: EventSubscriber[] = [];

  subscribe(subscriber: EventSubscriber) {
    this.subscribers.push(subscriber);
  }

  /**
   * Files a complaint: inserts it with its 'submitted' event and, when `then` is given (routing assigned
   * it at once), that event too, in the caller's transaction: the row is written once, in its final status.
   */
  async create(
    trx: Transaction<DB>,
    row: NewComplaintRow,
    event: Omit<EventInput, 'type' | 'toStatus' | 'patch' | 'expectStatus'>,
    then?: Omit<EventInput, 'patch' | 'expectStatus'> & { toStatus: ComplaintStatus },
  ): Promise<AppliedEvent> {
    assertInTransaction(trx);
    if (then && !canTransition('submitted', then.toStatus)) {
      throw conflict('invalid_transition', `A new complaint cannot become ${then.toStatus}.`);
    }
    const complaint = await insertComplaint(trx, {
      ...NOT_YET,
      ...row,
      status: then?.toStatus ?? 'submitted',
    });
    await adjustCount(
      trx,
      { officeId: complaint.office_id, departmentId: complaint.department_id, status: complaint.status },
      1,
    );
    const steps = [
      { ...event, type: 'submitted' as EventType, from: null, to: 'submitted' as ComplaintStatus },
      ...(then ? [{ ...then, from: 'submitted' as ComplaintStatus, to: then.toStatus }] : []),
    ];
    let first: AppliedEvent | null = null;
    for (const step of steps) {
      const saved = await insertEvent(trx, {
        complaint_id: complaint.id,
        type: step.type,
        visibility: step.visibility,
        actor_type: step.actor.type,
        actor_id: step.actor.id,
        from_status: step.from,
        to_status: step.to,
        office_id: complaint.office_id,
        message: step.message ?? null,
        data: step.data ? JSON.stringify(step.data) : null,
        created_at: complaint.created_at,
      });
      // Subscribers see the complaint as each event left it.
      const applied = {
        event: saved,
        before: step.from === null ? null : { ...complaint, status: step.from },
        after: { ...complaint, status: step.to },
      };
      for (const s of this.subscribers) await s(trx, applied);
      first ??= applied;
    }
    return first!;
  }

  async apply(trx: Transaction<DB>, complaintId: number, input: EventInput): Promise<AppliedEvent> {
    assertInTransaction(trx);
    const before = await lockComplaint(trx, complaintId);
    if (!before) throw notFound('The complaint');
    if (input.expectStatus && !input.expectStatus.includes(before.status)) {
      throw conflict(
        'invalid_transition',
        `This complaint is ${before.status.replace('_', ' ')}; the action no longer applies.`,
      );
    }
    const to = input.toStatus ?? before.status;
    if (input.toStatus && !canTransition(before.status, input.toStatus)) {
      throw conflict(
        'invalid_transition',
        `A complaint that is ${before.status.replace('_', ' ')} cannot become ${to.replace('_', ' ')}.`,
      );
    }
    const now = nowIso();
    const patch = { ...input.patch, status: to, updated_at: now };
    await updateComplaint(trx, complaintId, patch);
    const after = { ...before, ...patch } as ComplaintRow;
    if (
      before.status !== after.status ||
      before.office_id !== after.office_id ||
      before.department_id !== after.department_id
    ) {
      await adjustCount(
        trx,
        { officeId: before.office_id, departmentId: before.department_id, status: before.status },
        -1,
      );
      await adjustCount(
        trx,
        { officeId: after.office_id, departmentId: after.department_id, status: after.status },
        1,
      );
    }
    const event = await insertEvent(trx, {
      complaint_id: complaintId,
      type: input.type,
      visibility: input.visibility,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      from_status: before.status,
      to_status: input.toStatus ? to : null,
      office_id: after.office_id,
      message: input.message ?? null,
      data: input.data ? JSON.stringify(input.data) : null,
      created_at: now,
    });
    const applied = { event, before, after };
    for (const s of this.subscribers) await s(trx, applied);
    return applied;
  }
}
