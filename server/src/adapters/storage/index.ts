import path from 'node:path';
import type { Config } from '../../config.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';
import type { ObjectStorage } from './types.js';

export type { ByteRange, ObjectStorage, StoredObject } from './types.js';

/** Media files under DATA_DIR/media in the embedded shape; an S3-compatible bucket when scaled out. */
export function createStorage(config: Pick<Config, 'dataDir' | 'storage'>): ObjectStorage {
  if (config.storage.provider === 's3') {
    if (!config.storage.s3) throw new Error('STORAGE=s3 needs the S3 settings');
    return new S3Storage(config.storage.s3);
  }
  return new LocalStorage({
    root: path.join(config.dataDir, 'media'),
    tmpDir: path.join(config.dataDir, 'tmp'),
  });
}
