import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { ObjectStorage } from '../../adapters/storage/types.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import type { ActorType, DB, MediaKind, MediaModeration } from '../../db/schema.js';
import { AppError, invalid, notFound } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import {
  closeUnreadUploads,
  type MultipartForm,
  multipartPluginOptions,
  readMultipart,
} from './multipart.js';
import { originalKeyOf, type StagedMedia, stageMedia, TMP_PREFIXES } from './pipeline.js';
import { type ResolvedRange, resolveRange } from './range.js';
import {
  addToMediaCount,
  existingStorageKeys,
  findMedia,
  insertMedia,
  listMediaOfComplaint,
  lockMedia,
  type MediaRow,
  setModeration,
} from './repo.js';

export type { StagedMedia } from './pipeline.js';

/** A media file as the API shows it; the bytes are fetched from `url` (and `thumbUrl` for photos). */
export interface MediaItem {
  id: number;
  complaintId: number | null;
  eventId: number | null;
  kind: MediaKind;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
  moderation: MediaModeration;
  createdAt: string;
  url: string;
  thumbUrl: string | null;
}

export type MediaVariant = 'original' | 'thumb';
export type Verdict = MediaModeration;
export const VERDICTS: readonly Verdict[] = ['ok', 'illegal', 'irrelevant'];

export interface ModerationInput {
  staffId: number;
  verdict: Verdict;
  reason: string;
}

export interface ModerationChange {
  before: MediaItem;
  after: MediaItem;
  staffId: number;
}

export interface MediaServiceDeps {
  db: Db;
  storage: ObjectStorage;
  jobs: JobQueue;
  logger: Logger;
  config: Pick<Config, 'dataDir' | 'media'>;
  /** Runs in the moderation's transaction: the audit log and the complaint's timeline hook in here. */
  onModerated?: (trx: Transaction<DB>, change: ModerationChange) => Promise<void>;
}

/** A range that starts past the end of the file; the route answers 416 with the file's size. */
export class RangeNotSatisfiable extends AppError {
  constructor(readonly size: number) {
    super('invalid', 'range_not_satisfiable', 'The requested byte range is outside the file.');
  }
}

export const SWEEP_QUEUE = 'media.sweep';
const SWEEP_INTERVAL_SECONDS = 3600;
/**
 * An object older than this without a row is an orphan (a crash between the storage write and the commit).
 * Generous, because a form's first file is staged while its last ones may still be uploading on a slow line.
 */
export const ORPHAN_AGE_MINUTES = 360;
const SWEEP_BATCH = 500;
const REASON_MAX = 500;

export function mediaItem(row: MediaRow): MediaItem {
  return {
    id: row.id,
    complaintId: row.complaint_id,
    eventId: row.event_id,
    kind: row.kind,
    mime: row.mime,
    bytes: row.bytes,
    width: row.width,
    height: row.height,
    moderation: row.moderation,
    createdAt: row.created_at,
    url: `/api/v1/media/${row.id}`,
    thumbUrl: row.thumb_key ? `/api/v1/media/${row.id}/thumb` : null,
  };
}

/**
 * Media of complaints: uploads are checked and stored before the complaint's transaction (stage), recorded
 * inside it (attach), served to those allowed to see them (open), and hidden by moderators (moderate).
 * Objects left without a row by a crash are swept by a periodic job.
 */
export class MediaService {
  private readonly tmpDir: string;

  constructor(private readonly deps: MediaServiceDeps) {
    this.tmpDir = path.join(deps.config.dataDir, 'tmp');
  }

  /** Checks one upload as it streams and writes it to storage; 415, 413 or 400 when refused, leaving nothing behind. */
  async stage(stream: Readable, opts: { allowed?: MediaKind[] } = {}): Promise<StagedMedia> {
    return stageMedia(
      { storage: this.deps.storage, tmpDir: this.tmpDir, limits: this.deps.config.media },
      stream,
      opts,
    );
  }

  /**
   * Lets the routes of one plugin scope take multipart forms. Only the few routes that carry files need the
   * form reader's per-request hooks, so the rest of the API neither pays for them nor accepts forms (415).
   */
  async acceptForms(scope: FastifyInstance): Promise<void> {
    await scope.register(multipart, multipartPluginOptions(this.deps.config.media));
    scope.addHook('onSend', closeUnreadUploads);
  }

