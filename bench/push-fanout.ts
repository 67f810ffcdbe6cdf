import { createECDH, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { countDeliveries } from '../server/src/modules/notifications/repo.js';
import { createPortal } from '../server/src/runtime.js';
import { benchDir, quick, record, serve } from './lib.js';

const JOB_CONCURRENCY = 2;
const PUSH_CONCURRENCY = 64;
/** Pushes in flight at once: batch jobs at a time x sends per batch; the ceiling loop keeps as many. */
const IN_FLIGHT = JOB_CONCURRENCY * PUSH_CONCURRENCY;
/** About what an encrypted announcement weighs on the wire. */
const BODY_BYTES = 230;

/** The ceiling: the same endpoint, the same number in flight, no encryption, no database. */
async function bareLoop(url: string, total: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const body = randomBytes(BODY_BYTES);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < total) {
        await new Promise<void>((resolve, reject) => {
          const req = http.request(
            `${url}/push/${next}`,
            {
              method: 'POST',
              agent,
              headers: { 'content-type': 'application/octet-stream', 'content-length': BODY_BYTES, ttl: 60 },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve());
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return total / seconds;
}

/** Citizens with two devices each, written in bulk: the fan-out reads them as it would real ones. */
async function seedDevices(
  portal: Awaited<ReturnType<typeof createPortal>>,
  endpoint: string,
  devices: number,
) {
  const db = portal.database.db;
  const district = await db.selectFrom('districts').select('id').orderBy('id').executeTakeFirstOrThrow();
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const p256dh = ecdh.getPublicKey().toString('base64url');
  const auth = randomBytes(16).toString('base64url');
  const now = new Date().toISOString();
  const citizens = devices / 2;
  const chunk = 1000;
  const languages = ['en', 'ur', 'ps'] as const;
  for (let from = 0; from < citizens; from += chunk) {
    await db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(chunk, citizens - from) }, (_, i) => {
        const n = from + i;
        return {
          name: `Bench citizen ${n}`,
          cnic_hash: `bench-${n}`,
          cnic_enc: 'x',
          mobile: `+9230${String(n).padStart(8, '0')}`,
          email: null,
          district_id: district.id,
          password_hash: 'x',
          language: languages[n % 3]!,
          status: 'active' as const,
          verified_at: now,
          blocked_at: null,
          blocked_reason: null,
          created_at: now,
          updated_at: now,
        };
      });
      const ids = await trx.insertInto('citizens').values(rows).returning('id').execute();
      await trx
        .insertInto('push_subscriptions')
        .values(
          ids.flatMap(({ id }, i) =>
            [0, 1].map((d) => ({
              citizen_id: id,
              endpoint: `${endpoint}/push/${(from + i) * 2 + d}`,
              p256dh,
              auth,
              user_agent: null,
              created_at: now,
            })),
          ),
        )
        .execute();
    });
  }
}

/** An emergency announcement to every device, through the queue, against a push service in another process. */
export async function benchPushFanout() {
  const devices = quick ? 20_000 : 100_000;
  const endpoint = await serve(path.join(benchDir, 'push-endpoint.ts'));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-bench-push-'));
  try {
    const ceiling = await bareLoop(endpoint.url, Math.min(devices, 30_000));
    const config = loadConfig({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      JOBS_CONCURRENCY: String(JOB_CONCURRENCY),
      JOBS_POLL_MS: '50',
      PUSH_CONCURRENCY: String(PUSH_CONCURRENCY),
      PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
    });
    const portal = await createPortal(config, createLogger(config));
    await seedDevices(portal, endpoint.url, devices);
    const { announcements } = portal.app.services;
    const started = performance.now();
    const created = await announcements.create(
      {
        severity: 'emergency',
        title: { en: 'Flood warning', ur: 'سیلاب کی وارننگ', ps: 'د سیلاب خبرداری' },
        body: {
          en: 'The river is rising. Move to higher ground now.',
          ur: 'دریا چڑھ رہا ہے۔ فوراً اونچی جگہ پر چلے جائیں۔',
          ps: 'سیند پورته کیږي. سمدستي لوړ ځای ته لاړ شئ.',
        },
        expiresAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
      },
      1,
    );
    await portal.jobs.start();
    const key = `a${created.id}`;
    for (;;) {
      const sent = await countDeliveries(portal.database.db, key);
      if (sent >= devices) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    const accepted = (await (await fetch(`${endpoint.url}/count`)).json()) as { accepted: number };
    await portal.close();
    const rate = devices / seconds;
    record({
      name: `push fan-out, ${devices.toLocaleString('en-US')} devices (sends/s)`,
      value: rate,
      unit: 'sends/s',
      ceilingName: 'bare HTTP loop, same endpoint',
      ceiling,
      target: null,
      detail: {
        seconds: Math.round(seconds * 10) / 10,
        accepted: accepted.accepted - Math.min(devices, 30_000),
      },
    });
    record({
      name: `push fan-out, ${devices.toLocaleString('en-US')} devices (time)`,
      value: seconds,
      unit: 's',
      ceilingName: null,
      ceiling: null,
      target: `100,000 in < 120 s (${Math.round((100_000 / rate) * 10) / 10} s at this rate)`,
      maxValue: (120 * devices) / 100_000,
    });
    record({
      name: 'push fan-out, 1,000,000 devices (projected)',
      value: 1_000_000 / rate,
      unit: 's',
      ceilingName: null,
      ceiling: null,
      target: null,
    });
  } finally {
    await endpoint.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// `tsx bench/push-fanout.ts` runs this benchmark alone.
if (process.argv[1] && path.resolve(process.argv[1]) === path.join(benchDir, 'push-fanout.ts')) {
  await benchPushFanout();
}
