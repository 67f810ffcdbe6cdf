import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { nameOf, useConsole } from '../context.js';
import { useLoad, useSubmit } from '../hooks.js';
import { formatDateTime } from '../strings.js';
import { ErrorRegion, Field, Loading, StatusRegion } from '../widgets.js';
import { CitizenFinder, CitizenIdField } from './citizen-finder.js';

/** Citizens who misuse the portal: a warning first, then a block from filing; a block can be lifted. */
export function CitizensScreen() {
  const { districts } = useConsole();
  const blocked = useLoad(() => api.blocked(), []);
  return (
    <>
      <h1>Blocked citizens</h1>
      <SanctionForm onDone={blocked.reload} />
      <section class="card" aria-labelledby="blocked-heading">
        <h2 id="blocked-heading">Blocked now</h2>
        <ErrorRegion error={blocked.error} />
        {!blocked.data ? (
          <Loading />
        ) : blocked.data.items.length === 0 ? (
          <p class="muted">No citizen is blocked.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Citizen</th>
                <th scope="col">District</th>
                <th scope="col">Warnings</th>
                <th scope="col">Blocked</th>
                <th scope="col">Reason</th>
                <th scope="col">
                  <span class="visually-hidden">Unblock</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {blocked.data.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    #{c.id} <span dir="auto">{c.name}</span>
                  </td>
                  <td>{nameOf(districts, c.districtId)}</td>
                  <td>{c.warnings}</td>
                  <td>{c.blockedAt ? formatDateTime(c.blockedAt) : '—'}</td>
                  <td>{c.blockedReason}</td>
                  <td>
                    <UnblockButton id={c.id} name={c.name} onDone={blocked.reload} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function UnblockButton({ id, name, onDone }: { id: number; name: string; onDone: () => void }) {
  const { busy, error, run } = useSubmit();
  return (
    <>
      <button
        type="button"
        class="small"
        disabled={busy}
        aria-label={`Unblock citizen ${id}, ${name}`}
        onClick={() => {
          // The reason goes to the audit log and to the citizen, so it is asked for every time.
          const reason = prompt(`Why is citizen #${id} unblocked?`)?.trim();
          if (reason) run(() => api.sanction(id, 'unblock', reason)).then((ok) => ok && onDone());
        }}
      >
        Unblock
      </button>
      <ErrorRegion error={error} />
    </>
  );
}

function SanctionForm({ onDone }: { onDone: () => void }) {
  const [citizenId, setCitizenId] = useState('');
  const [action, setAction] = useState<'warn' | 'block' | 'unblock'>('warn');
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  return (
    <form
      class="card"
      aria-labelledby="sanction-heading"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(null);
        let summary = '';
        const ok = await run(async () => {
          const r = await api.sanction(Number(citizenId), action, reason);
          summary = `Citizen #${r.id}: ${r.status}, ${r.warnings} warning${r.warnings === 1 ? '' : 's'}.`;
        });
        if (ok) {
          setSaved(summary);
          setReason('');
          onDone();
        }
      }}
    >
      <h2 id="sanction-heading">Warn, block or unblock a citizen</h2>
      <CitizenFinder onChoose={(c) => setCitizenId(String(c.id))} />
      <div class="filter-row">
        <CitizenIdField value={citizenId} onInput={setCitizenId} />
        <Field label="Action">
          <select
            name="action"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value as typeof action)}
          >
            <option value="warn">Warn</option>
            <option value="block">Block from filing</option>
            <option value="unblock">Lift the block</option>
          </select>
        </Field>
      </div>
      <Field label="Reason (recorded in the audit log and told to the citizen)">
        <textarea
          name="reason"
          rows={2}
          required
          maxLength={1000}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </Field>
      <button type="submit" class={action === 'block' ? 'danger' : 'primary'} disabled={busy}>
        {{ warn: 'Warn citizen', block: 'Block citizen', unblock: 'Unblock citizen' }[action]}
      </button>
      <ErrorRegion error={error} />
      <StatusRegion message={saved} />
    </form>
  );
}
