import { useEffect } from 'preact/hooks';
import { formatDate } from '../../shared/i18n.js';
import { Banner, Button, Page } from '../../shared/ui.js';
import { api } from '../api.js';
import { t, useLang } from '../i18n.js';
import { loadAnnouncements } from '../live.js';
import { useLocation } from '../router.js';
import { getState, setState, useStore } from '../store.js';

async function markRead(id: number) {
  await api.post(`/announcements/${id}/read`).catch(() => undefined);
  setState({
    announcements: getState().announcements.map((a) =>
      a.id === id ? { ...a, readAt: new Date().toISOString(), banner: false } : a,
    ),
  });
}

/** An unread emergency announcement stays at the top of every screen until the citizen has read it. */
export function EmergencyBanner() {
  const { announcements } = useStore();
  const { path } = useLocation();
  const urgent = announcements.find((a) => a.banner);
  if (!urgent || path === '/announcements') return null;
  return (
    <Banner tone="emergency">
      <strong>{t('announcements.emergency')}:</strong> {urgent.title}{' '}
      <a class="banner__link" href="/announcements">
        {t('announcements.read')}
      </a>
    </Banner>
  );
}

export function AnnouncementsScreen() {
  const lang = useLang();
  const { announcements } = useStore();
  useEffect(() => {
    void loadAnnouncements();
  }, []);
  useEffect(() => {
    // Opening the list reads the emergencies shown on it.
    for (const a of announcements) if (a.banner) void markRead(a.id);
  }, [announcements.length]);

  return (
    <Page title={t('announcements.title')} back={{ href: '/', label: t('nav.home') }}>
      {announcements.length === 0 && <p>{t('announcements.none')}</p>}
      <ul class="cards">
        {announcements.map((a) => (
          <li key={a.id} class={`card announcement announcement--${a.severity}`}>
            {a.severity === 'emergency' && <p class="announcement__tag">{t('announcements.emergency')}</p>}
            <h2 class="card__title">{a.title}</h2>
            <p class="card__body">{a.body}</p>
            <p class="card__meta">{formatDate(a.startsAt, lang, true)}</p>
            {!a.readAt && (
              <Button variant="link" onClick={() => void markRead(a.id)}>
                {t('announcements.markRead')}
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Page>
  );
}
