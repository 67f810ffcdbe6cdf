import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as samples from '../../../test/media-samples.js';
import { LocalStorage } from '../../adapters/storage/local.js';
import { AppError } from '../../errors.js';
import { inPhotoSlot, type MediaLimits, originalKeyOf, type PipelineDeps, stageMedia } from './pipeline.js';

const MB = 1024 * 1024;
const LIMITS: MediaLimits = {
  maxPhotoBytes: 1 * MB,
  maxAudioBytes: 2 * MB,
  maxVideoBytes: 3 * MB,
  maxFiles: 3,
  maxPhotoPixels: 4_000_000,
};

const roots: string[] = [];
afterAll(() => {
  for (const dir of roots) rmSync(dir, { recursive: true, force: true });
});

let deps: PipelineDeps;
let mediaRoot: string;
beforeEach(() => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-pipeline-'));
  roots.push(dir);
  mediaRoot = path.join(dir, 'media');
  deps = {
    storage: new LocalStorage({ root: mediaRoot, tmpDir: path.join(dir, 'tmp') }),
    tmpDir: path.join(dir, 'tmp'),
    limits: LIMITS,
  };
});

async function storedKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of deps.storage.list('')) keys.push(item.key);
  return keys.sort();
}

function spoolFiles(): string[] {
  try {
    return readdirSync(deps.tmpDir);
  } catch {
    return [];
  }
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

async function read(key: string): Promise<Buffer> {
  return buffer((await deps.storage.get(key)).body);
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('stageMedia', () => {
  it.each([
    ['M4A', samples.audio.m4a, 'audio', 'audio/mp4', 'm4a'],
    ['AAC', samples.audio.aac, 'audio', 'audio/aac', 'aac'],
    ['AMR', samples.audio.amr, 'audio', 'audio/amr', 'amr'],
    ['Opus', samples.audio.opus, 'audio', 'audio/ogg; codecs=opus', 'opus'],
    ['MP3', samples.audio.mp3, 'audio', 'audio/mpeg', 'mp3'],
    ['MP3 with a large ID3 tag', samples.audio.mp3WithId3, 'audio', 'audio/mpeg', 'mp3'],
    ['MP4', samples.video.mp4, 'video', 'video/mp4', 'mp4'],
    ['3GP', samples.video.threeGp, 'video', 'video/3gpp', '3gp'],
    ['WebM', samples.video.webm, 'video', 'video/webm', 'webm'],
  ])('stores %s as received', async (_name, make, kind, mime, ext) => {
    const bytes = make();
    const staged = await stageMedia(deps, samples.streamOf(bytes));
    expect(staged).toMatchObject({
      kind,
      mime,
      bytes: bytes.length,
      thumbKey: null,
      width: null,
      height: null,
    });
    expect(staged.sha256).toBe(sha(bytes));
    expect(staged.key).toMatch(new RegExp(`^\\d{4}/\\d{2}/[0-9a-f]{32}\\.${ext}$`));
    expect(await read(staged.key)).toEqual(bytes);
    expect(spoolFiles()).toEqual([]);
  });

  it.each([
    ['JPEG', () => samples.jpeg(64, 48)],
    ['PNG (with transparency)', () => samples.png(64, 48)],
    ['WebP', () => samples.webp(64, 48)],
  ])('re-encodes a %s photo as JPEG with a thumbnail', async (_name, make) => {
    const bytes = await make();
    const staged = await stageMedia(deps, samples.streamOf(bytes));
    expect(staged).toMatchObject({ kind: 'photo', mime: 'image/jpeg', width: 64, height: 48 });
    expect(staged.sha256).toBe(sha(bytes));
    expect(staged.thumbKey).toBe(staged.key.replace(/\.jpg$/, '-thumb.jpg'));
    const stored = await read(staged.key);
    expect(stored.length).toBe(staged.bytes);
    expect((await sharp(stored).metadata()).format).toBe('jpeg');
    expect((await sharp(await read(staged.thumbKey!)).metadata()).format).toBe('jpeg');
    expect(await storedKeys()).toEqual([staged.key, staged.thumbKey].sort());
    expect(spoolFiles()).toEqual([]);
  });

  it('shrinks a large photo to 2048 px and its thumbnail to 320 px', async () => {
    const staged = await stageMedia(deps, samples.streamOf(await samples.jpeg(3000, 1000)));
    expect([staged.width, staged.height]).toEqual([2048, 683]);
    const thumb = await sharp(await read(staged.thumbKey!)).metadata();
    expect(thumb.width).toBe(320);
    expect(thumb.height).toBeGreaterThanOrEqual(106);
    expect(thumb.height).toBeLessThanOrEqual(107);
  });

  it('strips EXIF, GPS and camera data from the photo and the thumbnail', async () => {
    const upload = await samples.jpegWithGps();
    expect((await sharp(upload).metadata()).exif).toBeDefined();
    expect(upload.includes('CheapPhone')).toBe(true);
    const staged = await stageMedia(deps, samples.streamOf(upload));
    for (const key of [staged.key, staged.thumbKey!]) {
      const stored = await read(key);
      const meta = await sharp(stored).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.iptc).toBeUndefined();
      expect(stored.includes('Exif\0')).toBe(false);
      expect(stored.includes('CheapPhone')).toBe(false);
    }
  });

  it('stores an EXIF-rotated photo upright', async () => {
    const staged = await stageMedia(deps, samples.streamOf(await samples.rotatedJpeg()));
    expect([staged.width, staged.height]).toEqual([30, 80]);
    const { data, info } = await sharp(await read(staged.key))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    const [r1, , b1] = pixel(15, 10);
    const [r2, , b2] = pixel(15, 70);
    expect(r1).toBeGreaterThan(200);
    expect(b1).toBeLessThan(60);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(60);
    expect((await sharp(await read(staged.key)).metadata()).orientation).toBeUndefined();
  });

  it.each([
    ['a text file named x.jpg', async () => samples.refused.textAsJpeg(), 'unsupported_media'],
    ['a zip archive', async () => samples.refused.zip(), 'unsupported_media'],
    ['an SVG', async () => samples.refused.svg(), 'unsupported_media'],
    ['an HTML page', async () => samples.refused.html(), 'unsupported_media'],
    ['a truncated JPEG', () => samples.truncatedJpeg(), 'unreadable_media'],
  ])('refuses %s with 415 and keeps nothing', async (_name, make, code) => {
    const err = await refusal(stageMedia(deps, samples.streamOf(await make())));
    expect(err.kind).toBe('unsupported_media');
    expect(err.code).toBe(code);
    expect(await storedKeys()).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });

  it('refuses an empty file', async () => {
    const err = await refusal(stageMedia(deps, samples.streamOf(Buffer.alloc(0))));
    expect([err.kind, err.code]).toEqual(['invalid', 'empty_file']);
    expect(spoolFiles()).toEqual([]);
  });

  it('refuses a kind the caller does not allow, naming what is', async () => {
    const err = await refusal(
      stageMedia(deps, samples.streamOf(samples.video.mp4()), { allowed: ['photo'] }),
    );
    expect(err.kind).toBe('unsupported_media');
    expect(err.message).toMatch(/photos \(JPEG, PNG, WebP\)/);
    expect(await storedKeys()).toEqual([]);
  });

  it.each([
    ['video', samples.video.mp4(), LIMITS.maxVideoBytes],
    ['audio', samples.audio.amr(), LIMITS.maxAudioBytes],
  ])('stops reading a %s the moment it passes its limit', async (_kind, head, limit) => {
    const upload = samples.streamOf(head, 500 * MB);
    const err = await refusal(stageMedia(deps, upload));
    expect([err.kind, err.code]).toEqual(['too_large', 'file_too_large']);
    // Pulled no more than the limit and what was already in the pipe (a few 64 KiB chunks), not 500 MB.
    expect(upload.pulled()).toBeGreaterThan(limit);
    expect(upload.pulled()).toBeLessThan(limit + MB);
    expect(await storedKeys()).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });

  it('applies each kind its own limit', async () => {
    // 1.5 MB: too much for a photo (1 MB), fine for audio (2 MB).
    const audio = await stageMedia(deps, samples.streamOf(samples.audio.amr(), 1.5 * MB));
    expect(audio.bytes).toBe(1.5 * MB);
    const err = await refusal(stageMedia(deps, samples.streamOf(await samples.jpeg(), 1.5 * MB)));
    expect([err.kind, err.code]).toEqual(['too_large', 'file_too_large']);
    expect(err.message).toBe('A photo may be at most 1 MB.');
    expect(await storedKeys()).toEqual([audio.key]);
  });

  it('refuses a decompression bomb from its header, without decoding it', async () => {
    const bomb = samples.pngBomb(100_000, 100_000);
    expect(bomb.length).toBeLessThan(1000);
    const before = process.memoryUsage().rss;
    const err = await refusal(stageMedia(deps, samples.streamOf(bomb)));
    expect([err.kind, err.code]).toEqual(['too_large', 'too_many_pixels']);
    // 10 gigapixels would need 30 GB decoded; the refusal costs next to nothing.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MB);
    expect(await storedKeys()).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });

  it('refuses a real photo over the pixel limit', async () => {
    const err = await refusal(stageMedia(deps, samples.streamOf(await samples.png(2500, 2000))));
    expect(err.code).toBe('too_many_pixels');
    expect(err.message).toBe('A photo may have at most 4 megapixels.');
  });

  it('turns a client hanging up into upload_aborted, keeping nothing', async () => {
    let sent = 0;
    const head = samples.video.mp4();
    const upload = new Readable({
      read() {
        if (sent > 256 * 1024) {
          const err = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
          this.destroy(err);
          return;
        }
        this.push(sent === 0 ? head : Buffer.alloc(64 * 1024));
        sent += 64 * 1024;
      },
    });
    const err = await refusal(stageMedia(deps, upload));
    expect([err.kind, err.code]).toEqual(['invalid', 'upload_aborted']);
    expect(await storedKeys()).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });

  it('removes the photo when its thumbnail cannot be stored', async () => {
    const failing = Object.create(deps.storage) as typeof deps.storage;
    failing.put = async (key, body, opts) => {
      if (key.endsWith('-thumb.jpg')) throw new Error('disk full');
      return deps.storage.put(key, body, opts);
    };
    await expect(
      stageMedia({ ...deps, storage: failing }, samples.streamOf(await samples.jpeg())),
    ).rejects.toThrow('disk full');
    expect(await storedKeys()).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });
});

describe('inPhotoSlot', () => {
  it('decodes at most two photos at once, and runs every one', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        inPhotoSlot(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((r) => setTimeout(r, 5));
          running--;
          if (i === 3) throw new Error('a broken photo frees its slot');
          done.push(i);
        }).catch(() => {}),
      ),
    );
    expect(most).toBe(2);
    expect(done.sort()).toEqual([0, 1, 2, 4, 5, 6]);
  });
});

describe('originalKeyOf', () => {
  it('maps thumbnails to their photo and ignores keys the portal did not make', () => {
    const base = '2026/11/0123456789abcdef0123456789abcdef';
    expect(originalKeyOf(`${base}.jpg`)).toBe(`${base}.jpg`);
    expect(originalKeyOf(`${base}-thumb.jpg`)).toBe(`${base}.jpg`);
    expect(originalKeyOf(`${base}.mp4`)).toBe(`${base}.mp4`);
    expect(originalKeyOf('backups/portal.sqlite')).toBeNull();
    expect(originalKeyOf('2026/11/short.jpg')).toBeNull();
  });
});
