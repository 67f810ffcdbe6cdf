import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createPortal, type Portal } from '../src/runtime.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestPortal extends Portal {
  t: TestDatabase;
  outboxDir: string;
  /** Runs every due job (SMS, email, ...) now. */
  drain(): Promise<number>;
  destroy(): Promise<void>;
}

/** A whole portal on a fresh database of this run's engine, with the SMS and email outboxes in a temp dir. */
export async function createTestPortal(
  env: Record<string, string> = {},
  opts: { logStream?: { write(line: string): void } } = {},
): Promise<TestPortal> {
  const t = await createTestDatabase({ migrate: false });
  const config = loadConfig({
    DATA_DIR: t.dataDir,
    LOG_LEVEL: opts.logStream ? 'trace' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl, DATABASE_SCHEMA: t.schema! } : {}),
    ...env,
  });
  const portal = await createPortal(config, createLogger(config, opts.logStream), { database: t.database });
  return {
    ...portal,
    t,
    outboxDir: `${t.dataDir}/outbox`,
    drain: () => portal.jobs.drain(),
    async destroy() {
      await portal.app.close();
      await portal.jobs.stop();
      await t.destroy();
    },
  };
}

/** Asserts the one error shape and returns it. */
export function errorOf(res: LightMyRequestResponse): {
  code: string;
  message: string;
  fields?: Record<string, string>;
} {
  const body = res.json() as { error?: { code: string; message: string; fields?: Record<string, string> } };
  if (!body.error || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`expected the error shape, got ${res.statusCode} ${res.body}`);
  }
  return body.error;
}
