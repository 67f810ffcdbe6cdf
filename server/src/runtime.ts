import path from 'node:path';
import { createEmailSender } from './adapters/email/index.js';
import { createSmsGateway } from './adapters/sms/index.js';
import { type App, buildApp } from './app.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { seedReferenceData } from './db/seed/seed.js';
import { createJobQueue } from './jobs/index.js';
import type { JobQueue } from './jobs/queue.js';
import type { Logger } from './logger.js';

export interface Portal {
  app: App;
  database: Database;
  jobs: JobQueue;
  close(): Promise<void>;
}

/** config -> database -> migrations -> reference data -> adapters -> app; shared by main, the CLI and tests. */
export async function createPortal(
  config: Readonly<Config>,
  logger: Logger,
  opts: { database?: Database; jobsSchema?: string } = {},
): Promise<Portal> {
  const database = opts.database ?? openDatabase(config);
  const applied = await migrateToLatest(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  const { seeded } = await seedReferenceData(database.db);
  if (seeded.length > 0) logger.info({ seeded }, 'reference data seeded');

  const outboxDir = path.join(config.dataDir, 'outbox');
  const sms = createSmsGateway({ provider: config.sms.provider, outboxDir, http: config.sms.http });
  const email = createEmailSender({
    provider: config.email.provider,
    outboxDir,
    smtp: config.email.smtpUrl ? { url: config.email.smtpUrl, from: config.email.from } : undefined,
  });
  const jobs = createJobQueue(database, {
    pollIntervalMs: config.jobs.pollIntervalMs,
    concurrency: config.jobs.concurrency,
    logger,
    databaseUrl: config.databaseUrl,
    pgBossSchema: opts.jobsSchema ?? (config.databaseSchema ? `${config.databaseSchema}_jobs` : undefined),
  });
  const app = await buildApp({ config, database, jobs, sms, email, logger });
  await app.ready();
  return {
    app,
    database,
    jobs,
    async close() {
      await app.close();
      await jobs.stop();
      await database.close();
    },
  };
}
