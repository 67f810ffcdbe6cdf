import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { ComplaintEventDelivery } from '../inbox/service.js';
import type { AppliedEvent, EventSubscriber } from './lifecycle.js';
import { supporterIds } from './repo.js';

export interface MessageBoxPort {
  deliverComplaintEvent(trx: Transaction<DB>, e: ComplaintEventDelivery): Promise<number[]>;
}

export interface AuditPort {
  append(
    trx: Transaction<DB>,
    entry: {
      actor: { type: AppliedEvent['event']['actor_type']; id: number | null };
      action: string;
      entity: { type: string; id: number };
      before?: unknown;
      after?: unknown;
    },
  ): Promise<unknown>;
}

/**
 * Public events reach the complainant's Message Box, except what the complainant just did themselves
 * (their own answer, their own feedback) — the filing itself is confirmed with its tracking number. When a
 * complaint is resolved or closed, its supporters are told too.
 */
export function messageBoxSubscriber(inbox: MessageBoxPort): EventSubscriber {
  return async (trx, { event, after }) => {
    if (event.visibility !== 'public' || after.citizen_id === null) return;
    const byComplainant = event.actor_type === 'citizen' && event.actor_id === after.citizen_id;
    const base = {
      eventId: event.id,
      complaintId: after.id,
      trackingNumber: after.tracking_number,
      toStatus: event.to_status,
      message: event.message,
    };
    if (!byComplainant || event.type === 'submitted') {
      await inbox.deliverComplaintEvent(trx, { ...base, type: event.type, recipients: [after.citizen_id] });
    }
    if ((event.type === 'resolved' || event.type === 'closed') && after.support_count > 0) {
      const supporters = await supporterIds(trx, after.id);
      if (supporters.length > 0) {
        await inbox.deliverComplaintEvent(trx, {
          ...base,
          type: 'supported_resolved',
          recipients: supporters,
        });
      }
    }
  };
}

/** Every event, public or internal, goes into the hash-chained audit log with the state before and after. */
export function auditSubscriber(audit: AuditPort): EventSubscriber {
  const state = (c: AppliedEvent['after'] | null) =>
    c && {
      status: c.status,
      officeId: c.office_id,
      departmentId: c.department_id,
      escalationLevel: c.escalation_level,
      dueAt: c.due_at,
    };
  return async (trx, { event, before, after }) => {
    await audit.append(trx, {
      actor: { type: event.actor_type, id: event.actor_id },
      action: `complaint.${event.type}`,
      entity: { type: 'complaint', id: after.id },
      before: state(before),
      after: { ...state(after), eventId: event.id, message: event.message },
    });
  };
}
