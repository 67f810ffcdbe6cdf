import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Database } from './database.js';
import { columnTypes } from './migrations/helpers.js';
import { migrations } from './migrations/index.js';

class PortalMigrationProvider implements MigrationProvider {
  constructor(private readonly database: Database) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const types = columnTypes(this.database.dialect);
    return Object.fromEntries(
      Object.entries(migrations).map(([name, m]) => [name, { up: (db) => m.up(db, types) }]),
    );
  }
}

/**
 * Applies pending migrations in one transaction each. Kysely's migrator takes a lock (a row lock on
 * PostgreSQL), so several nodes starting at once apply each migration exactly once.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const migrator = new Migrator({
    db: database.db,
    provider: new PortalMigrationProvider(database),
    migrationTableSchema: database.dialect === 'postgres' ? await currentSchema(database) : undefined,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

async function currentSchema(database: Database): Promise<string> {
  const { rows } = await database.pgPool!.query<{ s: string }>('select current_schema() as s');
  return rows[0]?.s ?? 'public';
}
