import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestCodeFor } from '../server/src/adapters/sms/outbox.js';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { createPortal } from '../server/src/runtime.js';

// The portal on DATA_DIR (a fresh one, or the generated million), with a verified citizen, a Peshawar
// water-supply officer and an admin for the complaint benchmarks. Prints FIXTURE {...} then LISTENING url.
const dataDir = process.env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMITS: 'off' });
const portal = await createPortal(config, createLogger(config));
await portal.jobs.start();
const address = await portal.app.listen({ port: 0, host: '127.0.0.1' });
const { services } = portal.app;

const suffix = Date.now().toString().slice(-7);
const districts = await services.geo.listDistricts();
const peshawar = districts.find((d) => d.code === 'peshawar')!;
const citizen = { cnic: `17301${suffix}3`, mobile: `+92301${suffix}`, password: 'a-long-passphrase' };
const reg = await portal.app.inject({
  method: 'POST',
  url: '/api/v1/auth/register',
  payload: { name: 'Bench Citizen', ...citizen, district: peshawar.id, language: 'en' },
});
if (reg.statusCode !== 201) throw new Error(reg.body);
await portal.jobs.drain();
const code = await latestCodeFor(path.join(dataDir, 'outbox'), citizen.mobile);
const verified = await portal.app.inject({
  method: 'POST',
  url: '/api/v1/auth/verify',
  payload: { mobile: citizen.mobile, code },
});
const citizenToken = verified.json().token as string;

const departments = await services.geo.departments();
const phe = departments.find((d) => d.code === 'phe')!;
async function staffToken(role: 'officer' | 'admin') {
  const login = `bench-${role}-${suffix}`;
  await services.staff.create({
    login,
    password: 'bench-passphrase-1',
    role,
    departmentId: role === 'admin' ? null : phe.id,
    districtIds: role === 'admin' ? [] : [peshawar.id],
  });
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/staff/auth/login',
    payload: { login, password: 'bench-passphrase-1' },
  });
  return res.json().token as string;
}
const category = (await services.geo.categories()).find((c) => c.code === 'water-supply-no-water')!;
// A generated citizen with the most complaints, for the citizen's own list on the big data set.
const busiest = await portal.database.db
  .selectFrom('complaints')
  .select(['citizen_id', (eb) => eb.fn.countAll<number>().as('n')])
  .where('citizen_id', 'is not', null)
  .groupBy('citizen_id')
  .orderBy('n', 'desc')
  .limit(1)
  .executeTakeFirst();
const busyCitizenToken = busiest?.citizen_id
  ? (await services.sessions.create(portal.database.db, 'citizen', busiest.citizen_id, {})).token
  : citizenToken;
const fixture = {
  busyCitizenToken,
  busyCitizenComplaints: Number(busiest?.n ?? 0),
  dataDir,
  citizenToken,
  officerToken: await staffToken('officer'),
  adminToken: await staffToken('admin'),
  categoryId: category.id,
  point: { lat: peshawar.hq.lat, lng: peshawar.hq.lng },
};
console.log(`FIXTURE ${JSON.stringify(fixture)}`);
console.log(`LISTENING ${address}`);
process.on('SIGTERM', () => void portal.close().then(() => process.exit(0)));
