import { isAdmin, isSupervisorOrAdmin, useConsole } from '../context.js';
import { AnnouncementsScreen } from './announcements.js';
import { AuditScreen } from './audit.js';
import { BoundariesScreen } from './boundaries.js';
import { CitizensScreen } from './citizens.js';
import { CommunicationsScreen } from './communications.js';
import { DashboardsScreen } from './dashboards.js';
import { OfficesScreen } from './offices.js';
import { PollsScreen } from './polls.js';
import { ReferenceScreen } from './reference.js';
import { RoutingScreen } from './routing.js';
import { StaffScreen } from './staff.js';

const SCREENS = {
  dashboards: { render: DashboardsScreen, adminOnly: false },
  reference: { render: ReferenceScreen, adminOnly: false },
  offices: { render: OfficesScreen, adminOnly: true },
  routing: { render: RoutingScreen, adminOnly: true },
  boundaries: { render: BoundariesScreen, adminOnly: true },
  announcements: { render: AnnouncementsScreen, adminOnly: true },
  communications: { render: CommunicationsScreen, adminOnly: true },
  polls: { render: PollsScreen, adminOnly: true },
  citizens: { render: CitizensScreen, adminOnly: true },
  staff: { render: StaffScreen, adminOnly: false },
  audit: { render: AuditScreen, adminOnly: true },
} as const;

/** The supervisors' and admins' screens; the server enforces the same roles, this only hides what would fail. */
export function AdminScreen({ screen }: { screen: string }) {
  const { user } = useConsole();
  const entry = SCREENS[screen as keyof typeof SCREENS];
  if (!entry) return <p class="admin-screen">No such screen.</p>;
  if (!isSupervisorOrAdmin(user) || (entry.adminOnly && !isAdmin(user))) {
    return <p class="admin-screen">This screen is for admins.</p>;
  }
  const Screen = entry.render;
  return (
    <div class="admin-screen">
      <Screen />
    </div>
  );
}
