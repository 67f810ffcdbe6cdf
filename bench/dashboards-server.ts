import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { rebuildRollups } from '../server/src/modules/dashboards/rollup.js';
import { createPortal } from '../server/src/runtime.js';

// The portal on a generated data set (DATA_DIR for SQLite, or DATABASE_URL + DATABASE_SCHEMA), with an
// admin, a supervisor and an officer for the dashboard benchmark. Rollups are rebuilt once when empty (a
// data set generated before the dashboards existed). Prints FIXTURE {...} then LISTENING url.
const dataDir = process.env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  RATE_LIMITS: 'off',
  JOBS_WORKERS: 'false',
});
const portal = await createPortal(config, createLogger(config));
const db = portal.database.db;
const has = await db.selectFrom('rollups').select('period').limit(1).executeTakeFirst();
if (!has) {
  const started = Date.now();
  await rebuildRollups(db);
  if (portal.database.dialect === 'sqlite') await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
  console.error(`  (rebuilt the dashboard rollups in ${Math.round((Date.now() - started) / 1000)} s)`);
}
const address = await portal.app.listen({ port: 0, host: '127.0.0.1' });
const { services } = portal.app;
const suffix = Date.now().toString().slice(-7);
const districts = await services.geo.listDistricts();
const peshawar = districts.find((d) => d.code === 'peshawar')!;
const phe = (await services.geo.departments()).find((d) => d.code === 'phe')!;
async function account(role: 'officer' | 'supervisor' | 'admin') {
  const login = `bench-dash-${role}-${suffix}`;
  const staff = await services.staff.create({
    login,
    password: 'bench-passphrase-1',
    role,
    departmentId: role === 'admin' ? null : phe.id,
    districtIds: role === 'officer' ? [peshawar.id] : [],
  });
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/staff/auth/login',
    payload: { login, password: 'bench-passphrase-1' },
  });
  return { id: staff.id, token: res.json().token as string };
}
const count = await db
  .selectFrom('complaints')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .executeTakeFirstOrThrow();
const officer = await account('officer');
const category = await db
  .selectFrom('categories')
  .select('id')
  .where('code', '=', 'water-supply-no-water')
  .executeTakeFirstOrThrow();
const fixture = {
  complaints: Number(count.n),
  adminToken: (await account('admin')).token,
  supervisorToken: (await account('supervisor')).token,
  officerToken: officer.token,
  officerId: officer.id,
  peshawar: peshawar.id,
  category: category.id,
};
// BENCH_DASHBOARD_CACHE=off: every answer computed afresh, nothing reused between requests.
if (process.env.BENCH_DASHBOARD_CACHE === 'off') {
  const reuse = (services.dashboards as { reuseMs?: Record<string, number> }).reuseMs;
  if (reuse) for (const key of Object.keys(reuse)) reuse[key] = 0;
}
console.log(`FIXTURE ${JSON.stringify(fixture)}`);
console.log(`LISTENING ${address}`);
process.on('SIGTERM', () => void portal.close().then(() => process.exit(0)));
