import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/database.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';

describe('migrations', () => {
  let t: TestDatabase;
  afterAll(async () => t?.destroy());

  it('apply every migration to an empty database, record each once, and are a no-op the second time', async () => {
    t = await createTestDatabase({ migrate: false });
    const applied = await migrateToLatest(t.database);
    expect(applied).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(t.database)).toEqual([]);
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      t.database.db,
    );
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
  });

  it('run concurrently from two connections without applying twice', async () => {
    const other = await createTestDatabase({ migrate: false });
    try {
      const results = await Promise.all([migrateToLatest(other.database), migrateToLatest(other.database)]);
      expect(results.flat().sort()).toEqual(Object.keys(migrations).sort());
    } finally {
      await other.destroy();
    }
  });
});
