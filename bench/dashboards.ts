import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { METRICS } from '../server/src/modules/dashboards/service.js';
import { benchDir, quick, record, serve } from './lib.js';

/**
 * Dashboard latency on a generated data set: 1,000,000 complaints on embedded SQLite (100,000 with
 * --quick), shared with the queue benchmark under bench/.data/. With BENCH_PG_URL=postgres://... the same
 * runs on PostgreSQL too, in the schema bench_complaints_N (N from --pg-complaints, default 1,000,000;
 * 10,000,000 is the target size), generated once with `portal generate --fast`.
 * Each endpoint is asked `count` times, one request at a time (a person at a dashboard); the ceiling is the bare
 * Fastify hello-world asked the same way in this run. The drill-down is asked for each figure in each scope;
 * the answers the portal reuses for a few seconds are asked again from a portal that reuses nothing.
 * `--engine sqlite|postgres` measures one engine only.
 */
interface Fixture {
  complaints: number;
  adminToken: string;
  supervisorToken: string;
  officerToken: string;
  officerId: number;
  peshawar: number;
  category: number;
}

async function latencies(url: string, headers: Record<string, string>, count: number, concurrency = 1) {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  for (let i = 0; i < 10; i++) await (await fetch(url, { headers })).arrayBuffer();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const started = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        times.push(performance.now() - started);
        if (!res.ok) failures++;
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), failures };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

