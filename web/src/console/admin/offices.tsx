import { useState } from 'preact/hooks';
import { api, type Office } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { t } from '../strings.js';
import { ErrorRegion, Field, Loading, NamedSelect, NameFields, StatusRegion } from '../widgets.js';

/** A province has hundreds of offices; the table stays short until it is filtered. */
const SHOWN = 40;

/** Offices by department and district: open a new one, rename one, or close it to new complaints. */
export function OfficesScreen() {
  const { departments, districts } = useConsole();
  const [department, setDepartment] = useState<number | undefined>();
  const [district, setDistrict] = useState<number | undefined>();
  const offices = useLoad(() => api.offices({ department, district }), [department, district]);
  return (
    <>
      <h1>Offices &amp; officers</h1>
      <div class="card filter-row">
        <NamedSelect
          label="Department"
          name="department"
          items={departments}
          empty="All"
          value={department ?? ''}
          onChange={(id) => setDepartment(id || undefined)}
        />
        <NamedSelect
          label="District"
          name="district"
          items={districts}
          empty="All"
          value={district ?? ''}
          onChange={(id) => setDistrict(id || undefined)}
        />
      </div>
      <ErrorRegion error={offices.error} />
      {!offices.data ? (
        <Loading />
      ) : (
        <>
          {offices.data.items.length > SHOWN && (
            <p class="muted">
              Showing {SHOWN} of {offices.data.items.length} offices: choose a department or a district to see
              the others.
            </p>
          )}
          <table>
            <thead>
              <tr>
                <th scope="col">Office</th>
                <th scope="col">Code</th>
                <th scope="col">Department</th>
                <th scope="col">District</th>
                <th scope="col">Takes complaints</th>
              </tr>
            </thead>
            <tbody>
              {offices.data.items.slice(0, SHOWN).map((o) => (
                <OfficeRow key={o.id} office={o} onChanged={offices.reload} />
              ))}
            </tbody>
          </table>
        </>
      )}
      <NewOfficeForm onCreated={offices.reload} />
      <OfficersCard />
    </>
  );
}

function OfficeRow({ office, onChanged }: { office: Office; onChanged: () => void }) {
  const { departments, districts } = useConsole();
  const { busy, error, run } = useSubmit();
  return (
    <tr class={office.active ? undefined : 'inactive'}>
      <td>
        {office.name}
        <ErrorRegion error={error} />
      </td>
      <td>{office.code}</td>
      <td>{nameOf(departments, office.departmentId)}</td>
      <td>{nameOf(districts, office.districtId)}</td>
      <td>
        {office.active ? 'Yes ' : 'No (closed) '}
        <button
          type="button"
          class="small"
          disabled={busy}
          aria-label={office.active ? `Close ${office.name}` : `Reopen ${office.name}`}
          onClick={() =>
            run(() => api.updateOffice(office.id, { active: !office.active })).then((ok) => ok && onChanged())
          }
        >
          {office.active ? 'Close' : 'Reopen'}
        </button>
      </td>
    </tr>
  );
}

function NewOfficeForm({ onCreated }: { onCreated: () => void }) {
  const { departments, districts } = useConsole();
  const empty = { code: '', departmentId: 0, districtId: 0, name: '', nameUr: '', namePs: '' };
  const [office, setOffice] = useState(empty);
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const set = (patch: Partial<typeof empty>) => setOffice((o) => ({ ...o, ...patch }));
  return (
    <form
      class="card"
      aria-labelledby="new-office-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        if (await run(() => api.createOffice(office))) {
          setSaved(`Office “${office.name}” opened.`);
          setOffice(empty);
          onCreated();
        }
      }}
    >
      <h2 id="new-office-heading">Open an office</h2>
      <div class="filter-row">
        <NamedSelect
          label="Department"
          name="departmentId"
          required
          items={departments}
          empty="Choose…"
          value={office.departmentId || ''}
          onChange={(id) => set({ departmentId: id })}
        />
        <NamedSelect
          label="District"
          name="districtId"
          required
          items={districts}
          empty="Choose…"
          value={office.districtId || ''}
          onChange={(id) => set({ districtId: id })}
        />
        <Field label="Code" hint="Unique, e.g. phe.peshawar-2">
          <input
            name="code"
            required
            minLength={2}
            value={office.code}
            onInput={(e) => set({ code: e.currentTarget.value })}
          />
        </Field>
      </div>
      <NameFields value={office} onChange={set} />
      <button type="submit" class="primary" disabled={busy}>
        Open office
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}

/** Staff accounts have a screen of their own. */
function OfficersCard() {
  return (
    <section class="card" aria-labelledby="officers-heading">
      <h2 id="officers-heading">Officers</h2>
      <p>
        Officers and supervisors are given their department and districts on the{' '}
        <a href="#/admin/staff">{t('staff.title')}</a> screen.
      </p>
    </section>
  );
}
