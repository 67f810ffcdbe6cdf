/**
 * Memory of the media pipeline under load: 10 concurrent 100 MB video uploads stream through the portal's
 * multipart reader (the same plugin settings, reader and MediaService the complaint form uses) into local
 * storage, over real HTTP. The uploads are sent by a child process, so the figure is the server's own RSS
 * growth above its warmed-up baseline. Target: < 64 MB.
 *
 *   npx tsx bench/media-memory.ts [--uploads 10] [--mb 100] [--photos]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import multipart from '@fastify/multipart';
import Fastify from 'fastify';
import sharp from 'sharp';
import { createStorage } from '../server/src/adapters/storage/index.js';
import { loadConfig } from '../server/src/config.js';
import { openDatabase } from '../server/src/db/database.js';
import { migrateToLatest } from '../server/src/db/migrate.js';
import { registerErrorHandling } from '../server/src/http/error-handler.js';
import { createJobQueue } from '../server/src/jobs/index.js';
import { createLogger } from '../server/src/logger.js';
import { closeUnreadUploads, multipartPluginOptions } from '../server/src/modules/media/multipart.js';
import { MediaService } from '../server/src/modules/media/service.js';

const MB = 1024 * 1024;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** ftyp + the start of an mdat box: file-type reads an MP4, the rest is filler. */
function mp4Head(): Buffer {
  const ftyp = Buffer.alloc(24);
  ftyp.writeUInt32BE(24, 0);
  ftyp.write('ftypisom', 4, 'latin1');
  ftyp.write('isomavc1', 16, 'latin1');
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(0, 0);
  mdat.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdat]);
}

// ---- the client (a child process): N concurrent multipart uploads, generated lazily ----
async function client(url: string, uploads: number, bytes: number, photo: Buffer | null) {
  const boundary = '----portalbench';
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="clip.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      );
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const file = photo ?? mp4Head();
      const total = photo ? photo.length : bytes;
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      let sent = 0;
      const write = () => {
        while (true) {
          let next: Buffer;
          if (sent === 0) next = Buffer.concat([head, file.subarray(0, Math.min(file.length, 64 * 1024))]);
          else if (sent < file.length) next = file.subarray(sent, Math.min(file.length, sent + 64 * 1024));
          else next = chunk.subarray(0, Math.min(chunk.length, total - sent));
          sent += sent === 0 ? next.length - head.length : next.length;
          const more = req.write(next);
          if (sent >= total) {
            req.end(tail);
            return;
          }
          if (!more) {
            req.once('drain', write);
            return;
          }
        }
      };
      write();
    });
  const started = Date.now();
  const statuses = await Promise.all(Array.from({ length: uploads }, one));
  return { statuses, seconds: (Date.now() - started) / 1000 };
}

if (process.argv[2] === '--client') {
  const [url, uploads, bytes, photoFlag] = process.argv.slice(3);
  const photo = photoFlag === 'photo' ? await bigPhoto() : null;
  const result = await client(url!, Number(uploads), Number(bytes), photo);
  process.send!(result);
  process.exit(0);
}

/** A 12-megapixel phone photo with detail, about 5 MB as JPEG. */
async function bigPhoto(): Promise<Buffer> {
  return sharp({
    create: {
      width: 4000,
      height: 3000,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 30 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

// ---- the server: this process ----
const uploads = arg('uploads', 10);
const megabytes = arg('mb', 100);
const photos = process.argv.includes('--photos');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'portal-media-bench-'));
const config = loadConfig(
  { DATA_DIR: dataDir, LOG_LEVEL: 'silent', MEDIA_MAX_VIDEO_MB: String(Math.max(megabytes, 100)) },
  { writeSecrets: false },
);
const logger = createLogger(config);
const database = openDatabase(config);
await migrateToLatest(database);
const jobs = createJobQueue(database, { pollIntervalMs: 1000, concurrency: 1, logger, databaseUrl: null });
const media = new MediaService({ db: database.db, storage: createStorage(config), jobs, logger, config });

const app = Fastify({ bodyLimit: 1024 * 1024 });
registerErrorHandling(app);
await app.register(multipart, multipartPluginOptions(config.media));
app.addHook('onSend', closeUnreadUploads);
app.post('/upload', async (request) => {
  const form = await media.readForm(request, { fieldNames: [] });
  // Not attached: removed again so the disk does not fill during long runs.
  await media.discard(form.files);
  return { files: form.files.length, bytes: form.files.reduce((n, f) => n + f.bytes, 0) };
});
const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/upload`;

async function run(n: number, bytes: number, kind: 'video' | 'photo') {
  const child = fork(process.argv[1]!, ['--client', url, String(n), String(bytes), kind], {
    execArgv: process.execArgv,
  });
  return new Promise<{ statuses: number[]; seconds: number }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { statuses: number[]; seconds: number }));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`client exited with ${code}`)));
  });
}

async function measure(label: string, n: number, bytes: number, kind: 'video' | 'photo') {
  // Warm-up: sharp, file-type, the storage directories and the JIT, as in a running portal.
  await run(2, 4 * MB, kind);
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const baseline = process.memoryUsage();
  let peak = baseline.rss;
  let peakHeap = baseline.heapUsed;
  let peakExternal = baseline.external;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExternal = Math.max(peakExternal, m.external);
  }, 10);
  const { statuses, seconds } = await run(n, bytes, kind);
  clearInterval(sampler);
  const ok = statuses.filter((s) => s === 200).length;
  const growth = (peak - baseline.rss) / MB;
  console.log(`  ${label}`);
  console.log(
    `    ${ok}/${n} accepted in ${seconds.toFixed(1)} s (${((n * bytes) / MB / seconds).toFixed(0)} MB/s)`,
  );
  console.log(
    `    RSS ${Math.round(baseline.rss / MB)} MB -> peak ${Math.round(peak / MB)} MB: growth ${growth.toFixed(1)} MB` +
      `  (heap +${((peakHeap - baseline.heapUsed) / MB).toFixed(1)} MB, external +${((peakExternal - baseline.external) / MB).toFixed(1)} MB)`,
  );
  return { ok, growth };
}

console.log(`media pipeline memory (${os.cpus().length} CPUs, Node ${process.version})`);
const video = await measure(
  `${uploads} concurrent ${megabytes} MB video uploads`,
  uploads,
  megabytes * MB,
  'video',
);
const target = video.growth < 64 && video.ok === uploads;
console.log(`    target < 64 MB growth: ${target ? 'met' : 'MISSED'}`);
if (photos) {
  const photo = await bigPhoto();
  await measure(
    `${uploads} concurrent 12-megapixel photos (${(photo.length / MB).toFixed(1)} MB each)`,
    uploads,
    photo.length,
    'photo',
  );
}

await app.close();
await jobs.stop();
await database.close();
rmSync(dataDir, { recursive: true, force: true });
process.exitCode = target ? 0 : 1;
