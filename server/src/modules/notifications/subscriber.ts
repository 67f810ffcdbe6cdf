import type { EventSubscriber } from '../complaints/lifecycle.js';
import { eventTitle } from '../inbox/messages.js';
import type { SmsService } from '../sms/service.js';
import { eventAudience } from './repo.js';
import type { NotificationService } from './service.js';

/** Public steps a citizen's phone hears about; the Message Box has every public step. */
export const PUSHED_EVENTS: ReadonlySet<string> = new Set([
  'assigned',
  'forwarded',
  'in_progress',
  'reply',
  'resolved',
  'rejected',
  'reopened',
  'closed',
  'escalated',
]);
/** Steps also sent by SMS to citizens who asked for SMS. */
export const SMS_EVENTS: ReadonlySet<string> = new Set(['submitted', 'resolved']);

/**
 * Beside the Message Box: a push job per public event on a complaint, and an SMS for its filing and its
 * resolution, queued in the event's own transaction, so a rolled-back change notifies no one. Like the
 * Message Box, a step the complainant took themselves is not announced back to them.
 */
export function pushSubscriber(notifications: NotificationService, sms: SmsService): EventSubscriber {
  return async (trx, { event, after }) => {
    if (event.visibility !== 'public' || after.citizen_id === null) return;
    const pushed = PUSHED_EVENTS.has(event.type);
    const texted = SMS_EVENTS.has(event.type);
    if (!pushed && !texted) return;
    if (event.actor_type === 'citizen' && event.actor_id === after.citizen_id && event.type !== 'submitted') {
      return;
    }
    const audience = await eventAudience(trx, after.citizen_id);
    if (!audience) return;
    if (pushed && (audience.push ?? 1) === 1 && Number(audience.devices) > 0) {
      await notifications.enqueueEvent(trx, {
        eventId: event.id,
        citizenId: after.citizen_id,
        complaintId: after.id,
        trackingNumber: after.tracking_number,
        type: event.type,
        toStatus: event.to_status,
        message: event.message,
      });
    }
    if (texted && audience.sms === 1) {
      await sms.queue(trx, {
        to: audience.mobile,
        text: eventTitle(
          { type: event.type, toStatus: event.to_status },
          audience.language,
          after.tracking_number,
        ),
        purpose: `complaint.${event.type}`,
      });
    }
  };
}