  /** Reads a multipart form whose files (field `media`) are staged as they arrive; see readMultipart. */
  readForm(
    request: FastifyRequest,
    opts: { fieldNames: string[]; allowed?: MediaKind[]; maxFieldBytes?: number },
  ): Promise<MultipartForm> {
    return readMultipart(request, { ...opts, media: this, limits: this.deps.config.media });
  }

  /** Removes staged files that will not be attached. Best effort: a leftover is found by the sweep. */
  async discard(staged: readonly { key: string; thumbKey?: string | null }[]): Promise<void> {
    const keys = staged.flatMap((s) => (s.thumbKey ? [s.key, s.thumbKey] : [s.key]));
    await Promise.all(
      keys.map((key) =>
        this.deps.storage.delete(key).catch((err) => {
          this.deps.logger.warn({ err, key }, 'could not remove a staged media file; the sweep will');
        }),
      ),
    );
  }

  /** Records staged files against a complaint (and the event they came with), in the caller's transaction. */
  async attach(
    trx: Transaction<DB>,
    staged: StagedMedia[],
    to: { complaintId: number; eventId?: number | null; uploader: { type: ActorType; id: number | null } },
  ): Promise<MediaItem[]> {
    if (!trx.isTransaction) throw new Error('MediaService.attach must run inside a transaction');
    if (staged.length === 0) return [];
    const now = new Date().toISOString();
    const rows = await insertMedia(
      trx,
      staged.map((s) => ({
        complaint_id: to.complaintId,
        event_id: to.eventId ?? null,
        uploader_type: to.uploader.type,
        uploader_id: to.uploader.id,
        kind: s.kind,
        mime: s.mime,
        bytes: s.bytes,
        sha256: s.sha256,
        storage_key: s.key,
        thumb_key: s.thumbKey,
        width: s.width,
        height: s.height,
        moderation: 'ok' as const,
        moderated_by: null,
        moderated_at: null,
        moderation_reason: null,
        created_at: now,
      })),
    );
    await addToMediaCount(trx, to.complaintId, rows.length);
    return rows.sort((a, b) => a.id - b.id).map(mediaItem);
  }

  /** Files of a complaint in upload order; hidden ones (illegal, irrelevant) only when asked for. */
  async listForComplaint(
    db: DbOrTrx,
    complaintId: number,
    opts: { includeHidden: boolean },
  ): Promise<MediaItem[]> {
    return (await listMediaOfComplaint(db, complaintId, opts)).map(mediaItem);
  }

  async find(mediaId: number): Promise<MediaItem> {
    const row = await findMedia(this.deps.db, mediaId);
    if (!row) throw notFound('The file');
    return mediaItem(row);
  }

  /**
   * The bytes of a file, or of the byte range asked for (originals only: a thumbnail is small and always
   * whole). Authorization is the caller's: look the item up with find() and ask the policy first.
   */
  async open(
    mediaId: number,
    variant: MediaVariant,
    rangeHeader?: string,
  ): Promise<{
    item: MediaItem;
    body: Readable;
    bytes: number;
    mime: string;
    range: (ResolvedRange & { size: number }) | null;
  }> {
    const row = await findMedia(this.deps.db, mediaId);
    if (!row) throw notFound('The file');
    const item = mediaItem(row);
    if (variant === 'thumb') {
      if (!row.thumb_key) throw notFound('The thumbnail');
      const got = await this.deps.storage.get(row.thumb_key);
      return { item, body: got.body, bytes: got.bytes, mime: 'image/jpeg', range: null };
    }
    const range = resolveRange(rangeHeader, row.bytes);
    if (range === 'unsatisfiable') throw new RangeNotSatisfiable(row.bytes);
    const got = await this.deps.storage.get(row.storage_key, range ?? undefined);
    return {
      item,
      body: got.body,
      bytes: got.bytes,
      mime: row.mime,
      range: range && { ...range, size: row.bytes },
    };
  }

