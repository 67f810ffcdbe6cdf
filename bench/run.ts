import path from 'node:path';
import { argon2Rate } from './argon2-raw.js';
import { benchQueues, benchSubmission, benchUploadMemory } from './complaints.js';
import { benchDashboards } from './dashboards.js';
import { benchDir, load, quick, record, serve, writeResults } from './lib.js';
import { benchPushFanout } from './push-fanout.js';
import { benchWebBudget } from './web-budget.js';

// Every figure is printed beside a ceiling measured in this same run on this machine, as a ratio.
console.log(`Citizen Portal benchmarks${quick ? ' (quick)' : ''}\n`);

// --only dashboards|accounts: that part alone (with its own ceiling), without rewriting the results file.
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only === 'dashboards') {
  await benchDashboards();
  process.exit(0);
}

const hello = await serve(path.join(benchDir, 'hello.ts'));
const ceiling = await load({ url: `${hello.url}/` });
await hello.stop();
record({
  name: 'bare Fastify hello-world',
  value: ceiling.rps,
  unit: 'req/s',
  ceilingName: null,
  ceiling: null,
  target: null,
  detail: { p50: ceiling.p50, p99: ceiling.p99 },
});

const portal = await serve(path.join(benchDir, 'portal-server.ts'));
const fixtureLine = /FIXTURE (\{.*\})/.exec(portal.output);
if (!fixtureLine) throw new Error('the portal did not print its fixture');
const f = JSON.parse(fixtureLine[1]!) as { token: string; cnic: string; password: string };

const me = await load({ url: `${portal.url}/api/v1/me`, headers: { authorization: `Bearer ${f.token}` } });
if (me.non2xx > 0) console.warn(`  (GET /api/v1/me answered ${me.non2xx} non-2xx)`);
record({
  name: 'GET /api/v1/me with a session',
  value: me.rps,
  unit: 'req/s',
  ceilingName: 'bare Fastify hello-world',
  ceiling: ceiling.rps,
  target: '>= 50% of hello-world',
  minRatio: 0.5,
  detail: { p50: me.p50, p99: me.p99 },
});

const concurrency = 4;
const rawArgon = await argon2Rate(quick ? 3 : 8, concurrency);
record({
  name: 'raw argon2id verify',
  value: rawArgon,
  unit: 'ops/s',
  ceilingName: null,
  ceiling: null,
  target: null,
});
const login = await load({
  url: `${portal.url}/api/v1/auth/login`,
  method: 'POST',
  connections: concurrency,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ login: f.cnic, password: f.password }),
});
if (login.non2xx > 0) console.warn(`  (login answered ${login.non2xx} non-2xx)`);
record({
  name: 'POST /api/v1/auth/login',
  value: login.rps,
  unit: 'req/s',
  ceilingName: 'raw argon2id verify',
  ceiling: rawArgon,
  target: '>= 80% of raw argon2',
  minRatio: 0.8,
  detail: { p50: login.p50, p99: login.p99 },
});
await portal.stop();
if (only === 'accounts') process.exit(0);

await benchSubmission({ name: 'bare Fastify hello-world', rps: ceiling.rps });
await benchQueues();
await benchDashboards();
benchUploadMemory();
await benchPushFanout();

await benchWebBudget();

writeResults();
