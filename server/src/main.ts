import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createPortal } from './runtime.js';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config);
  const portal = await createPortal(config, logger);
  if (config.jobs.startWorkers) await portal.jobs.start();
  await portal.app.listen({ port: config.port, host: config.host });

  const hasAdmin = await portal.app.services.staff.hasAdmin();
  const local = `http://localhost:${config.port}`;
  const lines = [
    '',
    `  Citizen Portal is running on ${config.publicUrl === local ? local : `${local} (public URL ${config.publicUrl})`}`,
    `    citizen app        ${local}/`,
    `    officers' console  ${local}/console`,
    `    API documentation  ${local}/api/docs`,
    `    data               ${portal.database.dialect === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}`,
    config.sms.provider === 'outbox'
      ? `    SMS                not sent: written to ${config.dataDir}/outbox/sms.jsonl (set SMS_PROVIDER=http for a gateway)`
      : '    SMS                through the HTTP gateway',
    ...(hasAdmin
      ? []
      : [
          '',
          '  No admin account yet. Create the first one with:',
          '    npm run portal -- staff create --role admin --login admin --password <a strong password>',
        ]),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  // Stop taking connections, let requests in flight finish, stop workers, then close the database.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await portal.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
