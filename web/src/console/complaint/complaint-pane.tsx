import { api, type Complaint, type Status } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useLoad } from '../hooks.js';
import { complaintPath } from '../router.js';
import { en, formatDate, formatDateTime, type MessageKey, t } from '../strings.js';
import { ErrorRegion, Loading, StatusBadge } from '../widgets.js';
import { ActionsPanel } from './actions.js';
import { MapView } from './map-view.js';
import { MediaGallery } from './media-gallery.js';
import { Timeline } from './timeline.js';

/** One complaint's file: what was reported, where, by whom, what happened since, and what to do next. */
export function ComplaintPane({
  id,
  onStatusChanged,
}: {
  id: number;
  onStatusChanged: (id: number, status: Status) => void;
}) {
  const complaint = useLoad(() => api.complaint(id), [id]);
  if (complaint.loading && !complaint.data) return <Loading />;
  // Out of scope answers 404, also right after a forward or merge took the complaint to another office.
  if (!complaint.data || complaint.error?.status === 404) {
    return (
      <div class="complaint">
        <ErrorRegion error={complaint.error} />
        {complaint.data && <p>It is no longer in your queue: it was forwarded or merged elsewhere.</p>}
        <a href="#/">{t('complaint.back')}</a>
      </div>
    );
  }
  const c = complaint.data;
  return (
    <article class="complaint" aria-labelledby="complaint-title">
      <ErrorRegion error={complaint.error} />
      <ComplaintHeader c={c} />
      <div class="complaint-grid">
        <div class="complaint-main">
          <section class="card">
            <h3>Description</h3>
            <p class="description" dir="auto">
              {c.description}
            </p>
            {c.address && (
              <p>
                <strong>Address:</strong> <span dir="auto">{c.address}</span>
              </p>
            )}
          </section>
          <section class="card" aria-labelledby="media-heading">
            <h3 id="media-heading">{t('complaint.media')}</h3>
            <MediaGallery
              label="Attachment"
              media={c.media.filter((m) => !isEvidence(c, m.eventId))}
              onChanged={complaint.reload}
            />
          </section>
          <ActionsPanel
            complaint={c}
            onDone={(status) => {
              onStatusChanged(c.id, status);
              complaint.reload();
            }}
          />
          <Timeline complaint={c} />
        </div>
        <aside class="complaint-side">
          <section class="card" aria-labelledby="map-heading">
            <h3 id="map-heading">{t('complaint.map')}</h3>
            <MapView location={c.location} />
          </section>
          <ComplainantCard c={c} />
          <ReporterCard c={c} />
          <section class="card" aria-labelledby="supporters-heading">
            <h3 id="supporters-heading">{t('complaint.supporters')}</h3>
            <p>
              {c.supportCount === 0
                ? 'No other citizen has supported this complaint.'
                : `${c.supportCount} citizen${c.supportCount === 1 ? '' : 's'} support this complaint.`}
            </p>
          </section>
          <DuplicatesCard c={c} />
          <ForwardingCard c={c} />
        </aside>
      </div>
    </article>
  );
}

/** Evidence and answers are shown at their timeline entry; the gallery keeps what the citizen filed. */
function isEvidence(c: Complaint, eventId: number | null | undefined): boolean {
  if (eventId === null || eventId === undefined) return false;
  return c.timeline.some((e) => e.id === eventId && e.type !== 'submitted');
}

