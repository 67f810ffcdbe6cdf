import { foundation } from './20261128T1500-foundation.js';
import { complaints } from './20261128T2000-complaints.js';
import type { PortalMigration } from './helpers.js';

/** Every migration, in order. The name is recorded when it runs; never rename or reorder one that shipped. */
export const migrations: Record<string, PortalMigration> = {
  '20261128T1500-foundation': foundation,
  '20261128T2000-complaints': complaints,
};
