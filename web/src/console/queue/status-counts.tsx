import { STATUSES, type Status } from '../api.js';
import { statusLabel } from '../strings.js';

/** Counts per status double as the status filter: pressing one shows only that status. */
export function StatusCounts({
  counts,
  selected,
  onSelect,
}: {
  counts: Record<Status, number> | undefined;
  selected: Status[] | undefined;
  onSelect: (status: Status[] | undefined) => void;
}) {
  const active = new Set(selected ?? []);
  return (
    <fieldset class="counts">
      <legend class="visually-hidden">Complaints per status</legend>
      {STATUSES.map((status) => {
        const pressed = active.has(status);
        return (
          <button
            type="button"
            key={status}
            class={`count status-${status}`}
            aria-pressed={pressed}
            onClick={() => {
              const next = new Set(active);
              if (pressed) next.delete(status);
              else next.add(status);
              onSelect(next.size > 0 ? STATUSES.filter((s) => next.has(s)) : undefined);
            }}
          >
            <span class="count-label">{statusLabel(status)}</span>
            <span class="count-value">{counts ? counts[status].toLocaleString('en') : '…'}</span>
          </button>
        );
      })}
    </fieldset>
  );
}
