import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, buildCitizen, buildStaff, type RegisteredCitizen } from '../../../test/factories.js';
import * as samples from '../../../test/media-samples.js';
import { createTestPortal, errorOf, type TestPortal } from '../../../test/portal.js';
import { LocalStorage } from '../../adapters/storage/local.js';
import { registerErrorHandling } from '../../http/error-handler.js';
import { createLogger } from '../../logger.js';
import { closeUnreadUploads, multipartPluginOptions } from './multipart.js';
import { type MediaItem, MediaService, type StagedMedia, SWEEP_QUEUE } from './service.js';

const MB = 1024 * 1024;

type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType?: string; data: Buffer | Readable };

/** A multipart/form-data body, streamed part by part so a large file is never built in memory. */
function form(parts: Part[]): { payload: Readable; headers: Record<string, string> } {
  const boundary = `----portal${randomBytes(8).toString('hex')}`;
  async function* body() {
    for (const part of parts) {
      if ('value' in part) {
        yield Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        );
        continue;
      }
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
          `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n\r\n`,
      );
      if (Buffer.isBuffer(part.data)) yield part.data;
      else yield* part.data;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return {
    payload: Readable.from(body(), { objectMode: false }),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

describe('media', () => {
  let portal: TestPortal;
  let media: MediaService;
  let owner: RegisteredCitizen;
  let stranger: RegisteredCitizen;
  let admin: Awaited<ReturnType<typeof buildStaff>>;
  let officer: Awaited<ReturnType<typeof buildStaff>>;
  let otherOfficer: Awaited<ReturnType<typeof buildStaff>>;
  let formApp: FastifyInstance;
  let complaintId: number;
  let mediaDir: string;
  let tmpDir: string;
  let nextId = 900_000;

  /** A complaint of the citizen, held by PHE Peshawar (inserted directly: the complaint service is not under test). */
  async function makeComplaint(citizenId: number | null): Promise<number> {
    const db = portal.database.db;
    const dept = await db
      .selectFrom('departments')
      .select('id')
      .where('code', '=', 'phe')
      .executeTakeFirstOrThrow();
    const category = await db
      .selectFrom('categories')
      .select('id')
      .where('department_id', '=', dept.id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const office = await db
      .selectFrom('offices')
      .select(['id', 'district_id'])
      .where('code', '=', 'phe.peshawar')
      .executeTakeFirstOrThrow();
    const id = nextId++;
    const now = new Date().toISOString();
    await db
      .insertInto('complaints')
      .values({
        id,
        tracking_number: `KP-2026-${id}`,
        citizen_id: citizenId,
        source: 'app',
        category_id: category.id,
        department_id: dept.id,
        office_id: office.id,
        district_id: office.district_id,
        description: 'Water pipe burst in the street',
        status: 'assigned',
        due_at: now,
        consent_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();
    return id;
  }

  async function attachTo(id: number, staged: StagedMedia[]): Promise<MediaItem[]> {
    return portal.database.db
      .transaction()
      .execute((trx) =>
        media.attach(trx, staged, { complaintId: id, uploader: { type: 'citizen', id: owner.id } }),
      );
  }

  async function upload(id: number, bytes: Buffer): Promise<MediaItem> {
    const [item] = await attachTo(id, [await media.stage(samples.streamOf(bytes))]);
    return item!;
  }

  /** Every file the media module has on disk: stored objects and spool files. */
  function files(): string[] {
    const walk = (dir: string): string[] =>
      existsSync(dir)
        ? readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
            e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
          )
        : [];
    return [...walk(mediaDir), ...walk(tmpDir)].sort();
  }

  const get = (url: string, headers: Record<string, string> = {}) =>
    portal.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    portal = await createTestPortal({
      RATE_LIMITS: 'off',
      MEDIA_MAX_PHOTO_MB: '1',
      MEDIA_MAX_AUDIO_MB: '1',
      MEDIA_MAX_VIDEO_MB: '2',
      MEDIA_MAX_FILES: '3',
    });
    media = portal.app.services.media;
    mediaDir = path.join(portal.t.dataDir, 'media');
    tmpDir = path.join(portal.t.dataDir, 'tmp');
    owner = await buildCitizen(portal);
    stranger = await buildCitizen(portal);
    admin = await buildStaff(portal, { role: 'admin' });
    officer = await buildStaff(portal, { role: 'officer', department: 'phe', districts: ['peshawar'] });
    otherOfficer = await buildStaff(portal, {
      role: 'officer',
      department: 'health',
      districts: ['peshawar'],
    });
    complaintId = await makeComplaint(owner.id);

    // The form reader on a bare Fastify with the portal's multipart settings and error handler.
    const config = {
      maxPhotoBytes: MB,
      maxAudioBytes: MB,
      maxVideoBytes: 2 * MB,
      maxFiles: 3,
      maxPhotoPixels: 50e6,
    };
    formApp = Fastify();
    registerErrorHandling(formApp);
    await formApp.register(multipart, multipartPluginOptions(config));
    formApp.addHook('onSend', closeUnreadUploads);
    formApp.post('/form', async (request) => {
      const read = await media.readForm(request, { fieldNames: ['description', 'note'], maxFieldBytes: 100 });
      return { fields: read.fields, files: read.files };
    });
    await formApp.ready();
  });
  afterAll(async () => {
    await formApp?.close();
    await portal?.destroy();
  });

  describe('multipart forms', () => {
    const post = (parts: Part[]) => formApp.inject({ method: 'POST', url: '/form', ...form(parts) });

    it('stages each file as it arrives and returns the fields', async () => {
      const res = await post([
        { name: 'description', value: 'Overflowing drain' },
        { name: 'media', filename: 'IMG_0001.jpg', contentType: 'image/jpeg', data: await samples.jpeg() },
        { name: 'media', filename: 'voice.amr', contentType: 'audio/amr', data: samples.audio.amr() },
        { name: 'note', value: 'near the mosque' },
      ]);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { fields: Record<string, string>; files: StagedMedia[] };
      expect(body.fields).toEqual({ description: 'Overflowing drain', note: 'near the mosque' });
      expect(body.files.map((f) => [f.kind, f.mime])).toEqual([
        ['photo', 'image/jpeg'],
        ['audio', 'audio/amr'],
      ]);
      await media.discard(body.files);
    });

    it('never uses the sent file name: a path-traversal name lands under a generated key', async () => {
      const evil = path.resolve(portal.t.dataDir, '..', 'escaped.jpg');
      const res = await post([
        { name: 'media', filename: '../../escaped.jpg', data: await samples.jpeg() },
        { name: 'media', filename: '../../../../etc/passwd', data: samples.audio.mp3() },
      ]);
      expect(res.statusCode).toBe(200);
      const staged = (res.json() as { files: StagedMedia[] }).files;
      for (const file of staged) expect(file.key).toMatch(/^\d{4}\/\d{2}\/[0-9a-f]{32}\.(jpg|mp3)$/);
      expect(existsSync(evil)).toBe(false);
      expect(files().every((f) => f.startsWith(mediaDir))).toBe(true);
      await media.discard(staged);
    });

    // Each failure comes after a good file was already staged: that file must be gone too.
    const failures: [string, () => Promise<Part[]>, number, string][] = [
      [
        'a text file named x.jpg',
        async () => [
          { name: 'media', filename: 'x.jpg', contentType: 'image/jpeg', data: samples.refused.textAsJpeg() },
        ],
        415,
        'unsupported_media',
      ],
      [
        'a zip',
        async () => [{ name: 'media', filename: 'a.mp4', data: samples.refused.zip() }],
        415,
        'unsupported_media',
      ],
      [
        'an SVG',
        async () => [{ name: 'media', filename: 'a.png', data: samples.refused.svg() }],
        415,
        'unsupported_media',
      ],
      [
        'HTML',
        async () => [{ name: 'media', filename: 'a.webp', data: samples.refused.html() }],
        415,
        'unsupported_media',
      ],
      [
        'a truncated JPEG',
        async () => [{ name: 'media', filename: 'a.jpg', data: await samples.truncatedJpeg() }],
        415,
        'unreadable_media',
      ],
      [
        'a video over its limit',
        async () => [
          { name: 'media', filename: 'a.mp4', data: samples.streamOf(samples.video.mp4(), 2 * MB + 1) },
        ],
        413,
        'file_too_large',
      ],
      [
        'a fourth file',
        async () => [
          { name: 'media', filename: 'b.jpg', data: await samples.jpeg() },
          { name: 'media', filename: 'c.jpg', data: await samples.jpeg() },
          { name: 'media', filename: 'd.jpg', data: await samples.jpeg() },
        ],
        413,
        'too_many_files',
      ],
      ['an unknown field', async () => [{ name: 'citizen_id', value: '1' }], 400, 'unknown_field'],
      [
        'a file in another field',
        async () => [{ name: 'avatar', filename: 'a.jpg', data: await samples.jpeg() }],
        400,
        'unknown_field',
      ],
      [
        'a repeated field',
        async () => [
          { name: 'note', value: 'a' },
          { name: 'note', value: 'b' },
        ],
        400,
        'duplicate_field',
      ],
      ['an oversized field', async () => [{ name: 'note', value: 'x'.repeat(101) }], 413, 'field_too_large'],
    ];
    it.each(failures)('refuses %s and removes every staged file', async (_name, make, status, code) => {
      const before = files();
      const res = await post([
        { name: 'description', value: 'first a good photo' },
        { name: 'media', filename: 'good.jpg', data: await samples.jpeg() },
        ...(await make()),
      ]);
      expect(res.statusCode).toBe(status);
      expect(errorOf(res).code).toBe(code);
      expect(files()).toEqual(before);
    });

    it('aborts a too-large upload while it streams, and closes the connection to stop the sender', async () => {
      const before = files();
      const address = await formApp.listen({ port: 0, host: '127.0.0.1' });
      const upload = samples.streamOf(samples.video.mp4(), 200 * MB);
      const f = form([
        { name: 'media', filename: 'good.jpg', data: await samples.jpeg() },
        { name: 'media', filename: 'huge.mp4', data: upload },
      ]);
      const res = await new Promise<{ status: number; body: string; connection?: string }>(
        (resolve, reject) => {
          const req = http.request(`${address}/form`, { method: 'POST', headers: f.headers }, (response) => {
            let body = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              body += chunk;
            });
            response.on('error', reject);
            // Settled once the request is over too: had the server kept reading, all 200 MB would be sent.
            let pending = 2;
            const settle = () => {
              if (--pending === 0)
                resolve({ status: response.statusCode!, body, connection: response.headers.connection });
            };
            response.on('end', settle);
            req.on('close', settle);
          });
          // The server hangs up on the rest of the upload: that is the point.
          req.on('error', () => {});
          f.payload.pipe(req);
        },
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error).toMatchObject({
        code: 'file_too_large',
        message: 'A video may be at most 2 MB.',
      });
      expect(res.connection).toBe('close');
      // 2 MB and what sat in socket buffers, not 200 MB.
      expect(upload.pulled()).toBeLessThan(40 * MB);
      await vi.waitFor(() => expect(files()).toEqual(before));
    });

    it('refuses a broken form and a body that is not a form', async () => {
      const before = files();
      const cut = await formApp.inject({
        method: 'POST',
        url: '/form',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        payload: Buffer.concat([
          Buffer.from('--xyz\r\nContent-Disposition: form-data; name="media"; filename="a.jpg"\r\n\r\n'),
          (await samples.jpeg()).subarray(0, 300),
        ]),
      });
      expect(cut.statusCode).toBeGreaterThanOrEqual(400);
      expect(cut.statusCode).toBeLessThan(500);
      expect(['malformed_body', 'upload_aborted', 'unreadable_media']).toContain(errorOf(cut).code);
      expect(files()).toEqual(before);
      const json = await formApp.inject({ method: 'POST', url: '/form', payload: { description: 'x' } });
      expect(json.statusCode).toBe(415);
      expect(errorOf(json).code).toBe('unsupported_media_type');
    });

    it('stages concurrent and repeated uploads of one file under their own keys', async () => {
      const photo = await samples.jpeg(120, 90);
      const results = await Promise.all(
        Array.from({ length: 6 }, () => post([{ name: 'media', filename: 'same.jpg', data: photo }])),
      );
      const staged = results.map((r) => (r.json() as { files: StagedMedia[] }).files[0]!);
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      expect(new Set(staged.map((s) => s.key)).size).toBe(6);
      expect(new Set(staged.map((s) => s.sha256)).size).toBe(1);
      await media.discard(staged);
    });
  });

  describe('attaching', () => {
    it('records files in the transaction and counts them on the complaint', async () => {
      const id = await makeComplaint(owner.id);
      const staged = [
        await media.stage(samples.streamOf(await samples.png())),
        await media.stage(samples.streamOf(samples.video.webm())),
      ];
      const items = await attachTo(id, staged);
      expect(items.map((i) => [i.kind, i.mime, i.complaintId, i.moderation])).toEqual([
        ['photo', 'image/jpeg', id, 'ok'],
        ['video', 'video/webm', id, 'ok'],
      ]);
      expect(items[0]!.url).toBe(`/api/v1/media/${items[0]!.id}`);
      expect(items[0]!.thumbUrl).toBe(`/api/v1/media/${items[0]!.id}/thumb`);
      expect(items[1]!.thumbUrl).toBeNull();
      const row = await portal.database.db
        .selectFrom('complaints')
        .select('media_count')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row.media_count).toBe(2);
      expect(await media.listForComplaint(portal.database.db, id, { includeHidden: false })).toEqual(items);
    });

    it('stores nothing when the transaction rolls back, and refuses to run outside one', async () => {
      const id = await makeComplaint(owner.id);
      const staged = await media.stage(samples.streamOf(samples.audio.opus()));
      await expect(
        portal.database.db.transaction().execute(async (trx) => {
          await media.attach(trx, [staged], { complaintId: id, uploader: { type: 'citizen', id: owner.id } });
          throw new Error('complaint insert failed');
        }),
      ).rejects.toThrow('complaint insert failed');
      expect(await media.listForComplaint(portal.database.db, id, { includeHidden: true })).toEqual([]);
      await expect(
        media.attach(portal.database.db as never, [staged], {
          complaintId: id,
          uploader: { type: 'citizen', id: null },
        }),
      ).rejects.toThrow(/inside a transaction/);
      await media.discard([staged]);
    });
  });

  describe('serving', () => {
    let photo: MediaItem;
    let clip: MediaItem;
    let clipBytes: Buffer;

    beforeAll(async () => {
      photo = await upload(complaintId, await samples.jpegWithGps(300, 200));
      clipBytes = Buffer.concat([samples.video.mp4(), randomBytes(50_000)]);
      clip = await upload(complaintId, clipBytes);
    });

    it('serves the owner their file with safe headers', async () => {
      const res = await get(clip.url, bearer(owner.token));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('video/mp4');
      expect(Number(res.headers['content-length'])).toBe(clipBytes.length);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('private');
      expect(res.headers['accept-ranges']).toBe('bytes');
      expect(res.headers['content-disposition']).toBe(
        `inline; filename="complaint-${complaintId}-media-${clip.id}.mp4"`,
      );
      expect(res.rawPayload).toEqual(clipBytes);
      const head = await portal.app.inject({ method: 'HEAD', url: clip.url, headers: bearer(owner.token) });
      expect(head.statusCode).toBe(200);
      expect(Number(head.headers['content-length'])).toBe(clipBytes.length);
      expect(head.rawPayload.length).toBe(0);
    });

    it('serves a photo without its EXIF, and its thumbnail', async () => {
      const res = await get(photo.url, bearer(owner.token));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('image/jpeg');
      const meta = await sharp(res.rawPayload).metadata();
      expect([meta.width, meta.height, meta.exif]).toEqual([300, 200, undefined]);
      expect(res.rawPayload.includes('CheapPhone')).toBe(false);
      const thumb = await get(photo.thumbUrl!, bearer(owner.token));
      expect(thumb.statusCode).toBe(200);
      expect(thumb.headers['content-type']).toBe('image/jpeg');
      expect((await sharp(thumb.rawPayload).metadata()).width).toBe(300);
      const none = await get(`${clip.url}/thumb`, bearer(owner.token));
      expect(none.statusCode).toBe(404);
    });

    it('answers byte ranges with 206 and Content-Range', async () => {
      const size = clipBytes.length;
      const first = await get(clip.url, { ...bearer(owner.token), range: 'bytes=0-99' });
      expect(first.statusCode).toBe(206);
      expect(first.headers['content-range']).toBe(`bytes 0-99/${size}`);
      expect(Number(first.headers['content-length'])).toBe(100);
      expect(first.rawPayload).toEqual(clipBytes.subarray(0, 100));
      const seek = await get(clip.url, { ...bearer(owner.token), range: 'bytes=40000-' });
      expect(seek.statusCode).toBe(206);
      expect(seek.headers['content-range']).toBe(`bytes 40000-${size - 1}/${size}`);
      expect(seek.rawPayload).toEqual(clipBytes.subarray(40000));
      const tail = await get(clip.url, { ...bearer(owner.token), range: 'bytes=-500' });
      expect(tail.rawPayload).toEqual(clipBytes.subarray(size - 500));
      const several = await get(clip.url, { ...bearer(owner.token), range: 'bytes=0-1,5-6' });
      expect(several.statusCode).toBe(200);
      expect(several.rawPayload.length).toBe(size);
    });

    it('answers 416 in the error shape to a range outside the file', async () => {
      for (const range of [`bytes=${clipBytes.length}-`, 'bytes=50-10', 'bytes=-0']) {
        const res = await get(clip.url, { ...bearer(owner.token), range });
        expect(res.statusCode).toBe(416);
        expect(res.headers['content-range']).toBe(`bytes */${clipBytes.length}`);
        expect(errorOf(res).code).toBe('range_not_satisfiable');
      }
    });

    it('opens for staff in scope, with either a bearer token or the cookie', async () => {
      expect((await get(clip.url, bearer(admin.token))).statusCode).toBe(200);
      expect((await get(clip.url, bearer(officer.token))).statusCode).toBe(200);
      const cookie = await get(clip.url, { cookie: `cp_staff_session=${officer.token}` });
      expect(cookie.statusCode).toBe(200);
      const citizenCookie = await get(clip.url, { cookie: `cp_session=${owner.token}` });
      expect(citizenCookie.statusCode).toBe(200);
    });

    it('answers 404, not 403, to everyone else, and 401 without a session', async () => {
      for (const res of [
        await get(clip.url, bearer(stranger.token)),
        await get(photo.thumbUrl!, bearer(stranger.token)),
        await get(clip.url, bearer(otherOfficer.token)),
        await get('/api/v1/media/999999', bearer(owner.token)),
      ]) {
        expect(res.statusCode).toBe(404);
        expect(errorOf(res).code).toBe('not_found');
      }
      const anonymous = await get(clip.url);
      expect(anonymous.statusCode).toBe(401);
      expect(errorOf(anonymous).code).toBe('unauthenticated');
      const wrongId = await get('/api/v1/media/abc', bearer(owner.token));
      expect(wrongId.statusCode).toBe(400);
    });
  });

  describe('moderation', () => {
    const moderate = (id: number, token: string, payload: Record<string, unknown>) =>
      portal.app.inject({
        method: 'POST',
        url: `/api/v1/staff/media/${id}/moderation`,
        headers: bearer(token),
        payload,
      });

    it('hides a file from everyone but admins, and shows it again', async () => {
      const item = await upload(complaintId, samples.audio.m4a());
      const res = await moderate(item.id, officer.token, {
        verdict: 'illegal',
        reason: 'Shows a private person',
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: item.id, moderation: 'illegal' });
      const row = await portal.database.db
        .selectFrom('media')
        .selectAll()
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      expect([row.moderated_by, row.moderation_reason]).toEqual([officer.id, 'Shows a private person']);
      expect((await get(item.url, bearer(owner.token))).statusCode).toBe(404);
      expect((await get(item.url, bearer(officer.token))).statusCode).toBe(404);
      expect((await get(item.url, bearer(admin.token))).statusCode).toBe(200);
      const visible = await media.listForComplaint(portal.database.db, complaintId, { includeHidden: false });
      expect(visible.map((m) => m.id)).not.toContain(item.id);
      const all = await media.listForComplaint(portal.database.db, complaintId, { includeHidden: true });
      expect(all.map((m) => m.id)).toContain(item.id);

      const back = await moderate(item.id, officer.token, { verdict: 'ok' });
      expect(back.statusCode).toBe(200);
      expect((await get(item.url, bearer(owner.token))).statusCode).toBe(200);
    });

    it('refuses bad verdicts, missing reasons, citizens and staff out of scope', async () => {
      const item = await upload(complaintId, samples.audio.aac());
      const bad = await moderate(item.id, officer.token, { verdict: 'delete', reason: 'x' });
      expect(bad.statusCode).toBe(400);
      expect(errorOf(bad).fields).toHaveProperty('verdict');
      const noReason = await moderate(item.id, officer.token, { verdict: 'irrelevant', reason: ' ' });
      expect(noReason.statusCode).toBe(400);
      expect(errorOf(noReason).fields).toHaveProperty('reason');
      const extra = await moderate(item.id, officer.token, { verdict: 'ok', reason: 'x', moderated_by: 1 });
      expect(extra.statusCode).toBe(400);
      const citizen = await moderate(item.id, owner.token, { verdict: 'illegal', reason: 'spam spam' });
      expect(citizen.statusCode).toBe(403);
      const outside = await moderate(item.id, otherOfficer.token, {
        verdict: 'illegal',
        reason: 'spam spam',
      });
      expect(outside.statusCode).toBe(404);
      const missing = await moderate(999_999, admin.token, { verdict: 'illegal', reason: 'spam spam' });
      expect(missing.statusCode).toBe(404);
      const row = await portal.database.db
        .selectFrom('media')
        .selectAll()
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      expect([row.moderation, row.moderated_by]).toEqual(['ok', null]);
    });

    it('runs the onModerated hook in the same transaction: a failing hook undoes the verdict', async () => {
      const item = await upload(complaintId, samples.audio.mp3());
      const seen: unknown[] = [];
      const hooked = new MediaService({
        db: portal.database.db,
        storage: new LocalStorage({ root: mediaDir, tmpDir }),
        jobs: portal.jobs,
        logger: createLogger({ logLevel: 'silent' }),
        config: {
          dataDir: portal.t.dataDir,
          media: {
            maxPhotoBytes: MB,
            maxAudioBytes: MB,
            maxVideoBytes: MB,
            maxFiles: 3,
            maxPhotoPixels: 1e6,
          },
        },
        onModerated: async (_trx, change) => {
          seen.push(change);
          if (change.after.moderation === 'irrelevant') throw new Error('audit log unavailable');
        },
      });
      await hooked.moderateNow(item.id, { staffId: admin.id, verdict: 'illegal', reason: 'Graphic injury' });
      expect(seen).toEqual([
        {
          staffId: admin.id,
          before: expect.objectContaining({ id: item.id, moderation: 'ok' }),
          after: expect.objectContaining({ id: item.id, moderation: 'illegal' }),
        },
      ]);
      await expect(
        hooked.moderateNow(item.id, { staffId: admin.id, verdict: 'irrelevant', reason: 'Unrelated photo' }),
      ).rejects.toThrow('audit log unavailable');
      expect((await media.find(item.id)).moderation).toBe('illegal');
    });
  });

  describe('orphan sweep', () => {
    it('removes objects without a row and stale spool files, keeping what has a row', async () => {
      const id = await makeComplaint(owner.id);
      const kept = await media.stage(samples.streamOf(await samples.jpeg()));
      await attachTo(id, [kept]);
      // A crash between the storage write and the commit leaves these without a row.
      const orphanPhoto = await media.stage(samples.streamOf(await samples.jpeg()));
      const orphanClip = await media.stage(samples.streamOf(samples.video.threeGp()));
      mkdirSync(tmpDir, { recursive: true });
      writeFileSync(path.join(tmpDir, 'upload-crashed'), 'half an upload');
      writeFileSync(path.join(tmpDir, 'someone-elses-file'), 'not ours');
      mkdirSync(path.join(mediaDir, 'backups'), { recursive: true });
      writeFileSync(path.join(mediaDir, 'backups', 'notes.txt'), 'an operator file');

      // Fresh objects may belong to a form still uploading: an hour-old cut-off keeps them.
      expect(await media.sweepOrphans(60)).toEqual({ removed: 0 });

      // Age everything by a day.
      const old = new Date(Date.now() - 24 * 3600_000);
      for (const file of files()) utimesSync(file, old, old);
      utimesSync(path.join(tmpDir, 'someone-elses-file'), old, old);
      const { removed } = await media.sweepOrphans();
      const orphans = [orphanPhoto.key, orphanPhoto.thumbKey!, orphanClip.key];
      expect(removed).toBeGreaterThanOrEqual(orphans.length + 1);
      for (const key of orphans) expect(existsSync(path.join(mediaDir, key))).toBe(false);
      for (const key of [kept.key, kept.thumbKey!]) expect(existsSync(path.join(mediaDir, key))).toBe(true);
      expect(existsSync(path.join(tmpDir, 'upload-crashed'))).toBe(false);
      expect(existsSync(path.join(tmpDir, 'someone-elses-file'))).toBe(true);
      expect(existsSync(path.join(mediaDir, 'backups', 'notes.txt'))).toBe(true);

      // An orphan from long ago is left to an operator's full sweep, which finds it.
      const ancient = '2019/03/0123456789abcdef0123456789abcdef.mp4';
      mkdirSync(path.join(mediaDir, '2019', '03'), { recursive: true });
      writeFileSync(path.join(mediaDir, ancient), 'old');
      utimesSync(path.join(mediaDir, ancient), old, old);
      expect(await media.sweepOrphans()).toEqual({ removed: 0 });
      expect(await media.sweepOrphans(360, { allMonths: true })).toEqual({ removed: 1 });
      expect(existsSync(path.join(mediaDir, ancient))).toBe(false);
      // Every attached file survived, and is still served.
      const rows = await portal.database.db
        .selectFrom('media')
        .select(['storage_key', 'thumb_key'])
        .execute();
      for (const row of rows) {
        expect(statSync(path.join(mediaDir, row.storage_key)).isFile()).toBe(true);
        if (row.thumb_key) expect(statSync(path.join(mediaDir, row.thumb_key)).isFile()).toBe(true);
      }
    });

    it('books one sweep per hour, however many nodes ask, and the run books the next', async () => {
      const pending = async () =>
        (await portal.jobs.stats())
          .filter((s) => s.queue === SWEEP_QUEUE && (s.state === 'pending' || s.state === 'retry'))
          .reduce((n, s) => n + s.count, 0);
      // The portal booked the next hour at start; more nodes starting in the same hour add nothing.
      const start = await pending();
      expect(start).toBe(1);
      await media.scheduleSweep();
      await media.scheduleSweep();
      expect(await pending()).toBe(1);
      // The run at the top of the next hour books the hour after it.
      const nextHour = new Date((Math.floor(Date.now() / 3600_000) + 1) * 3600_000 + 1000);
      await media.scheduleSweep(nextHour);
      expect(await pending()).toBe(2);
    });
  });

  describe('through the complaint form', () => {
    it('files a complaint with a photo and a voice note, served back to the citizen', async () => {
      const category = (await portal.app.services.geo.categories()).find(
        (c) => c.code === 'water-supply-no-water',
      )!;
      const f = form([
        { name: 'category', value: String(category.id) },
        { name: 'description', value: 'No water for three days' },
        { name: 'lat', value: '34.0151' },
        { name: 'lng', value: '71.5249' },
        { name: 'consent', value: 'true' },
        { name: 'media', filename: 'tap.jpg', data: await samples.jpegWithGps() },
        { name: 'media', filename: 'note.amr', data: samples.audio.amr() },
      ]);
      const res = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/complaints',
        payload: f.payload,
        headers: { ...bearer(owner.token), ...f.headers },
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = (res.json() as { id: number }).id;
      const items = await media.listForComplaint(portal.database.db, id, { includeHidden: false });
      expect(items.map((i) => i.kind)).toEqual(['photo', 'audio']);
      const photo = await get(items[0]!.url, bearer(owner.token));
      expect(photo.statusCode).toBe(200);
      expect((await sharp(photo.rawPayload).metadata()).exif).toBeUndefined();
      expect((await get(items[1]!.url, bearer(stranger.token))).statusCode).toBe(404);
    });

    it('keeps nothing when the form is refused half-way', async () => {
      const category = (await portal.app.services.geo.categories()).find(
        (c) => c.code === 'water-supply-no-water',
      )!;
      const before = files();
      const f = form([
        { name: 'category', value: String(category.id) },
        { name: 'description', value: 'Sewage' },
        { name: 'consent', value: 'true' },
        { name: 'media', filename: 'ok.jpg', data: await samples.jpeg() },
        { name: 'media', filename: 'x.jpg', data: samples.refused.html() },
      ]);
      const res = await portal.app.inject({
        method: 'POST',
        url: '/api/v1/complaints',
        payload: f.payload,
        headers: { ...bearer(owner.token), ...f.headers },
      });
      expect(res.statusCode).toBe(415);
      expect(files()).toEqual(before);
    });
  });
});
