import { useEffect, useState } from 'preact/hooks';
import { formatDate } from '../../shared/i18n.js';
import { Banner, Button, Page } from '../../shared/ui.js';
import { api, type InboxItem } from '../api.js';
import { errorText } from '../errors.js';
import { t, useLang } from '../i18n.js';
import { onInboxChange } from '../live.js';
import { navigate } from '../router.js';
import { setState } from '../store.js';

export function InboxScreen() {
  const lang = useLang();
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api
      .get<{ unread: number; items: InboxItem[] }>('/inbox', { limit: 50 })
      .then((r) => {
        setItems(r.items);
        setState({ unread: r.unread });
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
    return onInboxChange(() => void load());
  }, []);

  async function open(item: InboxItem) {
    if (!item.readAt) {
      const { unread } = await api
        .post<{ unread: number }>('/inbox/read', { ids: [item.id] })
        .catch(() => ({ unread: -1 }));
      if (unread >= 0) setState({ unread });
    }
    if (item.complaintId) navigate(`/complaints/${item.complaintId}`);
    else void load();
  }

  async function readAll() {
    const { unread } = await api.post<{ unread: number }>('/inbox/read', { all: true });
    setState({ unread });
    void load();
  }

  return (
    <Page title={t('inbox.title')} back={{ href: '/', label: t('nav.home') }}>
      {error && <Banner tone="error">{error}</Banner>}
      {items === null && !error && <p>{t('common.loading')}</p>}
      {items?.length === 0 && <p>{t('inbox.none')}</p>}
      {items?.some((i) => !i.readAt) && (
        <Button variant="link" onClick={() => void readAll()}>
          {t('inbox.readAll')}
        </Button>
      )}
      <ul class="cards inbox">
        {items?.map((item) => (
          <li key={item.id} class={`card${item.readAt ? '' : ' card--unread'}`}>
            <button type="button" class="card__button" onClick={() => void open(item)}>
              <span class="card__title">
                {!item.readAt && <span class="visually-hidden">{t('inbox.unread')}: </span>}
                {item.title}
              </span>
              <span class="card__body">{item.body}</span>
              <span class="card__meta">
                {item.trackingNumber && <bdi dir="ltr">{item.trackingNumber}</bdi>} ·{' '}
                {formatDate(item.createdAt, lang, true)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </Page>
  );
}
