import { Page } from '../../shared/ui.js';
import { t } from '../i18n.js';
import { OutboxList } from '../outbox-list.js';
import { useStore } from '../store.js';

export function HomeScreen() {
  const { user, unread } = useStore();
  return (
    <Page title={t('home.hello', { name: user?.name ?? '' })}>
      <a class="btn btn--primary btn--block btn--big" href="/new">
        {t('home.newComplaint')}
      </a>
      <OutboxList onlyWaiting />
      <nav class="tiles" aria-label={t('nav.label')}>
        <a class="tile" href="/complaints">
          {t('nav.complaints')}
        </a>
        <a class="tile" href="/inbox">
          {t('nav.inbox')}
          {unread > 0 && <span class="badge">{unread}</span>}
        </a>
        <a class="tile" href="/announcements">
          {t('nav.announcements')}
        </a>
        <a class="tile" href="/polls">
          {t('nav.polls')}
        </a>
        <a class="tile" href="/profile">
          {t('nav.profile')}
        </a>
      </nav>
    </Page>
  );
}
