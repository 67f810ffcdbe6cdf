// Live Message Box count: the portal's Server-Sent Events stream says how many items are unread and the
// newest id; screens that show the inbox reload when it changes. EventSource reconnects by itself.
import { type Announcement, api } from './api.js';
import { getState, setState } from './store.js';

type Listener = (latestId: number) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

export function onInboxChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startLive(): void {
  if (source || !getState().user || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/inbox/stream', { withCredentials: true });
  source.addEventListener('inbox', (event) => {
    const data = JSON.parse((event as MessageEvent<string>).data) as {
      unread: number;
      latestId: number | null;
    };
    setState({ unread: data.unread });
    for (const listener of listeners) listener(data.latestId ?? 0);
  });
  source.onerror = () => {
    // Signed out on another tab, or the session expired: stop instead of retrying forever.
    if (source?.readyState === EventSource.CLOSED) stopLive();
  };
  void loadAnnouncements();
}

export function stopLive(): void {
  source?.close();
  source = null;
}

export async function loadAnnouncements(): Promise<void> {
  try {
    const { items } = await api.get<{ items: Announcement[] }>('/announcements');
    setState({ announcements: items });
  } catch {
    // Offline or the portal has no announcements yet: the banner waits for the next try.
  }
}
