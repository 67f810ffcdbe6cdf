import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import type { ObjectStorage } from '../../adapters/storage/types.js';
import type { Config } from '../../config.js';
import type { MediaKind } from '../../db/schema.js';
import { AppError, invalid } from '../../errors.js';
import { headBytesNeeded, SNIFF_BYTES, type Sniffed, sniff, unsupported } from './sniff.js';

// One libvips thread per image and no operation cache: on two cores shared with the API, a burst of
// photos must not starve the event loop, and finished images must not stay in memory.
sharp.concurrency(1);
sharp.cache(false);

/**
 * Photos decoded at once in this process. A 12-megapixel photo decodes to about 36 MB inside libvips, so
 * ten at once would cost hundreds of MB; on two cores more than two at once would not finish sooner anyway.
 */
const PHOTO_SLOTS = 2;
let photosRunning = 0;
const photoQueue: (() => void)[] = [];

export async function inPhotoSlot<T>(work: () => Promise<T>): Promise<T> {
  if (photosRunning >= PHOTO_SLOTS) await new Promise<void>((resolve) => photoQueue.push(resolve));
  else photosRunning++;
  try {
    return await work();
  } finally {
    const next = photoQueue.shift();
    if (next) next();
    else photosRunning--;
  }
}

/** A file checked and written to storage, not yet attached to a complaint (no media row yet). */
export interface StagedMedia {
  key: string;
  thumbKey: string | null;
  kind: MediaKind;
  mime: string;
  /** Size as stored (a photo's re-encoded JPEG). */
  bytes: number;
  /** Of the bytes as uploaded: the same file sent twice has the same hash. */
  sha256: string;
  width: number | null;
  height: number | null;
}

export type MediaLimits = Config['media'];

export interface PipelineDeps {
  storage: ObjectStorage;
  /** Where uploads are spooled while they are checked: DATA_DIR/tmp. */
  tmpDir: string;
  limits: MediaLimits;
}

/** Longest side of a stored photo and of its thumbnail. */
export const PHOTO_MAX_SIDE = 2048;
export const THUMB_MAX_SIDE = 320;
/** Names of the pipeline's own temporary files, so a sweep never touches anything else in DATA_DIR/tmp. */
export const TMP_PREFIXES = ['upload-', 'photo-', 'thumb-', 'storage-'];

const MB = 1024 * 1024;

export function limitFor(kind: MediaKind, limits: MediaLimits): number {
  return kind === 'photo'
    ? limits.maxPhotoBytes
    : kind === 'audio'
      ? limits.maxAudioBytes
      : limits.maxVideoBytes;
}

export function largestLimit(limits: MediaLimits): number {
  return Math.max(limits.maxPhotoBytes, limits.maxAudioBytes, limits.maxVideoBytes);
}

export function tooLarge(kind: MediaKind, limit: number): AppError {
  const noun = kind === 'photo' ? 'A photo' : kind === 'audio' ? 'An audio recording' : 'A video';
  return new AppError('too_large', 'file_too_large', `${noun} may be at most ${Math.floor(limit / MB)} MB.`);
}

/**
 * Generated, never derived from the upload: "2026/11/<32 hex>". The thumbnail's key is the original's with
 * "-thumb.jpg", so the orphan sweep can find a thumbnail's row through the indexed storage_key alone.
 */
export function newBaseKey(now = new Date()): string {
  const month = String(now.getUTCMonth() + 1).padStart(2, '0');
  return `${now.getUTCFullYear()}/${month}/${randomBytes(16).toString('hex')}`;
}

const KEY_SHAPE = /^(\d{4}\/\d{2}\/[0-9a-f]{32})(?:\.[a-z0-9]{2,5}|-thumb\.jpg)$/;

/** The key of the original a stored key belongs to (itself, or a thumbnail's photo); null for keys the portal did not make. */
export function originalKeyOf(key: string): string | null {
  const m = KEY_SHAPE.exec(key);
  if (!m) return null;
  // Only photos have thumbnails, and stored photos are always JPEG.
  return key.endsWith('-thumb.jpg') ? `${m[1]}.jpg` : key;
}

/**
 * Counts, hashes and sniffs the bytes as they flow to the spool file. The type is decided from the head
 * before anything else is written, and the stream fails the moment the kind's limit is passed, so an
 * oversized or wrong file is never held whole, in memory or on disk.
 */
class Intake extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  sniffed: Sniffed | null = null;
  private limit: number | null = null;
  private head: Buffer[] = [];
  private headBytes = 0;
  /** How much of the head the sniffer needs: more when an ID3 tag comes first. */
  private needed: number | null = null;

  constructor(
    private readonly decide: (head: Buffer) => Promise<Sniffed>,
    private readonly limits: MediaLimits,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    if (this.limit !== null) {
      if (this.bytes > this.limit) done(tooLarge(this.sniffed!.kind, this.limit));
      else done(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.needed === null && this.headBytes >= 10) this.needed = headBytesNeeded(Buffer.concat(this.head));
    if (this.headBytes < (this.needed ?? SNIFF_BYTES)) done();
    else this.settle(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.limit === null) this.settle(done);
    else done();
  }

  private settle(done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.decide(head).then((sniffed) => {
      this.sniffed = sniffed;
      this.limit = limitFor(sniffed.kind, this.limits);
      if (this.bytes > this.limit) return done(tooLarge(sniffed.kind, this.limit));
      done(null, head);
    }, done);
  }
}

