import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { formatDateTime, plural, t } from '../strings.js';
import { ErrorRegion, Field, Loading, NamedSelect, NotAvailable, StatusRegion } from '../widgets.js';
import { CitizenFinder, CitizenIdField } from './citizen-finder.js';

type Language = 'en' | 'ur' | 'ps';
type Texts = Record<Language, string | null>;
type AudienceType = 'citizen' | 'category' | 'district';
const LANGUAGES: { code: Language; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ur', name: 'Urdu', dir: 'rtl' },
  { code: 'ps', name: 'Pashto', dir: 'rtl' },
];
const EMPTY: Record<Language, string> = { en: '', ur: '', ps: '' };

interface Communication {
  id: number;
  audience: { type: AudienceType; id: number };
  title: Texts;
  body: Texts;
  /** Message Box items delivered so far; the whole audience once `finishedAt` is set. */
  delivered: number;
  finishedAt: string | null;
  createdBy: number;
  createdByName: string | null;
  createdAt: string;
}
type Page = { items: Communication[]; nextCursor: string | null };

/** Messages from the government to one citizen, the complainants of a category, or a district. */
export function CommunicationsScreen() {
  const first = useLoad(() => optional(api.get<Page>('/staff/communications')), []);
  // Older pages read with "More"; a new message reads the first page again and drops them.
  const [older, setOlder] = useState<Page[]>([]);
  const more = useSubmit();
  if (first.data === null) return <NotAvailable what={t('communications.title')} />;
  const pages = first.data ? [first.data, ...older] : [];
  const last = pages[pages.length - 1];
  const items = pages.flatMap((p) => p.items);
  return (
    <>
      <h1>{t('communications.title')}</h1>
      <p class="muted">{t('communications.intro')}</p>
      <CommunicationForm
        onSent={() => {
          setOlder([]);
          first.reload();
        }}
      />
      <section class="card" aria-labelledby="communications-heading">
        <h2 id="communications-heading">{t('communications.sent')}</h2>
        <ErrorRegion error={first.error ?? more.error} />
        {!first.data ? <Loading /> : <CommunicationList items={items} />}
        {last?.nextCursor && (
          <button
            type="button"
            disabled={more.busy}
            onClick={() =>
              more.run(async () => {
                const next = await api.get<Page>(`/staff/communications?cursor=${last.nextCursor}`);
                setOlder((p) => [...p, next]);
              })
            }
          >
            {t('common.more')}
          </button>
        )}
      </section>
    </>
  );
}

function CommunicationList({ items }: { items: Communication[] }) {
  const { districts, categories } = useConsole();
  if (items.length === 0) return <p class="muted">{t('communications.empty')}</p>;
  const audience = ({ type, id }: Communication['audience']) =>
    type === 'citizen'
      ? t('communications.toCitizen', { id })
      : type === 'category'
        ? t('communications.toCategory', { name: nameOf(categories, id) })
        : t('communications.toDistrict', { name: nameOf(districts, id) });
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('communications.message')}</th>
          <th scope="col">{t('communications.to')}</th>
          <th scope="col">{t('communications.author')}</th>
          <th scope="col">{t('communications.date')}</th>
          <th scope="col">{t('communications.delivery')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((m) => (
          <tr key={m.id}>
            <td>
              <strong dir="auto">{m.title.en ?? m.title.ur ?? m.title.ps}</strong>
              {(m.body.en ?? m.body.ur ?? m.body.ps) && (
                <p class="muted" dir="auto">
                  {m.body.en ?? m.body.ur ?? m.body.ps}
                </p>
              )}
            </td>
            <td>{audience(m.audience)}</td>
            <td>{m.createdByName ?? `#${m.createdBy}`}</td>
            <td>{formatDateTime(m.createdAt)}</td>
            <td>
              {m.finishedAt
                ? t('communications.done', { count: plural(m.delivered, 'citizen') })
                : t('communications.inProgress', { count: plural(m.delivered, 'citizen') })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function CommunicationForm({ onSent }: { onSent: () => void }) {
  const { districts, categories } = useConsole();
  const [type, setType] = useState<AudienceType>('district');
  const [citizenId, setCitizenId] = useState('');
  const [categoryId, setCategoryId] = useState(0);
  const [districtId, setDistrictId] = useState(0);
  const [title, setTitle] = useState(EMPTY);
  const [body, setBody] = useState(EMPTY);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const only = (texts: Record<Language, string>) =>
    Object.fromEntries(Object.entries(texts).filter(([, v]) => v.trim() !== ''));
  const audienceId = type === 'citizen' ? Number(citizenId) : type === 'category' ? categoryId : districtId;

  return (
    <form
      class="card"
      aria-labelledby="new-communication-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        let sent: Communication | undefined;
        const ok = await run(async () => {
          sent = await api.post<Communication>('/staff/communications', {
            audience: { type, id: audienceId },
            title: only(title),
            body: only(body),
          });
        });
        if (ok && sent) {
          setSaved(
            sent.finishedAt
              ? t('communications.delivered', { id: sent.id, count: plural(sent.delivered, 'citizen') })
              : t('communications.queued', { id: sent.id }),
          );
          setTitle(EMPTY);
          setBody(EMPTY);
          onSent();
        }
      }}
    >
      <h2 id="new-communication-heading">{t('communications.new')}</h2>
      <div class="filter-row">
        <Field label={t('communications.audience')}>
          <select
            name="audience"
            value={type}
            onChange={(e) => setType(e.currentTarget.value as AudienceType)}
          >
            <option value="citizen">{t('communications.toOneCitizen')}</option>
            <option value="category">{t('communications.toAllOfCategory')}</option>
            <option value="district">{t('communications.toAllOfDistrict')}</option>
          </select>
        </Field>
        {type === 'citizen' && <CitizenIdField value={citizenId} onInput={setCitizenId} />}
        {type === 'category' && (
          <NamedSelect
            label={t('communications.category')}
            name="categoryId"
            items={categories}
            empty={t('common.choose')}
            value={categoryId || ''}
            onChange={setCategoryId}
            required
            hint={t('communications.categoryHint')}
          />
        )}
        {type === 'district' && (
          <NamedSelect
            label={t('communications.district')}
            name="districtId"
            items={districts}
            empty={t('common.choose')}
            value={districtId || ''}
            onChange={setDistrictId}
            required
          />
        )}
      </div>
      {type === 'citizen' && <CitizenFinder onChoose={(c) => setCitizenId(String(c.id))} />}
      <p class="field-hint">{t('communications.languageHint')}</p>
      <div class="languages">
        {LANGUAGES.map((l) => (
          <fieldset key={l.code}>
            <legend>{l.name}</legend>
            <Field label={t('communications.titleIn', { language: l.name })}>
              <input
                name={`title-${l.code}`}
                lang={l.code}
                dir={l.dir}
                maxLength={300}
                value={title[l.code]}
                onInput={(e) => setTitle({ ...title, [l.code]: e.currentTarget.value })}
              />
            </Field>
            <Field label={t('communications.bodyIn', { language: l.name })}>
              <textarea
                name={`body-${l.code}`}
                lang={l.code}
                dir={l.dir}
                rows={4}
                maxLength={5000}
                value={body[l.code]}
                onInput={(e) => setBody({ ...body, [l.code]: e.currentTarget.value })}
              />
            </Field>
          </fieldset>
        ))}
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {t('communications.send')}
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}
