import { useEffect, useRef } from 'preact/hooks';
import type { QueueItem } from '../api.js';
import { complaintPath } from '../router.js';
import { formatDate, plural, t } from '../strings.js';
import { StatusBadge } from '../widgets.js';
import { isTyping } from './queue-screen.js';

/**
 * The complaints as links (Enter opens one, like any link); j/k or the arrow keys move the focus along
 * the list without opening, so an officer can scan with the keyboard.
 */
export function QueueList({
  items,
  selectedId,
  onOpen,
}: {
  items: QueueItem[];
  selectedId: number | null;
  onOpen: (id: number) => void;
}) {
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const step = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 }[e.key];
      if (!step) return;
      const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('a.row') ?? [])];
      if (links.length === 0) return;
      // Arrow keys in the rest of the page (a media player, a select) keep their own meaning.
      const inList = listRef.current?.contains(document.activeElement ?? null);
      if (e.key.startsWith('Arrow') && !inList) return;
      e.preventDefault();
      const current = links.indexOf(document.activeElement as HTMLAnchorElement);
      const from = current >= 0 ? current : links.findIndex((a) => a.getAttribute('aria-current') === 'true');
      const next = Math.min(links.length - 1, Math.max(0, from < 0 ? 0 : from + step));
      links[next]!.focus();
      links[next]!.scrollIntoView({ block: 'nearest' });
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <ol class="queue" ref={listRef} aria-describedby="queue-keys">
      {items.map((item) => (
        <li key={item.id}>
          <a
            class={`row ${item.overdue ? 'overdue' : ''}`}
            href={complaintPath(item.id)}
            aria-current={item.id === selectedId ? 'true' : undefined}
            onClick={(e) => {
              e.preventDefault();
              onOpen(item.id);
            }}
          >
            <span class="row-top">
              <span class="tracking">{item.trackingNumber}</span>
              <StatusBadge status={item.status} />
              {item.overdue && <span class="badge overdue-badge">{t('queue.overdueBadge')}</span>}
              {item.escalationLevel > 0 && (
                <span class="badge escalated">Escalated ×{item.escalationLevel}</span>
              )}
            </span>
            <span class="row-title">
              {item.category.name} · {item.district.name}
            </span>
            <span class="row-excerpt" dir="auto">
              {item.excerpt}
            </span>
            <span class="row-meta muted">
              Filed {formatDate(item.createdAt)} · due {formatDate(item.dueAt)}
              {item.supportCount > 0 ? ` · ${plural(item.supportCount, 'supporter')}` : ''}
              {item.mediaCount > 0 ? ` · ${plural(item.mediaCount, 'file')}` : ''}
            </span>
          </a>
        </li>
      ))}
    </ol>
  );
}
