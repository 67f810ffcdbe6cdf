import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { isAdmin, nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { formatDateTime } from '../strings.js';
import { ErrorRegion, Field, Loading, NotAvailable, StatusRegion } from '../widgets.js';

type Language = 'en' | 'ur' | 'ps';
type Texts = Record<Language, string | null>;

interface Poll {
  id: number;
  question: Texts;
  kind: 'single' | 'multiple';
  options: { id: number; label: Texts }[];
  districtIds: number[] | null;
  opensAt: string;
  closesAt: string;
  results: 'live' | 'after_close';
  state: 'scheduled' | 'open' | 'closed';
  voters: number;
}

/** One poll as staff read it: `results` there carries the tallies instead of who may see them. */
type PollDetail = Omit<Poll, 'results'> & { results: Tally | null };

interface Tally {
  voters: number;
  options: { optionId: number; votes: number; percent: number }[];
  districts: { districtId: number | null; name: string; voters: number }[];
}

const text = (t: Texts) => t.en ?? t.ur ?? t.ps ?? '';

/** Public polls: ask a question in the three languages, follow the votes, close early. */
export function PollsScreen() {
  const { user } = useConsole();
  const list = useLoad(
    () => optional(api.get<{ items: Poll[]; nextCursor: string | null }>('/staff/polls')),
    [],
  );
  const [openId, setOpenId] = useState<number | null>(null);
  if (list.data === null) return <NotAvailable what="Polls" />;
  return (
    <>
      <h1>Polls</h1>
      {isAdmin(user) && <PollForm onCreated={list.reload} />}
      <ErrorRegion error={list.error} />
      {!list.data ? (
        <Loading />
      ) : list.data.items.length === 0 ? (
        <p class="muted">No polls yet.</p>
      ) : (
        <ul class="plain polls">
          {list.data.items.map((p) => (
            <li key={p.id} class="card">
              <p>
                <span class={`badge poll-${p.state}`}>{p.state}</span>{' '}
                <strong dir="auto">{text(p.question)}</strong>
              </p>
              <p class="muted">
                {p.kind === 'single' ? 'One choice' : 'Several choices'} · {p.voters} voters ·{' '}
                {formatDateTime(p.opensAt)} to {formatDateTime(p.closesAt)}
              </p>
              <button
                type="button"
                class="small"
                aria-expanded={openId === p.id}
                onClick={() => setOpenId(openId === p.id ? null : p.id)}
              >
                Results of poll {p.id}
              </button>
              {openId === p.id && <PollResults id={p.id} onChanged={list.reload} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function PollResults({ id, onChanged }: { id: number; onChanged: () => void }) {
  const { user } = useConsole();
  const poll = useLoad(() => api.get<PollDetail>(`/staff/polls/${id}`), [id]);
  const close = useSubmit();
  if (!poll.data) return poll.error ? <ErrorRegion error={poll.error} /> : <Loading />;
  const p = poll.data;
  const tally = typeof p.results === 'object' ? p.results : null;
  return (
    <div class="poll-results">
      {tally ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Option</th>
              <th scope="col">Votes</th>
              <th scope="col">Share of voters</th>
            </tr>
          </thead>
          <tbody>
            {p.options.map((o) => {
              const r = tally.options.find((x) => x.optionId === o.id);
              return (
                <tr key={o.id}>
                  <td dir="auto">{text(o.label)}</td>
                  <td>{r?.votes ?? 0}</td>
                  <td>
                    <meter min={0} max={100} value={r?.percent ?? 0} /> {r?.percent ?? 0}%
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="muted">Results are not available yet.</p>
      )}
      <p>
        <a href={`/api/v1/staff/polls/${id}/results.csv`} download={`poll-${id}-results.csv`}>
          Download the results of poll {id} (CSV)
        </a>
      </p>
      {isAdmin(user) && p.state !== 'closed' && (
        <button
          type="button"
          class="small danger"
          disabled={close.busy}
          onClick={() =>
            close
              .run(() => api.post(`/staff/polls/${id}/close`))
              .then((ok) => {
                if (ok) {
                  poll.reload();
                  onChanged();
                }
              })
          }
        >
          Close poll now
        </button>
      )}
      <ErrorRegion error={close.error} />
    </div>
  );
}

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 16);
const LANGS: { code: Language; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ur', name: 'Urdu', dir: 'rtl' },
  { code: 'ps', name: 'Pashto', dir: 'rtl' },
];

function PollForm({ onCreated }: { onCreated: () => void }) {
  const { districts } = useConsole();
  const blank = { en: '', ur: '', ps: '' };
  const [question, setQuestion] = useState<Record<Language, string>>(blank);
  const [options, setOptions] = useState<Record<Language, string>[]>([blank, blank]);
  const [kind, setKind] = useState<'single' | 'multiple'>('single');
  const [results, setResults] = useState<'live' | 'after_close'>('after_close');
  const [districtIds, setDistrictIds] = useState<number[]>([]);
  const [closesAt, setClosesAt] = useState(inAWeek);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const only = (t: Record<Language, string>) =>
    Object.fromEntries(Object.entries(t).filter(([, v]) => v.trim()));
  return (
    <form
      class="card"
      aria-labelledby="new-poll-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        const ok = await run(() =>
          api.post('/staff/polls', {
            question: only(question),
            kind,
            options: options.map((o) => ({ label: only(o) })),
            districtIds: districtIds.length > 0 ? districtIds : null,
            closesAt: new Date(closesAt).toISOString(),
            results,
          }),
        );
        if (ok) {
          setSaved('Poll opened.');
          setQuestion(blank);
          setOptions([blank, blank]);
          onCreated();
        }
      }}
    >
      <h2 id="new-poll-heading">New poll</h2>
      <div class="languages">
        {LANGS.map((l) => (
          <Field key={l.code} label={`Question (${l.name})`}>
            <input
              name={`question-${l.code}`}
              lang={l.code}
              dir={l.dir}
              value={question[l.code]}
              onInput={(e) => setQuestion({ ...question, [l.code]: e.currentTarget.value })}
            />
          </Field>
        ))}
      </div>
      {options.map((o, i) => (
        <fieldset key={i} class="languages">
          <legend>Option {i + 1}</legend>
          {LANGS.map((l) => (
            <Field key={l.code} label={`Option ${i + 1} (${l.name})`}>
              <input
                name={`option-${i}-${l.code}`}
                lang={l.code}
                dir={l.dir}
                value={o[l.code]}
                onInput={(e) =>
                  setOptions(options.map((x, j) => (j === i ? { ...x, [l.code]: e.currentTarget.value } : x)))
                }
              />
            </Field>
          ))}
        </fieldset>
      ))}
      <button type="button" class="small" onClick={() => setOptions([...options, blank])}>
        Add an option
      </button>
      <div class="filter-row">
        <Field label="Voting">
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
            <option value="single">One choice</option>
            <option value="multiple">Several choices</option>
          </select>
        </Field>
        <Field label="Citizens see the results">
          <select
            name="results"
            value={results}
            onChange={(e) => setResults(e.currentTarget.value as typeof results)}
          >
            <option value="after_close">After the poll closes</option>
            <option value="live">While it runs</option>
          </select>
        </Field>
        <Field label="Closes">
          <input
            type="datetime-local"
            name="closesAt"
            required
            value={closesAt}
            onInput={(e) => setClosesAt(e.currentTarget.value)}
          />
        </Field>
        <Field label="Districts" hint="None chosen: the whole province.">
          <select
            name="districtIds"
            multiple
            size={4}
            onChange={(e) => setDistrictIds([...e.currentTarget.selectedOptions].map((x) => Number(x.value)))}
          >
            {districts.map((d) => (
              <option key={d.id} value={d.id} selected={districtIds.includes(d.id)}>
                {nameOf(districts, d.id)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Open poll
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}
