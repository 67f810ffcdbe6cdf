import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import {
  type Action,
  type ActionType,
  api,
  type Complaint,
  type Office,
  REJECT_REASONS,
  type Status,
} from '../api.js';
import { isAdmin, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { ErrorRegion, Field, NamedSelect, StatusRegion } from '../widgets.js';

const OPEN: readonly Status[] = ['submitted', 'assigned', 'in_progress', 'reopened'];

/** Which actions the complaint's status allows; the server checks again and answers 409 otherwise. */
function available(status: Status): ActionType[] {
  const actions: ActionType[] = [];
  if (status === 'assigned' || status === 'reopened') actions.push('start');
  if (OPEN.includes(status)) actions.push('forward');
  if (status === 'assigned' || status === 'in_progress' || status === 'reopened') actions.push('resolve');
  if (OPEN.includes(status)) actions.push('reject');
  actions.push('note');
  if (status !== 'closed' && status !== 'rejected') actions.push('reply');
  if (OPEN.includes(status)) actions.push('merge');
  return actions;
}

const LABELS: Record<ActionType, Parameters<typeof t>[0]> = {
  start: 'action.start',
  forward: 'action.forward',
  resolve: 'action.resolve',
  reject: 'action.reject',
  note: 'action.note',
  reply: 'action.reply',
  merge: 'action.merge',
};

export function ActionsPanel({
  complaint,
  onDone,
}: {
  complaint: Complaint;
  onDone: (status: Status) => void;
}) {
  const [open, setOpen] = useState<ActionType | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const submit = useSubmit();
  const actions = available(complaint.status);

  async function act(work: () => Promise<{ status: Status }>, what: string) {
    setSaved(null);
    let status: Status | undefined;
    const ok = await submit.run(async () => {
      status = (await work()).status;
    });
    if (ok && status) {
      setOpen(null);
      setSaved(`${what}.`);
      onDone(status);
    }
  }
  const send = (action: Action, what: string) => act(() => api.act(complaint.id, action), what);
  const forms: Record<Exclude<ActionType, 'start'>, () => JSX.Element> = {
    forward: () => (
      <ForwardForm complaint={complaint} busy={submit.busy} onSend={(a) => send(a, 'Forwarded')} />
    ),
    resolve: () => (
      <ResolveForm
        busy={submit.busy}
        onSend={(message, photos) =>
          act(
            () =>
              photos.length > 0
                ? api.resolveWithEvidence(complaint.id, message, photos)
                : api.act(complaint.id, { type: 'resolve', message }),
            'Resolved',
          )
        }
      />
    ),
    reject: () => <RejectForm busy={submit.busy} onSend={(a) => send(a, 'Rejected')} />,
    note: () => (
      <MessageForm
        label="Internal note (staff only)"
        submitLabel="Save note"
        busy={submit.busy}
        onSend={(message) => send({ type: 'note', message }, 'Note added')}
      />
    ),
    reply: () => (
      <MessageForm
        label="Reply to the citizen (they see it in their Message Box)"
        submitLabel="Send reply"
        busy={submit.busy}
        onSend={(message) => send({ type: 'reply', message }, 'Reply sent')}
      />
    ),
    merge: () => <MergeForm complaint={complaint} busy={submit.busy} onSend={(a) => send(a, 'Merged')} />,
  };

  return (
    <section class="card actions" aria-labelledby="actions-heading">
      <h3 id="actions-heading">{t('complaint.actions')}</h3>
      {!OPEN.includes(complaint.status) && complaint.status !== 'resolved' && (
        <p class="muted">{t('complaint.final')}</p>
      )}
      <div class="action-buttons">
        {actions.map((type) =>
          type === 'start' ? (
            <button
              type="button"
              key={type}
              class="primary"
              disabled={submit.busy}
              onClick={() => send({ type: 'start' }, 'Work started')}
            >
              {t('action.start')}
            </button>
          ) : (
            <button
              type="button"
              key={type}
              aria-expanded={open === type}
              aria-controls={`action-form-${type}`}
              onClick={() => {
                submit.setError(null);
                setOpen(open === type ? null : type);
              }}
            >
              {t(LABELS[type])}
            </button>
          ),
        )}
      </div>
      {open && open !== 'start' && (
        <div class="action-form" id={`action-form-${open}`}>
          {forms[open]()}
        </div>
      )}
      <ErrorRegion error={submit.error} />
      <StatusRegion message={saved} />
    </section>
  );
}

function MessageForm({
  label,
  submitLabel,
  busy,
  onSend,
  minLength = 1,
}: {
  label: string;
  submitLabel: string;
  busy: boolean;
  onSend: (message: string) => void;
  minLength?: number;
}) {
  const [message, setMessage] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend(message);
      }}
    >
      <Field label={label}>
        <textarea
          name="message"
          rows={4}
          required
          minLength={minLength}
          maxLength={4000}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}

/**
 * Forward to a department (its office in the complaint's district receives it) or, for admins who can
 * list offices, to a chosen office anywhere.
 */
