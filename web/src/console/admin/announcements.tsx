import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { isAdmin, nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { formatDateTime } from '../strings.js';
import { ErrorRegion, Field, Loading, NotAvailable, StatusRegion } from '../widgets.js';

type Language = 'en' | 'ur' | 'ps';
type Texts = Record<Language, string | null>;
const LANGUAGES: { code: Language; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ur', name: 'Urdu', dir: 'rtl' },
  { code: 'ps', name: 'Pashto', dir: 'rtl' },
];

interface Announcement {
  id: number;
  severity: 'emergency' | 'general';
  title: Texts;
  body: Texts;
  districtIds: number[] | null;
  sendSms: boolean;
  startsAt: string;
  expiresAt: string;
  withdrawnAt: string | null;
  createdAt: string;
}

/** Broadcasts to citizens: general notices, and emergencies pushed (and texted) to every device in the area. */
export function AnnouncementsScreen() {
  const { user } = useConsole();
  const list = useLoad(
    () => optional(api.get<{ items: Announcement[]; nextCursor: string | null }>('/staff/announcements')),
    [],
  );
  if (list.data === null) return <NotAvailable what="Announcements" />;
  return (
    <>
      <h1>Announcements</h1>
      {isAdmin(user) && <AnnouncementForm onCreated={list.reload} />}
      <ErrorRegion error={list.error} />
      {!list.data ? <Loading /> : <AnnouncementList items={list.data.items} onChanged={list.reload} />}
    </>
  );
}

function AnnouncementList({ items, onChanged }: { items: Announcement[]; onChanged: () => void }) {
  const { districts } = useConsole();
  const { busy, error, run } = useSubmit();
  if (items.length === 0) return <p class="muted">No announcements yet.</p>;
  return (
    <section class="card" aria-labelledby="announcements-heading">
      <h2 id="announcements-heading">Sent and scheduled</h2>
      <ErrorRegion error={error} />
      <ul class="plain announcements">
        {items.map((a) => (
          <li key={a.id} class={a.withdrawnAt ? 'inactive' : undefined}>
            <p>
              <span class={`badge severity-${a.severity}`}>{a.severity}</span>{' '}
              <strong dir="auto">{a.title.en ?? a.title.ur ?? a.title.ps}</strong>
            </p>
            <p class="muted">
              {a.districtIds === null
                ? 'Whole province'
                : a.districtIds.map((id) => nameOf(districts, id)).join(', ')}{' '}
              · {formatDateTime(a.startsAt)} to {formatDateTime(a.expiresAt)}
              {a.sendSms ? ' · with SMS' : ''}
              {a.withdrawnAt ? ` · withdrawn ${formatDateTime(a.withdrawnAt)}` : ''}
            </p>
            {!a.withdrawnAt && (
              <button
                type="button"
                class="small danger"
                disabled={busy}
                onClick={() =>
                  run(() => api.delete(`/staff/announcements/${a.id}`)).then((ok) => ok && onChanged())
                }
              >
                Withdraw announcement {a.id}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);

function AnnouncementForm({ onCreated }: { onCreated: () => void }) {
  const { districts } = useConsole();
  const [severity, setSeverity] = useState<'general' | 'emergency'>('general');
  const [title, setTitle] = useState<Record<Language, string>>({ en: '', ur: '', ps: '' });
  const [body, setBody] = useState<Record<Language, string>>({ en: '', ur: '', ps: '' });
  const [districtIds, setDistrictIds] = useState<number[]>([]);
  const [expiresAt, setExpiresAt] = useState(inAWeek);
  const [sendSms, setSendSms] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const only = (texts: Record<Language, string>) =>
    Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim() !== ''));

  return (
    <form
      class="card"
      aria-labelledby="new-announcement-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        const ok = await run(() =>
          api.post('/staff/announcements', {
            severity,
            title: only(title),
            body: only(body),
            districtIds: districtIds.length > 0 ? districtIds : null,
            expiresAt: new Date(expiresAt).toISOString(),
            sendSms,
          }),
        );
        if (ok) {
          setSaved('Announcement published.');
          setTitle({ en: '', ur: '', ps: '' });
          setBody({ en: '', ur: '', ps: '' });
          onCreated();
        }
      }}
    >
      <h2 id="new-announcement-heading">New announcement</h2>
      <div class="filter-row">
        <Field label="Severity">
          <select
            name="severity"
            value={severity}
            onChange={(e) => setSeverity(e.currentTarget.value as typeof severity)}
          >
            <option value="general">General notice</option>
            <option value="emergency">Emergency (pushed to every device)</option>
          </select>
        </Field>
        <Field label="Expires">
          <input
            type="datetime-local"
            name="expiresAt"
            required
            value={expiresAt}
            onInput={(e) => setExpiresAt(e.currentTarget.value)}
          />
        </Field>
        <Field label="Districts" hint="None chosen: the whole province. Ctrl-click to choose several.">
          <select
            name="districtIds"
            multiple
            size={4}
            onChange={(e) => setDistrictIds([...e.currentTarget.selectedOptions].map((o) => Number(o.value)))}
          >
            {districts.map((d) => (
              <option key={d.id} value={d.id} selected={districtIds.includes(d.id)}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <label class="check">
        <input
          type="checkbox"
          name="sendSms"
          checked={sendSms}
          onChange={(e) => setSendSms(e.currentTarget.checked)}
        />
        Also send by SMS
      </label>
      <div class="languages">
        {LANGUAGES.map((l) => (
          <fieldset key={l.code}>
            <legend>{l.name}</legend>
            <Field label={`Title (${l.name})`}>
              <input
                name={`title-${l.code}`}
                lang={l.code}
                dir={l.dir}
                maxLength={200}
                value={title[l.code]}
                onInput={(e) => setTitle({ ...title, [l.code]: e.currentTarget.value })}
              />
            </Field>
            <Field label={`Text (${l.name})`}>
              <textarea
                name={`body-${l.code}`}
                lang={l.code}
                dir={l.dir}
                rows={4}
                maxLength={2000}
                value={body[l.code]}
                onInput={(e) => setBody({ ...body, [l.code]: e.currentTarget.value })}
              />
            </Field>
          </fieldset>
        ))}
      </div>
      <Preview severity={severity} title={title} body={body} />
      <button type="submit" class={severity === 'emergency' ? 'danger' : 'primary'} disabled={busy}>
        Publish announcement
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}

/** How citizens will see it in each language; an empty language falls back as the app does (English first). */
function Preview({
  severity,
  title,
  body,
}: {
  severity: string;
  title: Record<Language, string>;
  body: Record<Language, string>;
}) {
  const fallback = (texts: Record<Language, string>, l: Language) =>
    texts[l].trim() || texts.en.trim() || texts.ur.trim() || texts.ps.trim();
  return (
    <section class="preview" aria-label="Preview in the three languages">
      <h3>Preview</h3>
      <div class="preview-grid">
        {LANGUAGES.map((l) => (
          <div key={l.code} class={`preview-card severity-${severity}`} lang={l.code} dir={l.dir}>
            <p class="preview-lang" dir="ltr" lang="en">
              {l.name}
              {!title[l.code].trim() && ' (not written: falls back)'}
            </p>
            <strong dir="auto">{fallback(title, l.code) || '—'}</strong>
            <p dir="auto">{fallback(body, l.code)}</p>
          </div>
        ))}
      </div>
    </section>
  );
}
