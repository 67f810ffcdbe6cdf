import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestCodeFor } from '../server/src/adapters/sms/outbox.js';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { createPortal } from '../server/src/runtime.js';

// The portal as `npm start` runs it, on a fresh data directory, plus one verified citizen for the benches.
const dataDir = process.env.DATA_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMITS: 'off' });
const portal = await createPortal(config, createLogger(config));
await portal.jobs.start();
const address = await portal.app.listen({ port: 0, host: '127.0.0.1' });

const districts = await portal.app.services.geo.listDistricts();
const citizen = { cnic: '17301-1234567-3', mobile: '+923001234567', password: 'a-long-passphrase' };
const reg = await portal.app.inject({
  method: 'POST',
  url: '/api/v1/auth/register',
  payload: { name: 'Bench Citizen', ...citizen, district: districts[0]!.id, language: 'en' },
});
if (reg.statusCode !== 201 && reg.statusCode !== 409) throw new Error(reg.body);
if (reg.statusCode === 201) {
  await portal.jobs.drain();
  const code = await latestCodeFor(path.join(dataDir, 'outbox'), citizen.mobile);
  await portal.app.inject({
    method: 'POST',
    url: '/api/v1/auth/verify',
    payload: { mobile: citizen.mobile, code },
  });
}
const login = await portal.app.inject({
  method: 'POST',
  url: '/api/v1/auth/login',
  payload: { login: citizen.cnic, password: citizen.password },
});
console.log(`FIXTURE ${JSON.stringify({ ...citizen, token: login.json().token, dataDir })}`);
console.log(`LISTENING ${address}`);
process.on('SIGTERM', () => void portal.close().then(() => process.exit(0)));
