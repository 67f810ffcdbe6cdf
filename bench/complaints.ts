import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { benchDir, load, quick, record, serve } from './lib.js';

interface Fixture {
  dataDir: string;
  citizenToken: string;
  busyCitizenToken: string;
  busyCitizenComplaints: number;
  officerToken: string;
  adminToken: string;
  categoryId: number;
  point: { lat: number; lng: number };
}

async function serveComplaints(env: Record<string, string> = {}) {
  const server = await serve(path.join(benchDir, 'complaints-server.ts'), env);
  const line = /FIXTURE (\{.*\})/.exec(server.output);
  if (!line) throw new Error('the complaints server did not print its fixture');
  return { server, fixture: JSON.parse(line[1]!) as Fixture };
}

/** Latency of one request at a time per worker, with percentiles the load generator does not give. */
async function latencies(url: string, headers: Record<string, string>, count: number, concurrency = 4) {
  const times: number[] = [];
  let failures = 0;
  let next = 0;
  // Warm-up: caches, prepared statements and JIT, as a running portal would have them.
  for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).arrayBuffer();
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
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), failures };
}

/** A JPEG of about `bytes` bytes: noise compresses badly, so a few tries find the side that gives that size. */
async function photo(bytes: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  let side = Math.round(Math.sqrt(bytes / 0.8));
  let out: Buffer = Buffer.alloc(0);
  for (let attempt = 0; attempt < 4; attempt++) {
    const noise = Buffer.alloc(side * side * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    out = await sharp(noise, { raw: { width: side, height: side, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    if (Math.abs(out.length - bytes) < bytes * 0.05) break;
    side = Math.round(side * Math.sqrt(bytes / out.length));
  }
  return out;
}

function multipart(fields: Record<string, string>, file: { name: string; type: string; data: Buffer }) {
  const boundary = `----portalbench${Date.now()}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Submission as JSON and with a 500 KB photo, on a fresh embedded portal. */
export async function benchSubmission(ceiling: { name: string; rps: number }) {
  const { server, fixture } = await serveComplaints();
  const fields = {
    category: String(fixture.categoryId),
    description: 'No water in our street for three days; the pipe near the mosque is broken.',
    lat: String(fixture.point.lat),
    lng: String(fixture.point.lng),
    accuracy: '15',
    consent: 'true',
  };
  const json = await load({
    url: `${server.url}/api/v1/complaints`,
    method: 'POST',
    connections: 10,
    headers: { authorization: `Bearer ${fixture.citizenToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      ...fields,
      category: fixture.categoryId,
      lat: fixture.point.lat,
      lng: fixture.point.lng,
      accuracy: 15,
      consent: true,
    }),
  });
  if (json.non2xx > 0) console.warn(`  (JSON submission answered ${json.non2xx} non-2xx)`);
  record({
    name: 'POST /api/v1/complaints (JSON)',
    value: json.rps,
    unit: 'req/s',
    ceilingName: ceiling.name,
    ceiling: ceiling.rps,
    target: '>= 25% of hello-world',
    minRatio: 0.25,
    detail: { p50: json.p50, p99: json.p99 },
  });

  const form = multipart(fields, { name: 'street.jpg', type: 'image/jpeg', data: await photo(500_000) });
  const withPhoto = await load({
    url: `${server.url}/api/v1/complaints`,
    method: 'POST',
    connections: 4,
    headers: { authorization: `Bearer ${fixture.citizenToken}`, 'content-type': form.contentType },
    body: form.body,
  });
  if (withPhoto.non2xx > 0) console.warn(`  (photo submission answered ${withPhoto.non2xx} non-2xx)`);
  record({
    name: `POST /api/v1/complaints + ${Math.round(form.body.length / 1000)} KB photo`,
    value: withPhoto.rps,
    unit: 'req/s',
    ceilingName: ceiling.name,
    ceiling: ceiling.rps,
    target: null,
    detail: { p50: withPhoto.p50, p99: withPhoto.p99 },
  });
  await server.stop();
}

/** The staff queue and the citizen's list on a generated data set (1,000,000 complaints; 100,000 with --quick). */
export async function benchQueues() {
  const size = quick ? 100_000 : 1_000_000;
  const dataDir = path.join(benchDir, '.data', `complaints-${size}`);
  if (!existsSync(path.join(dataDir, 'portal.sqlite'))) {
    console.log(
      `  generating ${size.toLocaleString('en-US')} complaints into ${path.relative(process.cwd(), dataDir)} (once)...`,
    );
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(benchDir, '..', 'server', 'src', 'cli.ts'),
        'generate',
        '--complaints',
        String(size),
      ],
      {
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }
  const { server, fixture } = await serveComplaints({ DATA_DIR: dataDir });
  const count = quick ? 300 : 1000;
  const rows: [string, string, string][] = [
    ['officer queue, first page', '/api/v1/staff/complaints?limit=25', fixture.officerToken],
    ['officer queue, overdue filter', '/api/v1/staff/complaints?limit=25&overdue=true', fixture.officerToken],
    ['officer queue, text search', '/api/v1/staff/complaints?limit=25&q=water', fixture.officerToken],
    ['admin queue, first page', '/api/v1/staff/complaints?limit=25', fixture.adminToken],
    [
      `citizen's list (${fixture.busyCitizenComplaints} complaints)`,
      '/api/v1/complaints?limit=20',
      fixture.busyCitizenToken,
    ],
  ];
  for (const [name, url, token] of rows) {
    const l = await latencies(`${server.url}${url}`, { authorization: `Bearer ${token}` }, count);
    if (l.failures > 0) console.warn(`  (${name}: ${l.failures} failed requests)`);
    record({
      name: `${name} @ ${size.toLocaleString('en-US')} p95`,
      value: l.p95,
      unit: 'ms',
      ceilingName: null,
      ceiling: null,
      target: name.startsWith('officer queue, first') ? 'p95 < 25 ms' : null,
      maxValue: name.startsWith('officer queue, first') ? 25 : undefined,
      detail: { p50: l.p50, p95: l.p95, p99: l.p99 },
    });
  }
  await server.stop();
}

/** Server memory while 10 videos upload at once (100 MB each; 20 MB with --quick), measured in its own process. */
export function benchUploadMemory() {
  const mb = quick ? 20 : 100;
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      path.join(benchDir, 'media-memory.ts'),
      '--uploads',
      '10',
      '--mb',
      String(mb),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const growth = /growth (\d+(?:\.\d+)?) MB/.exec(out);
  const accepted = /(\d+)\/(\d+) accepted/.exec(out);
  if (!growth || !accepted) throw new Error(`media-memory printed no figure:\n${out}`);
  if (accepted[1] !== accepted[2])
    console.warn(`  (only ${accepted[1]} of ${accepted[2]} uploads were accepted)`);
  record({
    name: `server memory growth, 10 concurrent ${mb} MB videos`,
    value: Number(growth[1]),
    unit: 'MB',
    ceilingName: null,
    ceiling: null,
    target: '< 64 MB',
    maxValue: 64,
  });
}
