// The citizen app's shell: the language choice on first start, the header with the Message Box badge,
// the offline notice and the emergency banner, and the screen for the current path.
import { useEffect } from 'preact/hooks';
import { Banner } from '../shared/ui.js';
import { i18n, t, useLang } from './i18n.js';
import { match, navigate, useLocation } from './router.js';
import { AnnouncementsScreen, EmergencyBanner } from './screens/announcements.js';
import { LoginScreen, RegisterScreen, ResetScreen, VerifyScreen } from './screens/auth.js';
import { ComplaintScreen, ComplaintsScreen } from './screens/complaints.js';
import { HomeScreen } from './screens/home.js';
import { InboxScreen } from './screens/inbox.js';
import { LanguageScreen } from './screens/language.js';
import { NewComplaintScreen } from './screens/new-complaint.js';
import { PollScreen, PollsScreen } from './screens/polls.js';
import { ProfileScreen } from './screens/profile.js';
import { useStore } from './store.js';

const PUBLIC = ['/register', '/verify', '/login', '/reset'];

export function App() {
  const lang = useLang();
  const { path } = useLocation();
  const { user, online, unread } = useStore();
  const chosen = i18n().stored() !== null;

  const needsSignIn = user === null && !PUBLIC.includes(path);
  // Signed in (the portal's answer came after a redirect, or a bookmark): the sign-in forms have no use.
  const signedInOnForm = !!user && (path === '/login' || path === '/register');
  useEffect(() => {
    if (chosen && needsSignIn) navigate('/login', { replace: true });
    else if (signedInOnForm) navigate('/', { replace: true });
  }, [chosen, needsSignIn, signedInOnForm]);

  if (!chosen) return <LanguageScreen />;
  if (user === undefined) return <p class="loading">{t('common.loading')}</p>;

  return (
    <div class="shell" key={lang}>
      <a class="skip" href="#main">
        {t('common.skip')}
      </a>
      <header class="topbar">
        <a class="topbar__title" href="/">
          {t('app.name')}
        </a>
        {user && (
          <nav aria-label={t('nav.label')}>
            <a href="/inbox" class="topbar__inbox">
              {t('nav.inbox')}
              {unread > 0 && (
                <span class="badge" data-count={unread}>
                  {unread}
                  <span class="visually-hidden"> {t('inbox.unread')}</span>
                </span>
              )}
            </a>
            <a href="/profile">{t('nav.profile')}</a>
          </nav>
        )}
      </header>
      {!online && (
        <Banner tone="warning">
          <strong>{t('offline.title')}</strong> {t('offline.body')}
        </Banner>
      )}
      {user && <EmergencyBanner />}
      <Screen path={path} signedIn={!!user} />
    </div>
  );
}

function Screen({ path, signedIn }: { path: string; signedIn: boolean }) {
  if (path === '/register') return <RegisterScreen />;
  if (path === '/verify') return <VerifyScreen />;
  if (path === '/login') return <LoginScreen />;
  if (path === '/reset') return <ResetScreen />;
  if (!signedIn) return null;
  if (path === '/' || path === '/index.html') return <HomeScreen />;
  if (path === '/new') return <NewComplaintScreen />;
  if (path === '/complaints') return <ComplaintsScreen />;
  // Ids are numbers: anything else in their place (a mistyped or truncated link) is a page that does not exist.
  let params = match('/complaints/:id', path);
  if (params && isId(params.id)) return <ComplaintScreen id={Number(params.id)} />;
  if (path === '/inbox') return <InboxScreen />;
  if (path === '/announcements') return <AnnouncementsScreen />;
  if (path === '/polls') return <PollsScreen />;
  params = match('/polls/:id', path);
  if (params && isId(params.id)) return <PollScreen id={Number(params.id)} />;
  if (path === '/profile') return <ProfileScreen />;
  return (
    <main class="page" id="main" tabIndex={-1}>
      <h1>{t('common.notFound')}</h1>
      <a href="/">{t('nav.home')}</a>
    </main>
  );
}

const isId = (value: string | undefined) => !!value && /^[1-9]\d{0,15}$/.test(value);
