import type { Complaint, TimelineEntry } from '../api.js';
import { formatDateTime, statusLabel, t } from '../strings.js';
import { MediaGallery } from './media-gallery.js';

const EVENT_LABELS: Record<string, string> = {
  submitted: 'Filed',
  assigned: 'Assigned',
  forwarded: 'Forwarded',
  in_progress: 'Work started',
  resolved: 'Resolved',
  rejected: 'Rejected',
  reopened: 'Reopened by the citizen',
  closed: 'Closed',
  note: 'Internal note',
  reply: 'Reply to the citizen',
  citizen_reply: 'Citizen’s answer',
  merged: 'Merged',
  escalated: 'Escalated',
  reminder: 'Reminder',
  supported: 'Supported',
  feedback: 'Citizen’s feedback',
  media_moderated: 'File moderated',
};

/** Public events (what the citizen also sees) and internal ones side by side, never mixed up. */
export function Timeline({ complaint }: { complaint: Complaint }) {
  const publicEvents = complaint.timeline.filter((e) => !e.internal);
  const internalEvents = complaint.timeline.filter((e) => e.internal);
  return (
    <div class="timelines">
      <section class="card" aria-labelledby="timeline-heading">
        <h3 id="timeline-heading">{t('complaint.timeline')}</h3>
        <Events events={publicEvents} complaint={complaint} />
      </section>
      <section class="card internal" aria-labelledby="internal-heading">
        <h3 id="internal-heading">{t('complaint.internal')}</h3>
        {internalEvents.length === 0 ? (
          <p class="muted">{t('complaint.noInternal')}</p>
        ) : (
          <Events events={internalEvents} complaint={complaint} />
        )}
      </section>
    </div>
  );
}

function Events({ events, complaint }: { events: TimelineEntry[]; complaint: Complaint }) {
  return (
    <ol class="timeline">
      {[...events].reverse().map((e) => {
        const media = complaint.media.filter((m) => m.eventId === e.id && e.type !== 'submitted');
        const label = EVENT_LABELS[e.type] ?? e.type;
        return (
          <li key={e.id} class={`event event-${e.type}`}>
            <p class="event-head">
              <strong>{label}</strong>
              {e.status && e.fromStatus !== e.status && statusLabel(e.status) !== label
                ? ` → ${statusLabel(e.status)}`
                : ''}
              <span class="muted">
                {' '}
                · {formatDateTime(e.createdAt)} · by {e.actor}
                {e.office ? ` · ${e.office.name}` : ''}
              </span>
            </p>
            {e.message && (
              <p class="event-message" dir="auto">
                {e.message}
              </p>
            )}
            <EventData entry={e} />
            {media.length > 0 && <MediaGallery media={media} label="Evidence" />}
          </li>
        );
      })}
    </ol>
  );
}

function EventData({ entry }: { entry: TimelineEntry }) {
  const d = entry.data;
  if (!d) return null;
  const parts: string[] = [];
  if (typeof d.note === 'string') parts.push(`Reason: ${d.note}`);
  if (typeof d.reason === 'string' && entry.type === 'rejected')
    parts.push(`Reason: ${d.reason.replace(/_/g, ' ')}`);
  if (typeof d.intoTrackingNumber === 'string') parts.push(`Into ${d.intoTrackingNumber}`);
  if (typeof d.fromTrackingNumber === 'string') parts.push(`From ${d.fromTrackingNumber}`);
  if (typeof d.level === 'number') parts.push(`Level ${d.level}`);
  if (parts.length === 0) return null;
  return <p class="event-data muted">{parts.join(' · ')}</p>;
}
