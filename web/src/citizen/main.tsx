// The citizen app: language first, then who is signed in, then the screens. The service worker, the
// outbox and the live Message Box start after the first render so they never delay it.
import { render } from 'preact';
import '../shared/base.css';
import './citizen.css';
import { App } from './app.js';
import { setUpI18n } from './i18n.js';
import { startLive, stopLive } from './live.js';
import { startOutbox } from './offline/outbox.js';
import { startRouter } from './router.js';
import { getState, loadReference, loadUser, subscribe, watchConnection } from './store.js';

/** The outbox and the live Message Box follow the session: they start when a citizen is signed in. */
function followSession() {
  let outboxStarted = false;
  let liveFor: number | null = null;
  const sync = () => {
    const { user, online } = getState();
    if (user && !outboxStarted) {
      outboxStarted = true;
      startOutbox();
    }
    if (user && online && liveFor !== user.id) {
      liveFor = user.id;
      startLive();
    } else if (!user && liveFor !== null) {
      liveFor = null;
      stopLive();
    }
  };
  subscribe(sync);
  sync();
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {
    // Without a service worker the app still works online.
  });
}

async function main() {
  await setUpI18n();
  startRouter();
  render(<App />, document.getElementById('app')!);
  watchConnection(() => void loadUser());
  await Promise.all([loadUser(), loadReference()]);
  followSession();
  registerServiceWorker();
}

void main();