function cli(args: string[], env: Record<string, string>) {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', path.join(benchDir, '..', 'server', 'src', 'cli.ts'), ...args],
    {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

async function startServer(env: Record<string, string>) {
  const server = await serve(path.join(benchDir, 'dashboards-server.ts'), env);
  const line = /FIXTURE (\{.*\})/.exec(server.output);
  if (!line) throw new Error('the dashboards server did not print its fixture');
  return { server, f: JSON.parse(line[1]!) as Fixture };
}

type Row = [name: string, url: string, token: string];
const d = '/api/v1/staff/dashboards';
const year = () => `from=${day(-364)}&to=${day(0)}`;
// Khyber Pakhtunkhwa's box: a view wide enough for the heat map's wider cells.
const province = 'minLat=31&minLng=69&maxLat=37&maxLng=74.5';

/** Answers that may be reused for a while (overdue counts, heat maps): measured again without reuse. */
function reusedRows(f: Fixture): Row[] {
  return [
    ['summary, a year, admin', `${d}/summary?${year()}`, f.adminToken],
    ['by office, a year, admin', `${d}/breakdown?by=office&${year()}`, f.adminToken],
    ...heatRows(f),
  ];
}

function heatRows(f: Fixture): Row[] {
  return [
    ['heat map, a year, admin', `${d}/heatmap?${year()}`, f.adminToken],
    ['heat map, 30 days, admin', `${d}/heatmap`, f.adminToken],
    ['heat map, a year, supervisor', `${d}/heatmap?${year()}`, f.supervisorToken],
    ['heat map, a year, officer', `${d}/heatmap?${year()}`, f.officerToken],
    ['heat map, a year, one category, admin', `${d}/heatmap?${year()}&category=${f.category}`, f.adminToken],
    ['heat map, a year, the province in view, admin', `${d}/heatmap?${year()}&${province}`, f.adminToken],
    [
      'heat map, a year, the province in view, supervisor',
      `${d}/heatmap?${year()}&${province}`,
      f.supervisorToken,
    ],
  ];
}

export async function measureDashboards(engine: string, env: Record<string, string>, ceilingP95: number) {
  let { server, f } = await startServer(env);
  const size = f.complaints.toLocaleString('en-US');
  const rows: Row[] = [
    ['summary, 30 days, admin', `${d}/summary`, f.adminToken],
    ['summary, a year, admin', `${d}/summary?${year()}`, f.adminToken],
    ['summary, a year, supervisor', `${d}/summary?${year()}`, f.supervisorToken],
    ['summary, a year, officer', `${d}/summary?${year()}`, f.officerToken],
    ['by district, a year, admin', `${d}/breakdown?by=district&${year()}`, f.adminToken],
    ['by office, a year, admin', `${d}/breakdown?by=office&${year()}`, f.adminToken],
    ['by category, a year, admin', `${d}/breakdown?by=category&${year()}`, f.adminToken],
    ['by officer, a year, supervisor', `${d}/breakdown?by=officer&${year()}`, f.supervisorToken],
    ['per day, 90 days, admin', `${d}/series?interval=day&from=${day(-89)}&to=${day(0)}`, f.adminToken],
    ['per week, a year, admin', `${d}/series?interval=week&${year()}`, f.adminToken],
    [
      'per month, 18 months, admin',
      `${d}/series?interval=month&from=${day(-547)}&to=${day(0)}`,
      f.adminToken,
    ],
    ['league of districts, a year', `${d}/league?by=district&${year()}`, f.adminToken],
    ...heatRows(f),
    ['public figures (30 days)', '/api/v1/public/figures', ''],
    ['public map points', '/api/v1/public/map', ''],
  ];
  // The complaints behind each figure (first page, the last 30 days), in each scope.
  const scopes = { admin: f.adminToken, supervisor: f.supervisorToken, officer: f.officerToken };
  const drill: Row[] = [];
  for (const metric of METRICS) {
    for (const [who, token] of Object.entries(scopes)) {
      drill.push([`drill-down, ${metric}, ${who}`, `${d}/complaints?metric=${metric}&limit=25`, token]);
    }
  }
  for (const [who, token] of Object.entries(scopes)) {
    const url = `${d}/complaints?metric=resolved&limit=25&${year()}`;
    drill.push([`drill-down, resolved, a year, ${who}`, url, token]);
  }
  drill.push([
    'drill-down, received, a year, one category, admin',
    `${d}/complaints?metric=received&limit=25&${year()}&category=${f.category}`,
    f.adminToken,
  ]);
  drill.push([
    'drill-down, resolved by one officer, a year, admin',
    `${d}/complaints?metric=resolved&limit=25&${year()}&officer=${f.officerId}`,
    f.adminToken,
  ]);
  // A later page: the fifth page of the officer's resolutions of the year, by its cursor.
  let later = `${d}/complaints?metric=resolved&limit=25&${year()}`;
  for (let page = 0; page < 4; page++) {
    const res = await fetch(`${server.url}${later}`, {
      headers: { authorization: `Bearer ${f.officerToken}` },
    });
    const next = ((await res.json()) as { nextCursor: string | null }).nextCursor;
    if (!next) break;
    later = `${d}/complaints?metric=resolved&limit=25&${year()}&cursor=${next}`;
  }
  drill.push(['drill-down, resolved, a year, officer, 5th page', later, f.officerToken]);

  const measure = async (name: string, url: string, token: string, count: number) => {
    const l = await latencies(
      `${server.url}${url}`,
      token ? { authorization: `Bearer ${token}` } : {},
      count,
    );
    if (l.failures > 0) console.warn(`  (${name}: ${l.failures} failed requests)`);
    record({
      name: `dashboard ${name} @ ${size} ${engine} p95`,
      value: l.p95,
      unit: 'ms',
      ceilingName: 'hello-world p95',
      ceiling: ceilingP95,
      target: 'p95 < 300 ms',
      maxValue: 300,
      detail: { p50: l.p50, p95: l.p95 },
    });
    console.log(`    p50 ${l.p50} ms`);
  };
  for (const [name, url, token] of rows) await measure(name, url, token, quick ? 40 : 100);
  for (const [name, url, token] of drill) await measure(name, url, token, quick ? 30 : 60);
  await server.stop();

  // The same portal reusing nothing between requests: the cost of each answer computed afresh.
  ({ server, f } = await startServer({ ...env, BENCH_DASHBOARD_CACHE: 'off' }));
  for (const [name, url, token] of reusedRows(f))
    await measure(`${name}, uncached`, url, token, quick ? 40 : 100);
  await server.stop();
}

/** A PostgreSQL schema holding N generated complaints, made once (set-based) and reused. */
export async function pgDataset(url: string, n: number) {
  const schema = `bench_complaints_${n}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const exists = await client.query(
    `select 1 from information_schema.tables where table_schema = $1 and table_name = 'complaints'`,
    [schema],
  );
  let filled = false;
  if (exists.rowCount) {
    const r = await client.query(`select count(*)::bigint as n from ${schema}.complaints`);
    filled = Number(r.rows[0].n) >= n;
  }
  if (!filled) {
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`create schema ${schema}`);
  }
  await client.end();
  if (!filled) {
    console.log(
      `  generating ${n.toLocaleString('en-US')} complaints into PostgreSQL schema ${schema} (once)...`,
    );
    cli(['generate', '--complaints', String(n), '--fast'], { DATABASE_URL: url, DATABASE_SCHEMA: schema });
  }
  return { DATABASE_URL: url, DATABASE_SCHEMA: schema };
}

export async function benchDashboards() {
  const hello = await serve(path.join(benchDir, 'hello.ts'));
  const ceiling = await latencies(`${hello.url}/`, {}, quick ? 60 : 200);
  await hello.stop();
  record({
    name: 'hello-world p95, same loop as the dashboards',
    value: ceiling.p95,
    unit: 'ms',
    ceilingName: null,
    ceiling: null,
    target: null,
  });

  // --engine sqlite|postgres measures one of them only.
  const engineFlag = process.argv.indexOf('--engine');
  const only = engineFlag > 0 ? process.argv[engineFlag + 1] : undefined;
  const size = quick ? 100_000 : 1_000_000;
  const dataDir = path.join(benchDir, '.data', `complaints-${size}`);
  if (only !== 'postgres' && !existsSync(path.join(dataDir, 'portal.sqlite'))) {
    console.log(
      `  generating ${size.toLocaleString('en-US')} complaints into ${path.relative(process.cwd(), dataDir)} (once)...`,
    );
    cli(['generate', '--complaints', String(size)], { DATA_DIR: dataDir });
  }
  if (only !== 'postgres') await measureDashboards('SQLite', { DATA_DIR: dataDir }, ceiling.p95);

  const pgUrl = process.env.BENCH_PG_URL;
  if (only === 'sqlite') return;
  if (pgUrl) {
    const flag = process.argv.indexOf('--pg-complaints');
    const n = flag > 0 ? Number(process.argv[flag + 1]) : quick ? 100_000 : 1_000_000;
    await measureDashboards('PostgreSQL', await pgDataset(pgUrl, n), ceiling.p95);
  } else {
    console.log(
      '  (dashboards on PostgreSQL skipped: set BENCH_PG_URL=postgres://... and --pg-complaints N)',
    );
  }
}
