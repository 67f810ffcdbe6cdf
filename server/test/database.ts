import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';

export type TestEngine = 'sqlite' | 'postgres';

/** The engine this test file runs on: the vitest project sets TEST_ENGINE. */
export function testEngine(): TestEngine {
  return process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestDatabase {
  database: Database;
  engine: TestEngine;
  dataDir: string;
  databaseUrl: string | null;
  schema: string | null;
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a temporary SQLite file, or a new PostgreSQL schema
 * that is dropped afterwards, so test files run in parallel without sharing rows.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const engine = testEngine();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
  let schema: string | null = null;
  let databaseUrl: string | null = null;
  if (engine === 'postgres') {
    databaseUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? null;
    if (!databaseUrl) throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL');
    // Inside a test run the run's global tear-down drops the schema; see postgres-run.ts.
    const run = process.env.PORTAL_TEST_RUN;
    schema = run ? `t_${run}_${randomBytes(6).toString('hex')}` : `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
  }
  const database = openDatabase({ databaseUrl, databaseSchema: schema, dataDir });
  if (opts.migrate !== false) await migrateToLatest(database);
  return {
    database,
    engine,
    dataDir,
    databaseUrl,
    schema,
    async destroy() {
      await database.close();
      if (schema && databaseUrl && !process.env.PORTAL_TEST_RUN) {
        const admin = new pg.Client({ connectionString: databaseUrl });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.query(`drop schema if exists ${schema}_jobs cascade`);
        await admin.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
