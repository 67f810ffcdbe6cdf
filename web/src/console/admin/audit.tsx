import { useState } from 'preact/hooks';
import { type AuditEntry, type AuditVerdict, api } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import { formatDateTime } from '../strings.js';
import { ErrorRegion, Field, Loading } from '../widgets.js';

/** The hash-chained audit log, newest first, and the check that no entry was changed or removed. */
export function AuditScreen() {
  const [filter, setFilter] = useState<{ entityType?: string; entityId?: string }>({});
  const [draft, setDraft] = useState(filter);
  const [older, setOlder] = useState<{ items: AuditEntry[]; nextCursor: string | null } | null>(null);
  const first = useLoad(() => api.audit(filter), [filter.entityType, filter.entityId]);
  const more = useSubmit();
  const items = [...(first.data?.items ?? []), ...(older?.items ?? [])];
  const nextCursor = older ? older.nextCursor : (first.data?.nextCursor ?? null);

  return (
    <>
      <h1>Audit log</h1>
      <VerifyCard />
      <form
        class="card filter-row"
        aria-label="Audit filters"
        onSubmit={(e) => {
          e.preventDefault();
          setOlder(null);
          setFilter({ entityType: draft.entityType || undefined, entityId: draft.entityId || undefined });
        }}
      >
        <Field label="Entity type" hint="complaint, citizen, office, routing_rule, staff…">
          <input
            name="entityType"
            value={draft.entityType ?? ''}
            onInput={(e) => setDraft({ ...draft, entityType: e.currentTarget.value.trim() })}
          />
        </Field>
        <Field label="Entity id">
          <input
            name="entityId"
            value={draft.entityId ?? ''}
            onInput={(e) => setDraft({ ...draft, entityId: e.currentTarget.value.trim() })}
          />
        </Field>
        <button type="submit">Show entries</button>
      </form>
      <ErrorRegion error={first.error ?? more.error} />
      {first.loading && !first.data ? (
        <Loading />
      ) : (
        <table class="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Entity</th>
              <th scope="col">Change</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{e.id}</td>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>
                  {e.actor.type}
                  {e.actor.id !== null ? ` #${e.actor.id}` : ''}
                </td>
                <td>{e.action}</td>
                <td>
                  {e.entity.type} {e.entity.id}
                </td>
                <td class="change">
                  <Change before={e.before} after={e.after} />
                </td>
                <td>
                  <code title={e.hash}>{e.hash.slice(0, 10)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button
          type="button"
          class="more"
          disabled={more.busy}
          onClick={() =>
            more.run(async () => {
              const page = await api.audit({ ...filter, cursor: nextCursor });
              setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
            })
          }
        >
          Older entries
        </button>
      )}
    </>
  );
}

/** Only what changed: for two records, the fields whose values differ; otherwise the record itself. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const show = (v: unknown) =>
    v === null || v === undefined ? '∅' : typeof v === 'string' ? v : JSON.stringify(v);
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  let lines: string[];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    lines = keys
      .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
      .map((k) => `${k}: ${show(before[k])} → ${show(after[k])}`);
  } else {
    lines = [before, after].filter((v) => v !== null && v !== undefined).map(show);
  }
  const text = lines.join('\n');
  return <span title={text}>{text.length > 240 ? `${text.slice(0, 239)}…` : text}</span>;
}

function VerifyCard() {
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const { busy, error, run } = useSubmit();
  return (
    <section class="card" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verification</h2>
      <p class="muted">
        Every entry’s hash covers the one before it: a changed or deleted entry breaks the chain from there
        on.
      </p>
      <button
        type="button"
        class="primary"
        disabled={busy}
        onClick={() => run(async () => setVerdict(await api.verifyAudit()))}
      >
        Verify the audit chain
      </button>
      <ErrorRegion error={error} />
      <p
        role="status"
        aria-live="polite"
        class={verdict ? (verdict.ok ? 'ok-text' : 'overdue-text') : undefined}
      >
        {verdict &&
          (verdict.ok
            ? `The chain is intact: ${verdict.checked.toLocaleString('en')} entries checked.`
            : `The chain is broken at entry #${verdict.firstBroken?.id}: ${verdict.firstBroken?.reason} (${verdict.checked.toLocaleString('en')} entries checked).`)}
      </p>
    </section>
  );
}
