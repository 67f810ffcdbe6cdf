import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { ObjectStorage } from './types.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream that yields `bytes` random bytes in 64 KiB chunks, then fails when `failAfter` is set. */
function source(data: Buffer, failAfter?: number): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (failAfter !== undefined && offset >= failAfter) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const next = data.subarray(offset, offset + 64 * 1024);
      offset += next.length;
      this.push(next);
    },
  });
}

async function keysOf(storage: ObjectStorage, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const item of storage.list(prefix)) {
    expect(item.modifiedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(item.modifiedAt.getTime())).toBe(false);
    keys.push(item.key);
  }
  return keys.sort();
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
  return 'no error';
}

/** Every adapter passes the same contract, so the media module cannot tell which one it runs on. */
function contract(name: string, setup: () => Promise<{ storage: ObjectStorage; tmpDir?: string }>) {
  describe(`${name} storage`, () => {
    let storage: ObjectStorage;
    let tmpDir: string | undefined;
    beforeAll(async () => {
      ({ storage, tmpDir } = await setup());
    });

    it('stores a buffer and reads it back whole', async () => {
      const data = Buffer.from('a small photo');
      await storage.put('c1/small.jpg', data, { contentType: 'image/jpeg' });
      const got = await storage.get('c1/small.jpg');
      expect(got.bytes).toBe(data.length);
      expect(await buffer(got.body)).toEqual(data);
      if (got.contentType !== undefined) expect(got.contentType).toBe('image/jpeg');
    });

    it('streams a large body in and out unchanged (multipart on S3)', async () => {
      const data = randomBytes(11 * 1024 * 1024 + 123);
      await storage.put('c1/large.mp4', source(data), { contentType: 'video/mp4' });
      const got = await storage.get('c1/large.mp4');
      expect(got.bytes).toBe(data.length);
      expect(sha(await buffer(got.body))).toBe(sha(data));
    });

    it('reads byte ranges, clamping an end past the last byte', async () => {
      const data = Buffer.from('0123456789abcdefghij');
      await storage.put('c1/range.mp3', data, { contentType: 'audio/mpeg' });
      const mid = await storage.get('c1/range.mp3', { start: 5, end: 9 });
      expect(mid.bytes).toBe(5);
      expect((await buffer(mid.body)).toString()).toBe('56789');
      const tail = await storage.get('c1/range.mp3', { start: 15 });
      expect((await buffer(tail.body)).toString()).toBe('fghij');
      const clamped = await storage.get('c1/range.mp3', { start: 18, end: 1000 });
      expect(clamped.bytes).toBe(2);
      expect((await buffer(clamped.body)).toString()).toBe('ij');
      expect(await codeOf(storage.get('c1/range.mp3', { start: 20 }))).toBe('range_not_satisfiable');
    });

    it('answers not_found for a missing key, and deletes idempotently', async () => {
      expect(await codeOf(storage.get('c1/missing.jpg'))).toBe('not_found');
      await storage.put('c1/gone.jpg', Buffer.from('x'), { contentType: 'image/jpeg' });
      await storage.delete('c1/gone.jpg');
      await storage.delete('c1/gone.jpg');
      await storage.delete('c1/never-was.jpg');
      expect(await codeOf(storage.get('c1/gone.jpg'))).toBe('not_found');
    });

    it('lists by prefix', async () => {
      await storage.put('c2/a/1.jpg', Buffer.from('1'), { contentType: 'image/jpeg' });
      await storage.put('c2/a/2.jpg', Buffer.from('2'), { contentType: 'image/jpeg' });
      await storage.put('c2/b/3.jpg', Buffer.from('3'), { contentType: 'image/jpeg' });
      expect(await keysOf(storage, 'c2/')).toEqual(['c2/a/1.jpg', 'c2/a/2.jpg', 'c2/b/3.jpg']);
      expect(await keysOf(storage, 'c2/a/')).toEqual(['c2/a/1.jpg', 'c2/a/2.jpg']);
      expect(await keysOf(storage, 'c2/a/2')).toEqual(['c2/a/2.jpg']);
      expect(await keysOf(storage, 'c3/')).toEqual([]);
      expect((await keysOf(storage, '')).length).toBeGreaterThanOrEqual(3);
    });

    it('leaves nothing under the key when the body fails half-way', async () => {
      const data = randomBytes(7 * 1024 * 1024);
      await expect(
        storage.put('c4/broken.mp4', source(data, 6 * 1024 * 1024), { contentType: 'video/mp4' }),
      ).rejects.toThrow();
      expect(await codeOf(storage.get('c4/broken.mp4'))).toBe('not_found');
      expect(await keysOf(storage, 'c4/')).toEqual([]);
      if (tmpDir) expect(readdirSync(tmpDir)).toEqual([]);
    });

    it('refuses keys that could step outside the storage root', async () => {
      for (const key of ['../x.jpg', '/etc/passwd', 'a/../../b', 'a//b', '', 'a\\b', '..', 'a/./b', 'a/']) {
        await expect(storage.put(key, Buffer.from('x'), { contentType: 'image/jpeg' })).rejects.toThrow(
          /unsafe storage key/,
        );
        await expect(storage.get(key)).rejects.toThrow(/unsafe storage key/);
        await expect(storage.delete(key)).rejects.toThrow(/unsafe storage key/);
      }
      await expect(keysOf(storage, '../')).rejects.toThrow(/unsafe storage prefix/);
    });
  });
}

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'portal-storage-'));
  dirs.push(dir);
  return dir;
};
let s3rver: S3rver | null = null;
let s3Port = 0;
afterAll(async () => {
  await s3rver?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

contract('local', async () => {
  const dir = tempDir();
  const tmpDir = path.join(dir, 'tmp');
  return { storage: new LocalStorage({ root: path.join(dir, 'media'), tmpDir }), tmpDir };
});

contract('S3 (s3rver)', async () => {
  s3rver = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: tempDir(),
    configureBuckets: [{ name: 'portal-media', configs: [] }],
  });
  s3Port = (await s3rver.run()).port;
  const storage = new S3Storage({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    bucket: 'portal-media',
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    forcePathStyle: true,
    prefix: 'portal',
  });
  return { storage };
});

describe('S3 key prefix', () => {
  it('keeps the portal under its prefix and lists keys without it', async () => {
    const opts = {
      endpoint: `http://127.0.0.1:${s3Port}`,
      region: 'us-east-1',
      bucket: 'portal-media',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    };
    const a = new S3Storage({ ...opts, prefix: 'district-a/' });
    const b = new S3Storage({ ...opts, prefix: 'district-b' });
    await a.put('p/1.jpg', Buffer.from('a'), { contentType: 'image/jpeg' });
    await b.put('p/1.jpg', Buffer.from('b'), { contentType: 'image/jpeg' });
    expect(await keysOf(a, 'p/')).toEqual(['p/1.jpg']);
    expect((await buffer((await b.get('p/1.jpg')).body)).toString()).toBe('b');
    await a.delete('p/1.jpg');
    expect((await buffer((await b.get('p/1.jpg')).body)).toString()).toBe('b');
  });
});
