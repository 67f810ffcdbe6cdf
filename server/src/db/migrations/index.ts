import { foundation } from './20261128T1500-foundation.js';
import { complaints } from './20261128T2000-complaints.js';
import { notifications } from './20261129T0300-notifications.js';
import { dashboards } from './20261129T0400-dashboards.js';
import { dashboardReads } from './20261129T0700-dashboard-reads.js';
import { overdueRollup } from './20261129T1100-overdue-rollup.js';
import type { PortalMigration } from './helpers.js';

/** Every migration, in order. The name is recorded when it runs; never rename or reorder one that shipped. */
export const migrations: Record<string, PortalMigration> = {
  '20261128T1500-foundation': foundation,
  '20261128T2000-complaints': complaints,
  '20261129T0300-notifications': notifications,
  '20261129T0400-dashboards': dashboards,
  '20261129T0700-dashboard-reads': dashboardReads,
  '20261129T1100-overdue-rollup': overdueRollup,
};
