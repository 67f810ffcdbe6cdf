import { useState } from 'preact/hooks';
import { api, type FoundCitizen } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { ErrorRegion, Field } from '../widgets.js';

/** The citizen a form acts on, by id: typed, or filled in by the finder. */
export function CitizenIdField({ value, onInput }: { value: string; onInput: (id: string) => void }) {
  return (
    <Field label={t('citizens.id')} hint={t('citizens.idHint')}>
      <input
        name="citizenId"
        inputMode="numeric"
        pattern="[0-9]+"
        required
        value={value}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

/**
 * Finds a citizen by CNIC, mobile number, #id or name, for the forms that act on one (messages, warnings,
 * blocks). Not a form of its own: it sits inside those forms, so Enter searches instead of submitting.
 */
export function CitizenFinder({ onChoose }: { onChoose: (citizen: FoundCitizen) => void }) {
  const { districts } = useConsole();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<FoundCitizen[] | null>(null);
  const [chosen, setChosen] = useState<FoundCitizen | null>(null);
  const { busy, error, run } = useSubmit();
  const search = () => {
    const text = query.trim();
    if (text) void run(async () => setFound((await api.findCitizens(text)).items));
  };
  return (
    <fieldset class="citizen-finder">
      <legend class="visually-hidden">{t('citizens.find')}</legend>
      <div class="filter-row">
        <Field label={t('citizens.find')} hint={t('citizens.findHint')}>
          <input
            type="search"
            name="citizenSearch"
            maxLength={100}
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              search();
            }}
          />
        </Field>
        <button type="button" onClick={search} disabled={busy}>
          {t('citizens.findButton')}
        </button>
      </div>
      <ErrorRegion error={error} />
      {chosen && !found && (
        <p class="muted" role="status">
          {t('citizens.chosen', { id: chosen.id, name: chosen.name, mobile: chosen.mobile })}
        </p>
      )}
      {found &&
        (found.length === 0 ? (
          <p class="muted" role="status">
            {t('citizens.noneFound')}
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('citizens.citizen')}</th>
                <th scope="col">CNIC</th>
                <th scope="col">{t('citizens.mobile')}</th>
                <th scope="col">{t('queue.district')}</th>
                <th scope="col">{t('citizens.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('citizens.choose')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {found.map((c) => (
                <tr key={c.id}>
                  <td>
                    #{c.id} <span dir="auto">{c.name}</span>
                  </td>
                  <td dir="ltr">{c.cnic}</td>
                  <td dir="ltr">{c.mobile}</td>
                  <td>{nameOf(districts, c.districtId)}</td>
                  <td>{c.status}</td>
                  <td>
                    <button
                      type="button"
                      class="small"
                      aria-label={t('citizens.chooseOne', { id: c.id, name: c.name })}
                      onClick={() => {
                        onChoose(c);
                        setChosen(c);
                        setFound(null);
                      }}
                    >
                      {t('citizens.choose')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </fieldset>
  );
}
