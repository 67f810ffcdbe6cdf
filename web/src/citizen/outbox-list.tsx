// Complaints kept on the phone: waiting for a connection, or sent (with when and the tracking number).
import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../shared/i18n.js';
import { Button } from '../shared/ui.js';
import { t, useLang } from './i18n.js';
import { discard, listOutbox, type OutboxEntry, onOutboxChange, sendWaiting } from './offline/outbox.js';
import { useStore } from './store.js';

export function useOutbox(): OutboxEntry[] {
  const { user } = useStore();
  const [entries, setEntries] = useState<OutboxEntry[]>([]);
  useEffect(() => {
    if (!user) return;
    const load = () => void listOutbox(user.id).then(setEntries);
    load();
    return onOutboxChange(load);
  }, [user?.id]);
  return entries;
}

export function OutboxList(props: { onlyWaiting?: boolean }) {
  const lang = useLang();
  const { online } = useStore();
  const entries = useOutbox().filter((e) => !props.onlyWaiting || e.state !== 'sent');
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="outbox-title" class="outbox">
      <h2 id="outbox-title">{t('outbox.title')}</h2>
      <ul class="cards" aria-live="polite">
        {entries.map((entry) => (
          <li
            key={entry.id}
            class={`card outbox__item outbox__item--${entry.state}`}
            data-outbox-state={entry.state}
          >
            <p class="card__title">{entry.fields.description?.slice(0, 80)}</p>
            {entry.state === 'waiting' && (
              <p class="status status--waiting">
                {t('outbox.waiting')} · {formatDate(entry.createdAt, lang, true)}
              </p>
            )}
            {entry.state === 'sent' && (
              <p class="status status--sent">
                {t('outbox.sent', { time: formatDate(entry.sentAt!, lang, true) })}{' '}
                <a href={`/complaints/${entry.complaintId}`}>
                  <bdi dir="ltr">{entry.trackingNumber}</bdi>
                </a>
              </p>
            )}
            {entry.state === 'failed' && (
              <>
                <p class="status status--failed">
                  {t('outbox.failed')} {entry.error}
                </p>
                <Button variant="link" onClick={() => void discard(entry.id)}>
                  {t('outbox.discard')}
                </Button>
              </>
            )}
            {entry.state === 'waiting' && online && (
              <Button variant="link" onClick={() => void sendWaiting()}>
                {t('outbox.sendNow')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
