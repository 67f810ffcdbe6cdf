// What several screens share: the signed-in citizen, the reference lists, the Message Box count and
// whether the phone is online. A tiny observable; components subscribe with useStore().
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../shared/api.js';
import { type Announcement, api, type Category, type District, type User } from './api.js';

export interface State {
  /** undefined while the first check runs; null when nobody is signed in. */
  user: User | null | undefined;
  districts: District[];
  categories: Category[];
  unread: number;
  online: boolean;
  announcements: Announcement[];
}

let state: State = {
  user: undefined,
  districts: [],
  categories: [],
  unread: 0,
  online: navigator.onLine,
  announcements: [],
};
const listeners = new Set<() => void>();

export const getState = () => state;
export function setState(patch: Partial<State>): void {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useStore(): State {
  const [, force] = useState(0);
  useEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, []);
  return state;
}

// Kept on the phone so that the app opens offline knowing who is signed in and what the lists hold.
const USER_KEY = 'cp.user';
const REFERENCE_KEY = 'cp.reference';

function readJson<T>(key: string): T | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}
function writeJson(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or refused: the app still works while the page is open.
  }
}

export function signedIn(user: User | null): void {
  writeJson(USER_KEY, user);
  setState({ user, ...(user ? {} : { unread: 0, announcements: [] }) });
}

/**
 * Who is signed in. The remembered answer shows at once (a repeat visit on a slow link does not wait
 * for the network); the portal's answer replaces it when it comes, and offline the remembered one stays.
 * With nothing remembered the app waits for the portal's answer rather than guessing "signed out": the
 * session cookie may still be good (storage cleared, or signed in from another tab of the same browser).
 */
export async function loadUser(): Promise<void> {
  if (state.user === undefined) {
    const remembered = readJson<User>(USER_KEY);
    if (remembered) setState({ user: remembered });
  }
  try {
    signedIn(await api.get<User>('/me'));
  } catch (err) {
    if (!(err instanceof ApiError && err.offline)) signedIn(null);
    else if (state.user === undefined) setState({ user: null });
  }
}

export async function loadReference(): Promise<void> {
  const cached = readJson<{ districts: District[]; categories: Category[] }>(REFERENCE_KEY);
  if (cached) setState(cached);
  try {
    const [districts, categories] = await Promise.all([
      api.get<District[]>('/districts'),
      api.get<Category[]>('/categories'),
    ]);
    setState({ districts, categories });
    writeJson(REFERENCE_KEY, { districts, categories });
  } catch {
    // Offline: the remembered lists serve.
  }
}

export function watchConnection(onOnline: () => void): void {
  window.addEventListener('online', () => {
    setState({ online: true });
    onOnline();
  });
  window.addEventListener('offline', () => setState({ online: false }));
}
