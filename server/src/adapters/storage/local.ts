import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, opendir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { notFound } from '../../errors.js';
import {
  assertSafeKey,
  assertSafePrefix,
  type ByteRange,
  isSafeKey,
  type ObjectStorage,
  rangeNotSatisfiable,
  type StoredObject,
} from './types.js';

/** Files under one root directory: the embedded shape's object storage. */
export class LocalStorage implements ObjectStorage {
  readonly name = 'local';

  constructor(
    private readonly opts: {
      root: string;
      /** Where bodies are written before their rename into place; on the same file system as root. */
      tmpDir: string;
    },
  ) {}

  private pathOf(key: string): string {
    assertSafeKey(key);
    return path.join(this.opts.root, ...key.split('/'));
  }

  async put(
    key: string,
    body: Readable | Buffer,
    _opts: { contentType: string; bytes?: number },
  ): Promise<void> {
    const target = this.pathOf(key);
    await Promise.all([
      mkdir(path.dirname(target), { recursive: true }),
      mkdir(this.opts.tmpDir, { recursive: true }),
    ]);
    // Written under a temporary name and renamed: a crash mid-write never leaves a partial file at the key.
    const tmp = path.join(this.opts.tmpDir, `storage-${randomUUID()}.partial`);
    try {
      if (Buffer.isBuffer(body)) await writeFile(tmp, body, { flag: 'wx' });
      else await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    const file = this.pathOf(key);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('The file');
      throw err;
    }
    try {
      // Sized through the open handle, so a delete between the size and the read cannot mix two files.
      const { size } = await handle.stat();
      const start = range?.start ?? 0;
      if (range && (start >= size || start < 0)) throw rangeNotSatisfiable();
      const end = Math.min(range?.end ?? size - 1, size - 1);
      if (size === 0) {
        await handle.close();
        return { body: Readable.from([]), bytes: 0 };
      }
      return { body: handle.createReadStream({ start, end }), bytes: end - start + 1 };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    assertSafePrefix(prefix);
    yield* this.walk(this.opts.root, '', prefix);
  }

  private async *walk(
    dir: string,
    base: string,
    prefix: string,
  ): AsyncGenerator<{ key: string; modifiedAt: Date }> {
    let entries: Awaited<ReturnType<typeof opendir>>;
    try {
      entries = await opendir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for await (const entry of entries) {
      const key = base ? `${base}/${entry.name}` : entry.name;
      // Anything not shaped like a portal key (an operator's stray file) is not an object of ours.
      if (!isSafeKey(key)) continue;
      if (entry.isDirectory()) {
        if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) {
          yield* this.walk(path.join(dir, entry.name), key, prefix);
        }
      } else if (entry.isFile() && key.startsWith(prefix)) {
        try {
          const info = await stat(path.join(dir, entry.name));
          yield { key, modifiedAt: info.mtime };
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
    }
  }
}
