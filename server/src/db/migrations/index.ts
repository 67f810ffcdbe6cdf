import { foundation } from './20261128T1500-foundation.js';
import type { PortalMigration } from './helpers.js';

/** Every migration, in order. The name is recorded when it runs; never rename or reorder one that shipped. */
export const migrations: Record<string, PortalMigration> = {
  '20261128T1500-foundation': foundation,
};
