import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL project's global set-up. Test files drop nothing while others run: Kysely's migrator
 * introspects every table in the database, and a schema dropped under that query fails it with
 * "schema ... does not exist". So each run names its schemas after a run id, and they are dropped
 * once, after the last file.
 */
export default function setup() {
  const run = randomBytes(4).toString('hex');
  process.env.PORTAL_TEST_RUN = run;
  return async () => {
    const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (!url) return;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ name: string }>(
        "select nspname as name from pg_namespace where nspname like 't\\_' || $1 || '\\_%'",
        [run],
      );
      for (const { name } of rows) await admin.query(`drop schema if exists "${name}" cascade`);
    } finally {
      await admin.end();
    }
  };
}
