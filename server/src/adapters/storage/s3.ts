import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../../config.js';
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

export type S3Options = NonNullable<Config['storage']['s3']>;

/** S3's minimum part: one part in flight per upload keeps memory at about this much per concurrent upload. */
const PART_BYTES = 5 * 1024 * 1024;

/** Any S3-compatible store (AWS, MinIO, Ceph, Wasabi...): the scaled-out shape's object storage. */
export class S3Storage implements ObjectStorage {
  readonly name = 's3';
  readonly client: S3Client;
  private readonly bucket: string;
  /** Every key is stored under this, so one bucket can serve several portals or other data. */
  private readonly prefix: string;

  constructor(opts: S3Options) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix && !opts.prefix.endsWith('/') ? `${opts.prefix}/` : opts.prefix;
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint ?? undefined,
      forcePathStyle: opts.forcePathStyle,
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
          : undefined,
      // Checksums only where S3 requires them: many S3-compatible stores reject the newer default
      // (CRC32 trailers on every upload).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private keyOf(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }

  async put(
    key: string,
    body: Readable | Buffer,
    opts: { contentType: string; bytes?: number },
  ): Promise<void> {
    const Key = this.keyOf(key);
    if (Buffer.isBuffer(body)) {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentType: opts.contentType,
          ContentLength: body.length,
        }),
      );
      return;
    }
    // Multipart upload from the stream, one part at a time; S3 publishes the object only on completion, and a
    // failure aborts the upload so no parts are left behind.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: body, ContentType: opts.contentType },
      partSize: PART_BYTES,
      queueSize: 1,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(key),
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      return {
        body: res.Body as Readable,
        bytes: res.ContentLength ?? 0,
        contentType: res.ContentType,
      };
    } catch (err) {
      if (err instanceof S3ServiceException) {
        if (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404) throw notFound('The file');
        if (err.name === 'InvalidRange' || err.$metadata.httpStatusCode === 416) throw rangeNotSatisfiable();
      }
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return;
      throw err;
    }
  }

  async *list(prefix: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    assertSafePrefix(prefix);
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        const key = item.Key.slice(this.prefix.length);
        if (!isSafeKey(key)) continue;
        yield { key, modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
}