function ComplaintHeader({ c }: { c: Complaint }) {
  return (
    <header class="complaint-header">
      <a class="back" href="#/">
        ← {t('complaint.back')}
      </a>
      <h2 id="complaint-title">
        {c.trackingNumber} <StatusBadge status={c.status} />
        {c.overdue && <span class="badge overdue-badge">{t('queue.overdueBadge')}</span>}
        {c.escalationLevel > 0 && <span class="badge escalated">Escalated ×{c.escalationLevel}</span>}
      </h2>
      <FiledThrough c={c} />
      <dl class="facts">
        <div>
          <dt>Category</dt>
          <dd>
            {c.category.name} (SLA {c.category.slaDays} days)
          </dd>
        </div>
        <div>
          <dt>District</dt>
          <dd>{c.district.name}</dd>
        </div>
        <div>
          <dt>Department</dt>
          <dd>{c.department.name}</dd>
        </div>
        <div>
          <dt>Office</dt>
          <dd>{c.office?.name ?? 'Provincial triage (no office)'}</dd>
        </div>
        <div>
          <dt>{t('complaint.filed')}</dt>
          <dd>{formatDateTime(c.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('complaint.due')}</dt>
          <dd class={c.overdue ? 'overdue-text' : undefined}>{formatDate(c.dueAt)}</dd>
        </div>
        {c.rejectionReason && (
          <div>
            <dt>Rejected as</dt>
            <dd>{c.rejectionReason.replace(/_/g, ' ')}</dd>
          </div>
        )}
        {c.mergedIntoId && (
          <div>
            <dt>Merged into</dt>
            <dd>
              <a href={complaintPath(c.mergedIntoId)}>complaint #{c.mergedIntoId}</a>
            </dd>
          </div>
        )}
        {c.feedback && (
          <div>
            <dt>Citizen’s feedback</dt>
            <dd>
              {c.feedback.satisfied ? 'Satisfied' : 'Not satisfied'}
              {c.feedback.rating ? ` · ${c.feedback.rating}/5` : ''}
              {c.feedback.comment ? ` · “${c.feedback.comment}”` : ''}
            </dd>
          </div>
        )}
      </dl>
    </header>
  );
}

/** Shown only when the API gives it: the complainant's identity is for staff in scope. */
function ComplainantCard({ c }: { c: Complaint }) {
  if (!c.complainant) return null;
  return (
    <section class="card" aria-labelledby="complainant-heading">
      <h3 id="complainant-heading">{t('complaint.complainant')}</h3>
      <p>
        <span dir="auto">{c.complainant.name}</span> <span class="muted">(citizen #{c.complainant.id})</span>
      </p>
      <p>
        <a href={`tel:${c.complainant.mobile}`}>{c.complainant.mobile}</a>
      </p>
    </section>
  );
}

/** Where a complaint came from when not from the citizens' own app or site (an Open311 client, SMS, an office). */
function FiledThrough({ c }: { c: Complaint }) {
  if (c.source === 'app' || c.source === 'web') return null;
  const key = `source.${c.source}` as MessageKey;
  const source = key in en ? t(key) : c.source;
  return (
    <p class="filed-through">
      {c.sourceName
        ? t('complaint.filedThrough', { source, client: c.sourceName })
        : t('complaint.filedThroughUnnamed', { source })}
    </p>
  );
}

/** The contact an Open311 client gave for a reporter without an account: staff in scope only, as the API gives it. */
function ReporterCard({ c }: { c: Complaint }) {
  if (!c.reporter) return null;
  const { name, email, phone } = c.reporter;
  return (
    <section class="card" aria-labelledby="reporter-heading">
      <h3 id="reporter-heading">{t('complaint.reporter')}</h3>
      <dl class="facts">
        {name && (
          <div>
            <dt>{t('complaint.reporterName')}</dt>
            <dd dir="auto">{name}</dd>
          </div>
        )}
        {email && (
          <div>
            <dt>{t('complaint.reporterEmail')}</dt>
            <dd>
              <a href={`mailto:${email}`}>{email}</a>
            </dd>
          </div>
        )}
        {phone && (
          <div>
            <dt>{t('complaint.reporterPhone')}</dt>
            <dd>
              <a href={`tel:${phone}`}>{phone}</a>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function DuplicatesCard({ c }: { c: Complaint }) {
  return (
    <section class="card" aria-labelledby="duplicates-heading">
      <h3 id="duplicates-heading">{t('complaint.duplicates')}</h3>
      {c.duplicates.length === 0 ? (
        <p class="muted">{t('complaint.noDuplicates')}</p>
      ) : (
        <ul class="plain">
          {c.duplicates.map((d) => (
            <li key={d.id}>
              <a href={complaintPath(d.id)}>{d.trackingNumber}</a> <StatusBadge status={d.status} />{' '}
              {d.distanceM} m away
              {d.supportCount > 0 ? `, ${d.supportCount} supporters` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ForwardingCard({ c }: { c: Complaint }) {
  const { departments } = useConsole();
  if (c.forwarding.length === 0) return null;
  return (
    <section class="card" aria-labelledby="forwarding-heading">
      <h3 id="forwarding-heading">{t('complaint.forwarding')}</h3>
      <ol class="plain">
        {c.forwarding.map((hop) => (
          <li key={hop.eventId}>
            {formatDate(hop.at)}: {hop.from ? `${hop.from.name} → ` : ''}
            {hop.to?.name ?? nameOf(departments, null)}
            {hop.reason ? ` (“${hop.reason}”)` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
