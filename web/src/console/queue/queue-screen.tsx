import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api, type Queue, type QueueFilters, type QueueItem, type Status } from '../api.js';
import { ComplaintPane } from '../complaint/complaint-pane.js';
import { asApiError, useLoad } from '../hooks.js';
import { complaintPath, go } from '../router.js';
import { t } from '../strings.js';
import { ErrorRegion, Loading } from '../widgets.js';
import { FilterForm } from './filters.js';
import { QueueList } from './queue-list.js';
import { StatusCounts } from './status-counts.js';

const PAGE = 25;

/** The desk: the queue on the left, the open complaint on the right. */
export function QueueScreen({ complaintId }: { complaintId: number | null }) {
  const [filters, setFilters] = useState<QueueFilters>({});
  const [more, setMore] = useState<{ items: QueueItem[]; nextCursor: string | null } | null>(null);
  const first = useLoad(() => api.queue(filters, undefined, PAGE), [JSON.stringify(filters)]);
  const searchRef = useRef<HTMLInputElement>(null);

  // Statuses changed from the complaint pane, shown in the list until the next load brings them.
  const [changed, setChanged] = useState<Record<number, Status>>({});
  // Counts read again after an action, until the next load brings them.
  const [freshCounts, setFreshCounts] = useState<Queue['counts'] | null>(null);

  // A new first page replaces whatever "More" had added.
  useEffect(() => {
    setMore(null);
    setChanged({});
    setFreshCounts(null);
  }, [first.data]);

  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])].map((i) =>
    changed[i.id] ? { ...i, status: changed[i.id]! } : i,
  );
  const nextCursor = more ? more.nextCursor : (first.data?.nextCursor ?? null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [pageError, setPageError] = useState<ApiError | null>(null);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    setPageError(null);
    try {
      const page: Queue = await api.queue(filters, nextCursor, PAGE);
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      setPageError(asApiError(err));
    } finally {
      setLoadingMore(false);
    }
  }

  // "/" jumps to the search box from anywhere but a field being typed in.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || isTyping(e.target)) return;
      e.preventDefault();
      searchRef.current?.focus();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  const onStatusChanged = (id: number, status: Status) => {
    setChanged((c) => ({ ...c, [id]: status }));
    // The counts move with the status; one row is enough to read them again without losing "More" pages.
    api.queue(filters, undefined, 1).then(
      (q) => setFreshCounts(q.counts),
      () => undefined,
    );
  };

  return (
    <div class={`desk ${complaintId ? 'has-detail' : ''}`}>
      <section class="queue-pane" aria-label="Queue">
        <StatusCounts
          counts={freshCounts ?? first.data?.counts}
          selected={filters.status}
          onSelect={(status) => setFilters((f) => ({ ...f, status }))}
        />
        <FilterForm filters={filters} onApply={setFilters} searchRef={searchRef} />
        <ErrorRegion error={first.error ?? pageError} />
        {first.loading && !first.data ? (
          <Loading />
        ) : (
          <>
            <p class="muted keys" id="queue-keys">
              {t('queue.keys')}
            </p>
            {items.length === 0 ? (
              <p class="empty">{t('queue.empty')}</p>
            ) : (
              <QueueList
                items={items}
                selectedId={complaintId}
                onOpen={(id) => go(complaintPath(id).slice(1))}
              />
            )}
            {nextCursor && (
              <button type="button" class="more" onClick={loadMore} disabled={loadingMore}>
                {t('queue.more')}
              </button>
            )}
          </>
        )}
      </section>
      <section class="detail-pane" aria-label="Complaint">
        {complaintId ? (
          <ComplaintPane key={complaintId} id={complaintId} onStatusChanged={onStatusChanged} />
        ) : (
          <p class="muted pick">{t('complaint.pick')}</p>
        )}
      </section>
    </div>
  );
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