  /**
   * A moderator's verdict on a file: illegal or irrelevant hides it from everyone but admins, ok shows it
   * again. Runs in the caller's transaction, with the onModerated hook (audit, timeline) in the same one.
   */
  async moderate(
    trx: Transaction<DB>,
    mediaId: number,
    input: ModerationInput,
  ): Promise<{ before: MediaItem; after: MediaItem }> {
    if (!trx.isTransaction) throw new Error('MediaService.moderate must run inside a transaction');
    if (!VERDICTS.includes(input.verdict)) {
      throw invalid('validation_failed', 'Some fields are missing or invalid.', {
        verdict: `Must be one of: ${VERDICTS.join(', ')}.`,
      });
    }
    const reason = input.reason.trim();
    if (input.verdict !== 'ok' && reason.length < 3) {
      throw invalid('validation_failed', 'Say why the file is hidden.', { reason: 'Give the reason.' });
    }
    if (reason.length > REASON_MAX) {
      throw invalid('validation_failed', 'The reason is too long.', {
        reason: `Must be at most ${REASON_MAX} characters.`,
      });
    }
    const row = await lockMedia(trx, mediaId);
    if (!row) throw notFound('The file');
    const updated = await setModeration(trx, mediaId, {
      moderation: input.verdict,
      moderated_by: input.staffId,
      moderated_at: new Date().toISOString(),
      moderation_reason: reason || null,
    });
    const change = { before: mediaItem(row), after: mediaItem(updated) };
    await this.deps.onModerated?.(trx, { ...change, staffId: input.staffId });
    return change;
  }

  /** moderate() in a transaction of its own, for the moderation route. */
  async moderateNow(mediaId: number, input: ModerationInput): Promise<MediaItem> {
    const { after } = await this.deps.db.transaction().execute((trx) => this.moderate(trx, mediaId, input));
    return after;
  }

  /**
   * Removes objects the portal made that have no media row and are older than the cut-off (a crash between
   * the storage write and the commit, a discard that failed), and stale spool files of this node. Looks at
   * this month's and last month's keys; `allMonths` looks at every key (an operator's clean-up).
   */
  async sweepOrphans(
    olderThanMinutes = ORPHAN_AGE_MINUTES,
    opts: { allMonths?: boolean } = {},
  ): Promise<{ removed: number }> {
    const cutoff = Date.now() - olderThanMinutes * 60_000;
    let removed = 0;
    let batch: string[] = [];
    const flush = async () => {
      const originals = [...new Set(batch.map((key) => originalKeyOf(key)!))];
      const known = await existingStorageKeys(this.deps.db, originals);
      for (const key of batch) {
        if (known.has(originalKeyOf(key)!)) continue;
        await this.deps.storage.delete(key);
        removed++;
      }
      batch = [];
    };
    // Keys start with their month, and an orphan is met by hourly sweeps for a month or two: listing only
    // this month and the last keeps a sweep short however many files the portal holds.
    const now = new Date();
    const months = [0, 1].map((back) => {
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
      return `${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/`;
    });
    for (const prefix of opts.allMonths ? [''] : months) {
      for await (const object of this.deps.storage.list(prefix)) {
        // Keys of another shape are not the portal's: a shared bucket may hold anything.
        if (object.modifiedAt.getTime() > cutoff || originalKeyOf(object.key) === null) continue;
        batch.push(object.key);
        if (batch.length >= SWEEP_BATCH) await flush();
      }
    }
    if (batch.length > 0) await flush();
    removed += await this.sweepSpool(cutoff);
    if (removed > 0) this.deps.logger.info({ removed }, 'media sweep removed orphaned files');
    return { removed };
  }

  private async sweepSpool(cutoff: number): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let removed = 0;
    for (const name of names) {
      if (!TMP_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
      const file = path.join(this.tmpDir, name);
      try {
        if ((await stat(file)).mtimeMs > cutoff) continue;
        await rm(file, { force: true });
        removed++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return removed;
  }

  registerWorkers(): void {
    this.deps.jobs.register(
      SWEEP_QUEUE,
      async () => {
        // The next run is booked first, so a failing sweep does not end the chain.
        await this.scheduleSweep();
        await this.sweepOrphans();
      },
      { concurrency: 1 },
    );
  }

  /**
   * Books the sweep for the next hour; every node that works jobs calls this at start. The key names the
   * hour, so nodes booking it at once (or a run booking its successor) make one job, and a running job's
   * own key never blocks the booking of the next.
   */
  async scheduleSweep(now = new Date()): Promise<void> {
    const nowSeconds = now.getTime() / 1000;
    const slot = Math.floor(nowSeconds / SWEEP_INTERVAL_SECONDS) + 1;
    await this.deps.jobs.enqueue(
      this.deps.db,
      SWEEP_QUEUE,
      {},
      {
        singletonKey: `hour-${slot}`,
        delaySeconds: Math.ceil(slot * SWEEP_INTERVAL_SECONDS - nowSeconds),
        maxAttempts: 3,
        backoffSeconds: 60,
      },
    );
  }
}
