import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { AdminScreen } from './admin/screens.js';
import { type ApiError, api, type StaffUser, whenSignedOut } from './api.js';
import { Console, type ConsoleContext, isSupervisorOrAdmin, useConsole } from './context.js';
import { asApiError } from './hooks.js';
import { LoginForm } from './login.js';
import { QueueScreen } from './queue/queue-screen.js';
import { useRoute } from './router.js';
import { t } from './strings.js';
import { ErrorRegion, Loading } from './widgets.js';

/**
 * Map tiles: the server's runtime settings (MAP_TILE_URL, in /app-config.json), else the page's
 * <meta name="portal-map-tiles">; none means the complaint page shows coordinates only.
 */
async function mapSettings(): Promise<{ tileUrl: string; attribution: string }> {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="portal-map-tiles"]')?.content ?? '';
  try {
    const res = await fetch('/app-config.json', { headers: { accept: 'application/json' } });
    if (res.ok) {
      const config = (await res.json()) as { mapTileUrl?: string | null; mapAttribution?: string };
      return { tileUrl: config.mapTileUrl ?? '', attribution: config.mapAttribution ?? '' };
    }
  } catch {
    // No settings from this server: the page's own.
  }
  return { tileUrl: meta, attribution: '' };
}

type Loaded = Omit<ConsoleContext, 'reloadReference'>;
type Session = { state: 'checking' } | { state: 'signed-out' } | { state: 'signed-in'; context: Loaded };

async function contextFor(user: StaffUser): Promise<Loaded> {
  const [districts, departments, categories, map] = await Promise.all([
    api.districts(),
    api.departments(),
    api.categories(),
    mapSettings(),
  ]);
  return { user, districts, departments, categories, tileUrl: map.tileUrl, tileAttribution: map.attribution };
}

export function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    whenSignedOut(() => setSession({ state: 'signed-out' }));
    api
      .me()
      .then(contextFor)
      .then(
        (context) => setSession({ state: 'signed-in', context }),
        (err) => {
          const e = asApiError(err);
          if (e.status !== 401) setError(e);
          setSession({ state: 'signed-out' });
        },
      );
  }, []);

  // Admins read the lists from their own routes: the public ones may be cached by the browser for minutes.
  const reloadReference = useCallback(async () => {
    const [departments, categories] = await Promise.all([api.staffDepartments(), api.staffCategories()]);
    setSession((s) =>
      s.state === 'signed-in'
        ? {
            ...s,
            context: {
              ...s.context,
              departments: departments.items.filter((d) => d.active),
              categories: categories.items.filter((c) => c.active),
            },
          }
        : s,
    );
  }, []);
  const context = useMemo(
    () => (session.state === 'signed-in' ? { ...session.context, reloadReference } : null),
    [session, reloadReference],
  );

  if (session.state === 'checking') return <Loading />;
  if (session.state === 'signed-out') {
    return (
      <>
        <ErrorRegion error={error} />
        <LoginForm
          onSignedIn={async (user) => setSession({ state: 'signed-in', context: await contextFor(user) })}
        />
      </>
    );
  }
  return (
    <Console.Provider value={context}>
      <Shell
        onSignOut={async () => {
          await api.logout().catch(() => undefined);
          setSession({ state: 'signed-out' });
        }}
      />
    </Console.Provider>
  );
}

const ADMIN_NAV: { screen: string; label: Parameters<typeof t>[0]; adminOnly: boolean }[] = [
  { screen: 'dashboards', label: 'nav.dashboards', adminOnly: false },
  { screen: 'reference', label: 'nav.reference', adminOnly: false },
  { screen: 'offices', label: 'nav.offices', adminOnly: true },
  { screen: 'routing', label: 'nav.routing', adminOnly: true },
  { screen: 'boundaries', label: 'nav.boundaries', adminOnly: true },
  { screen: 'announcements', label: 'nav.announcements', adminOnly: true },
  { screen: 'communications', label: 'nav.communications', adminOnly: true },
  { screen: 'polls', label: 'nav.polls', adminOnly: true },
  { screen: 'citizens', label: 'nav.citizens', adminOnly: true },
  { screen: 'staff', label: 'nav.staff', adminOnly: false },
  { screen: 'audit', label: 'nav.audit', adminOnly: true },
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const { user, departments } = useConsole();
  const department = departments.find((d) => d.id === user.departmentId);
  const nav = isSupervisorOrAdmin(user) ? ADMIN_NAV.filter((n) => !n.adminOnly || user.role === 'admin') : [];
  const current = route.name === 'admin' ? route.screen : 'queue';
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/">
          Citizen Portal <span>console</span>
        </a>
        <nav aria-label="Console sections">
          <a href="#/" aria-current={current === 'queue' ? 'page' : undefined}>
            {t('nav.queue')}
          </a>
          {nav.map((n) => (
            <a
              key={n.screen}
              href={`#/admin/${n.screen}`}
              aria-current={current === n.screen ? 'page' : undefined}
            >
              {t(n.label)}
            </a>
          ))}
        </nav>
        <div class="who">
          <span>
            {user.name} · {user.role}
            {department ? ` · ${department.name}` : ''}
          </span>
          <button type="button" class="link" onClick={onSignOut}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <main id="main">
        {route.name === 'queue' ? (
          <QueueScreen complaintId={route.complaintId} />
        ) : (
          <AdminScreen screen={route.screen} />
        )}
      </main>
    </div>
  );
}