/** Errors of the request stream (a client that hung up, a multipart limit) as the client's error, not a 500; anything else is rethrown. */
function intakeError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new AppError('too_large', 'file_too_large', 'The file is too large.');
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED') {
    return invalid('upload_aborted', 'The upload was interrupted. Please send it again.');
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/unexpected end of (form|file)|aborted|premature close/i.test(message)) {
    return invalid('upload_aborted', 'The upload was interrupted. Please send it again.');
  }
  throw err;
}

function unreadable(): AppError {
  return new AppError(
    'unsupported_media',
    'unreadable_media',
    'This photo could not be read: it may be damaged or incomplete. Please take or choose it again.',
  );
}

/** Re-encodes a photo upright, without any metadata (no EXIF, no GPS), plus a thumbnail. */
async function processPhoto(
  spool: string,
  limits: MediaLimits,
  out: { photo: string; thumb: string },
): Promise<{ bytes: number; width: number; height: number }> {
  // limitInputPixels is checked from the header, before decoding: a decompression bomb never reaches memory.
  const input = () => sharp(spool, { limitInputPixels: limits.maxPhotoPixels, failOn: 'truncated' });
  try {
    const meta = await input().metadata();
    if (!meta.width || !meta.height) throw unreadable();
    const info = await input()
      .rotate()
      .resize({ width: PHOTO_MAX_SIDE, height: PHOTO_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82 })
      .toFile(out.photo);
    await sharp(out.photo)
      .resize({ width: THUMB_MAX_SIDE, height: THUMB_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 70 })
      .toFile(out.thumb);
    return { bytes: info.size, width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (/pixel limit/i.test(String((err as Error).message))) {
      throw new AppError(
        'too_large',
        'too_many_pixels',
        `A photo may have at most ${Math.floor(limits.maxPhotoPixels / 1_000_000)} megapixels.`,
      );
    }
    throw unreadable();
  }
}

/**
 * Streams one upload to a spool file (hashing and counting as it flows), checks its real type, and writes it
 * to storage: photos re-encoded with a thumbnail, audio and video as received. On any failure nothing is
 * left behind, neither in storage nor in the spool.
 */
export async function stageMedia(
  deps: PipelineDeps,
  stream: Readable,
  opts: { allowed?: MediaKind[] } = {},
): Promise<StagedMedia> {
  await mkdir(deps.tmpDir, { recursive: true });
  const id = randomUUID();
  const spool = path.join(deps.tmpDir, `upload-${id}`);
  const photoOut = path.join(deps.tmpDir, `photo-${id}.jpg`);
  const thumbOut = path.join(deps.tmpDir, `thumb-${id}.jpg`);
  const written: string[] = [];
  try {
    const intake = new Intake(async (head) => {
      if (head.length === 0) throw invalid('empty_file', 'The file is empty.');
      const sniffed = await sniff(head);
      if (!sniffed || (opts.allowed && !opts.allowed.includes(sniffed.kind))) throw unsupported(opts.allowed);
      return sniffed;
    }, deps.limits);
    try {
      await pipeline(stream, intake, createWriteStream(spool, { flags: 'wx' }));
    } catch (err) {
      throw intakeError(err);
    }
    // busboy cuts a file at the global fileSize limit without failing the stream.
    if ((stream as { truncated?: boolean }).truncated) {
      throw new AppError('too_large', 'file_too_large', 'The file is too large.');
    }
    const sniffed = intake.sniffed!;
    const sha256 = intake.hash.digest('hex');
    const base = newBaseKey();

    if (sniffed.kind === 'photo') {
      const photo = await inPhotoSlot(() =>
        processPhoto(spool, deps.limits, { photo: photoOut, thumb: thumbOut }),
      );
      const key = `${base}.jpg`;
      const thumbKey = `${base}-thumb.jpg`;
      written.push(key);
      await deps.storage.put(key, createReadStream(photoOut), {
        contentType: 'image/jpeg',
        bytes: photo.bytes,
      });
      written.push(thumbKey);
      await deps.storage.put(thumbKey, createReadStream(thumbOut), { contentType: 'image/jpeg' });
      return {
        key,
        thumbKey,
        kind: 'photo',
        mime: 'image/jpeg',
        bytes: photo.bytes,
        sha256,
        width: photo.width,
        height: photo.height,
      };
    }

    const key = `${base}.${sniffed.ext}`;
    written.push(key);
    await deps.storage.put(key, createReadStream(spool), { contentType: sniffed.mime, bytes: intake.bytes });
    return {
      key,
      thumbKey: null,
      kind: sniffed.kind,
      mime: sniffed.mime,
      bytes: intake.bytes,
      sha256,
      width: null,
      height: null,
    };
  } catch (err) {
    // The source may still be flowing (a refused type is known from its first bytes); stop reading it.
    if (!stream.destroyed) stream.destroy();
    await Promise.all(written.map((key) => deps.storage.delete(key).catch(() => {})));
    throw err;
  } finally {
    await Promise.all([spool, photoOut, thumbOut].map((file) => rm(file, { force: true })));
  }
}