function ForwardForm({
  complaint,
  busy,
  onSend,
}: {
  complaint: Complaint;
  busy: boolean;
  onSend: (a: Action) => void;
}) {
  const { user, departments, districts } = useConsole();
  const [departmentId, setDepartmentId] = useState<number | undefined>();
  const [districtId, setDistrictId] = useState<number>(complaint.district.id);
  const [officeId, setOfficeId] = useState<number | undefined>();
  const [reason, setReason] = useState('');
  const admin = isAdmin(user);
  const offices = useLoad<Office[]>(
    () =>
      admin && departmentId
        ? api
            .offices({ department: departmentId, district: districtId })
            .then((r) => r.items.filter((o) => o.active))
        : Promise.resolve([]),
    [admin, departmentId, districtId],
  );
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend(
          officeId
            ? { type: 'forward', officeId, reason }
            : { type: 'forward', departmentId: departmentId ?? 0, reason },
        );
      }}
    >
      <Field label="Department">
        <select
          name="departmentId"
          required
          value={departmentId ?? ''}
          onChange={(e) => {
            setDepartmentId(Number(e.currentTarget.value) || undefined);
            setOfficeId(undefined);
          }}
        >
          <option value="">Choose a department…</option>
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </Field>
      {admin && (
        <div class="filter-row">
          <Field label="District of the office">
            <select
              name="districtId"
              value={districtId}
              onChange={(e) => {
                setDistrictId(Number(e.currentTarget.value));
                setOfficeId(undefined);
              }}
            >
              {districts.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </Field>
          <NamedSelect
            label="Office"
            name="officeId"
            items={offices.data ?? []}
            empty={`The department’s office in ${complaint.district.name}`}
            value={officeId ?? ''}
            onChange={(id) => setOfficeId(id || undefined)}
          />
        </div>
      )}
      <Field label="Reason for forwarding (for the offices)">
        <textarea
          name="reason"
          rows={3}
          required
          minLength={3}
          maxLength={1000}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        Forward complaint
      </button>
    </form>
  );
}

function ResolveForm({ busy, onSend }: { busy: boolean; onSend: (message: string, photos: File[]) => void }) {
  const [message, setMessage] = useState('');
  const [photos, setPhotos] = useState<File[]>([]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend(message, photos);
      }}
    >
      <Field label="Report of the action taken (the citizen reads it)" hint="At least 10 characters.">
        <textarea
          name="message"
          rows={4}
          required
          minLength={10}
          maxLength={4000}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </Field>
      <Field label="Evidence photos" hint="JPEG or PNG photos of the work done; optional.">
        <input
          type="file"
          name="media"
          accept="image/*"
          multiple
          onChange={(e) => setPhotos([...(e.currentTarget.files ?? [])])}
        />
      </Field>
      {photos.length > 0 && (
        <p class="muted">
          {photos.length} photo{photos.length === 1 ? '' : 's'}: {photos.map((p) => p.name).join(', ')}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        Resolve with this report
      </button>
    </form>
  );
}

const REASON_LABELS: Record<(typeof REJECT_REASONS)[number], string> = {
  irrelevant: 'Irrelevant (not a public complaint)',
  illegal: 'Illegal or abusive content',
  duplicate: 'Duplicate of another complaint',
  outside_jurisdiction: 'Outside the government’s jurisdiction',
};

function RejectForm({ busy, onSend }: { busy: boolean; onSend: (a: Action) => void }) {
  const [reason, setReason] = useState<string>('');
  const [duplicateOf, setDuplicateOf] = useState('');
  const [message, setMessage] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend({
          type: 'reject',
          reason,
          message,
          duplicateOf: reason === 'duplicate' ? Number(duplicateOf) : undefined,
        });
      }}
    >
      <Field label="Reason">
        <select name="reason" required value={reason} onChange={(e) => setReason(e.currentTarget.value)}>
          <option value="">Choose a reason…</option>
          {REJECT_REASONS.map((r) => (
            <option key={r} value={r}>
              {REASON_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
      {reason === 'duplicate' && (
        <Field label="Complaint number it duplicates" hint="The complaint's id, as in the address bar.">
          <input
            name="duplicateOf"
            inputMode="numeric"
            pattern="[0-9]+"
            required
            value={duplicateOf}
            onInput={(e) => setDuplicateOf(e.currentTarget.value)}
          />
        </Field>
      )}
      <Field label="Explanation for the citizen">
        <textarea
          name="message"
          rows={3}
          required
          maxLength={4000}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="danger" disabled={busy}>
        Reject complaint
      </button>
    </form>
  );
}

/** Merge into one of the nearby duplicates, or any complaint by its id. */
function MergeForm({
  complaint,
  busy,
  onSend,
}: {
  complaint: Complaint;
  busy: boolean;
  onSend: (a: Action) => void;
}) {
  const [into, setInto] = useState(complaint.duplicates[0] ? String(complaint.duplicates[0].id) : '');
  const [message, setMessage] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSend({ type: 'merge', into: Number(into), message: message.trim() || undefined });
      }}
    >
      {complaint.duplicates.length > 0 && (
        <Field label="Nearby duplicate">
          <select name="duplicate" value={into} onChange={(e) => setInto(e.currentTarget.value)}>
            <option value="">Another complaint (enter its id below)</option>
            {complaint.duplicates.map((d) => (
              <option key={d.id} value={d.id}>
                {d.trackingNumber} ({d.distanceM} m away)
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field
        label="Merge into complaint id"
        hint="This complaint closes; its citizens support the other one."
      >
        <input
          name="into"
          inputMode="numeric"
          pattern="[0-9]+"
          required
          value={into}
          onInput={(e) => setInto(e.currentTarget.value)}
        />
      </Field>
      <Field label="Message to the citizen (optional)">
        <textarea
          name="message"
          rows={2}
          maxLength={4000}
          value={message}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        Merge complaints
      </button>
    </form>
  );
}
