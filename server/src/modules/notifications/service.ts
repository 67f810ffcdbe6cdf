import type { Transaction } from 'kysely';
import type { PushMessage, PushOutcome, PushSender } from '../../adapters/push/types.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import type { ComplaintStatus, DB, Language } from '../../db/schema.js';
import { invalid, notFound } from '../../errors.js';
import type { JobContext, JobQueue } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import { eventTitle } from '../inbox/messages.js';
import {
  countSubscriptions,
  type DeviceRow,
  deleteOwnSubscription,
  deleteSubscription,
  deliveredAmong,
  deviceIdPage,
  devicesInRange,
  devicesOfCitizen,
  findPreferences,
  insertFailure,
  listFailures,
  listSubscriptions,
  recordDeliveries,
  savePreferences,
  upsertSubscription,
} from './repo.js';

export const PUSH_EVENT_QUEUE = 'push.event';
export const PUSH_PLAN_QUEUE = 'push.plan';
export const PUSH_BATCH_QUEUE = 'push.batch';
const MAX_ATTEMPTS = 6;
const BACKOFF_SECONDS = 30;
/** Devices one citizen may register: phones, tablets, browsers. */
export const MAX_DEVICES = 10;
const MAX_BODY_CHARS = 300;

export interface Preferences {
  push: boolean;
  sms: boolean;
  email: boolean;
}

/** Push on by default (it costs nothing); SMS and email only when the citizen asks for them. */
export const DEFAULT_PREFERENCES: Preferences = { push: true, sms: false, email: false };

export interface EventPush {
  eventId: number;
  citizenId: number;
  complaintId: number;
  trackingNumber: string;
  type: string;
  toStatus: ComplaintStatus | null;
  message: string | null;
}

/** What a broadcast looks like on a phone, per language; null when it should no longer be sent. */
export interface BroadcastContent {
  render(language: Language): { title: string; body: string | null };
  url: string;
  urgency: 'normal' | 'high';
  ttlSeconds: number;
}

export type BroadcastSource = (id: number) => Promise<BroadcastContent | null>;

interface BatchJob {
  source: string;
  id: number;
  districtIds: number[] | null;
  afterId: number;
  lastId: number;
}

interface PlanJob {
  source: string;
  id: number;
  districtIds: number[] | null;
}

/** The JSON the service worker reads; `tag` makes a repeated notification replace the first on the phone. */
export interface PushPayload {
  title: string;
  body: string | null;
  tag: string;
  url: string;
  kind: string;
}

export interface NotificationServiceDeps {
  db: Db;
  jobs: JobQueue;
  sender: PushSender;
  logger: Logger;
  concurrency: number;
  batchSize: number;
  /** Accept http://127.0.0.1 endpoints: a push service on this machine, for tests and benchmarks only. */
  allowLocalEndpoints?: boolean;
}

const clip = (s: string | null) =>
  s && s.length > MAX_BODY_CHARS ? `${s.slice(0, MAX_BODY_CHARS - 1)}…` : s;

/**
 * Web Push to citizens' devices. Every delivery goes through the job queue, enqueued in the transaction of
 * what causes it. A job records each (message, device) it sent the moment the push service accepts it and a
 * retry skips those; the Topic header and the notification tag cover the moment between the two, so a
 * resend after a crash replaces the first copy instead of showing twice.
 */
export class NotificationService {
  private readonly sources = new Map<string, BroadcastSource>();

  constructor(private readonly deps: NotificationServiceDeps) {}

  /** A module that broadcasts (announcements) says how its messages look on a phone. */
  registerSource(name: string, source: BroadcastSource) {
    this.sources.set(name, source);
  }

  registerWorkers() {
    const { jobs } = this.deps;
    jobs.register<EventPush>(PUSH_EVENT_QUEUE, (p, job) => this.deliverEvent(p, job));
    jobs.register<PlanJob>(PUSH_PLAN_QUEUE, (p) => this.plan(p));
    jobs.register<BatchJob>(PUSH_BATCH_QUEUE, (p, job) => this.deliverBatch(p, job));
  }

  // --- devices and preferences ---

  async subscribe(
    citizenId: number,
    s: { endpoint: string; p256dh: string; auth: string; userAgent: string | null },
  ): Promise<{ id: number }> {
    const endpoint = parseEndpoint(s.endpoint, this.deps.allowLocalEndpoints === true);
    const keyProblems: Record<string, string> = {};
    if (Buffer.from(s.p256dh, 'base64url').length !== 65)
      keyProblems['keys.p256dh'] = 'Expected the 65-byte P-256 key of the subscription.';
    if (Buffer.from(s.auth, 'base64url').length !== 16)
      keyProblems['keys.auth'] = 'Expected the 16-byte auth secret of the subscription.';
    if (Object.keys(keyProblems).length > 0) {
      throw invalid('validation_failed', 'The subscription keys are not valid.', keyProblems);
    }
    return this.deps.db.transaction().execute(async (trx) => {
      const existing = await listSubscriptions(trx, citizenId);
      if (!existing.some((d) => d.endpoint === endpoint) && existing.length >= MAX_DEVICES) {
        throw invalid(
          'too_many_devices',
          `Notifications can reach at most ${MAX_DEVICES} devices; remove one first.`,
        );
      }
      const id = await upsertSubscription(
        trx,
        { citizen_id: citizenId, endpoint, p256dh: s.p256dh, auth: s.auth, user_agent: s.userAgent },
        new Date().toISOString(),
      );
      return { id };
    });
  }

  async unsubscribe(citizenId: number, by: { id?: number; endpoint?: string }): Promise<void> {
    const removed = await deleteOwnSubscription(this.deps.db, citizenId, by);
    if (!removed) throw notFound('The device');
  }

  async devices(citizenId: number) {
    const rows = await listSubscriptions(this.deps.db, citizenId);
    return rows.map((r) => ({
      id: r.id,
      pushService: new URL(r.endpoint).origin,
      userAgent: r.user_agent,
      createdAt: r.created_at,
    }));
  }

  async deviceCount(citizenId: number): Promise<number> {
    return countSubscriptions(this.deps.db, citizenId);
  }

  async preferences(citizenId: number, db: DbOrTrx = this.deps.db): Promise<Preferences> {
    const row = await findPreferences(db, citizenId);
    if (!row) return { ...DEFAULT_PREFERENCES };
    return { push: row.push === 1, sms: row.sms === 1, email: row.email === 1 };
  }

  async setPreferences(citizenId: number, change: Partial<Preferences>): Promise<Preferences> {
    return this.deps.db.transaction().execute(async (trx) => {
      const next = { ...(await this.preferences(citizenId, trx)), ...change };
      const flag = (b: boolean) => (b ? 1 : 0);
      await savePreferences(
        trx,
        citizenId,
        { push: flag(next.push), sms: flag(next.sms), email: flag(next.email) },
        new Date().toISOString(),
      );
      return next;
    });
  }

  close(): void {
    this.deps.sender.close();
  }

  async failures(q: { cursor?: number; limit: number }) {
    const rows = await listFailures(this.deps.db, { before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        message: r.message_key,
        deviceId: r.subscription_id,
        citizenId: r.citizen_id,
        pushService: r.push_service,
        statusCode: r.status_code,
        error: r.error,
        removed: r.removed === 1,
        createdAt: r.created_at,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  // --- enqueueing, inside the caller's transaction ---

  async enqueueEvent(trx: Transaction<DB>, e: EventPush): Promise<void> {
    await this.deps.jobs.enqueue(trx, PUSH_EVENT_QUEUE, e, {
      maxAttempts: MAX_ATTEMPTS,
      backoffSeconds: BACKOFF_SECONDS,
    });
  }

  /** Fans a broadcast out to every device in the districts (all when null), starting after delaySeconds. */
  async enqueueBroadcast(
    trx: DbOrTrx,
    b: { source: string; id: number; districtIds: number[] | null; delaySeconds?: number },
  ): Promise<void> {
    if (!this.sources.has(b.source)) throw new Error(`no broadcast source ${b.source}`);
    await this.deps.jobs.enqueue(
      trx,
      PUSH_PLAN_QUEUE,
      { source: b.source, id: b.id, districtIds: b.districtIds },
      { maxAttempts: MAX_ATTEMPTS, backoffSeconds: BACKOFF_SECONDS, delaySeconds: b.delaySeconds ?? 0 },
    );
  }

  // --- workers ---

  async deliverEvent(e: EventPush, job: JobContext): Promise<void> {
    const devices = await devicesOfCitizen(this.deps.db, e.citizenId);
    const key = `e${e.eventId}`;
    await this.send(key, devices, job, (language) => ({
      title: eventTitle({ type: e.type, toStatus: e.toStatus }, language, e.trackingNumber),
      body: clip(e.message),
      // One tag per complaint: the newest news about it replaces the older on the phone.
      tag: `complaint-${e.complaintId}`,
      url: `/complaints/${e.complaintId}`,
      kind: e.type,
      urgency: 'normal',
      ttlSeconds: 7 * 24 * 3600,
    }));
  }

  /** Splits a broadcast into batches by device id range, all enqueued in one transaction. */
  async plan(p: PlanJob): Promise<void> {
    const { db, jobs, batchSize } = this.deps;
    await db.transaction().execute(async (trx) => {
      let afterId = 0;
      for (;;) {
        const ids = await deviceIdPage(trx, { districtIds: p.districtIds, afterId, limit: batchSize });
        if (ids.length === 0) break;
        const lastId = ids[ids.length - 1]!;
        const batch: BatchJob = { source: p.source, id: p.id, districtIds: p.districtIds, afterId, lastId };
        await jobs.enqueue(trx, PUSH_BATCH_QUEUE, batch, {
          maxAttempts: MAX_ATTEMPTS,
          backoffSeconds: BACKOFF_SECONDS,
        });
        afterId = lastId;
        if (ids.length < batchSize) break;
      }
    });
  }

  async deliverBatch(b: BatchJob, job: JobContext): Promise<void> {
    const source = this.sources.get(b.source);
    if (!source) throw new Error(`no broadcast source ${b.source}`);
    const content = await source(b.id);
    // Withdrawn or expired meanwhile: nothing more goes out.
    if (!content) return;
    const devices = await devicesInRange(this.deps.db, b);
    const tag = `${b.source}-${b.id}`;
    await this.send(`${b.source[0]}${b.id}`, devices, job, (language) => ({
      ...content.render(language),
      tag,
      url: content.url,
      kind: b.source,
      urgency: content.urgency,
      ttlSeconds: content.ttlSeconds,
    }));
  }

  /**
   * Sends one message to devices, some at a time, skipping those it was already sent to. Devices the push
   * service no longer knows are removed. A passing failure fails the job so the queue retries it after a
   * backoff; on the last try, and for failures that would only repeat, the failure is recorded for admins.
   */
  private async send(
    messageKey: string,
    devices: DeviceRow[],
    job: JobContext,
    render: (language: Language) => PushPayload & { urgency: PushMessage['urgency']; ttlSeconds: number },
  ): Promise<void> {
    const { db, sender, concurrency, logger } = this.deps;
    if (devices.length === 0) return;
    const done = await deliveredAmong(
      db,
      messageKey,
      devices.map((d) => d.id),
    );
    const todo = devices.filter((d) => !done.has(d.id));
    const lastTry = job.attempt >= job.maxAttempts;
    // One payload per language, encrypted per device.
    const messages = new Map<Language, PushMessage>();
    const messageFor = (language: Language): PushMessage => {
      let m = messages.get(language);
      if (!m) {
        const { urgency, ttlSeconds, ...payload } = render(language);
        m = { payload: JSON.stringify(payload), topic: messageKey, urgency, ttlSeconds };
        messages.set(language, m);
      }
      return m;
    };
    // What the push service accepted is recorded at once: the sends that finish in one turn of the event
    // loop share one insert, so the window in which a crash forgets an accepted push stays under a turn.
    let accepted: number[] = [];
    let flushing: Promise<void> | null = null;
    const flush = (): Promise<void> => {
      flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        const ids = accepted;
        accepted = [];
        flushing = null;
        await recordDeliveries(db, messageKey, ids, new Date().toISOString());
      });
      return flushing;
    };
    let passing = 0;
    let next = 0;
    const work = async () => {
      while (next < todo.length) {
        const device = todo[next++]!;
        const result = await sender.send(device, messageFor(device.language));
        const now = new Date().toISOString();
        if (result.outcome === 'sent') {
          accepted.push(device.id);
          await flush();
          continue;
        }
        if (result.outcome === 'failed' && result.retryable && !lastTry) {
          passing++;
          continue;
        }
        await this.recordFailure(messageKey, device, result, now);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, work));
    if (passing > 0) {
      logger.warn(
        { messageKey, failed: passing, attempt: job.attempt },
        'push: some devices will be retried',
      );
      throw new Error(`${passing} of ${todo.length} pushes failed for now`);
    }
  }

  private async recordFailure(
    messageKey: string,
    device: DeviceRow,
    result: Exclude<PushOutcome, { outcome: 'sent' }>,
    now: string,
  ) {
    const { db } = this.deps;
    const removed = result.outcome === 'gone';
    await db.transaction().execute(async (trx) => {
      if (removed) await deleteSubscription(trx, device.id);
      await insertFailure(trx, {
        message_key: messageKey,
        subscription_id: device.id,
        citizen_id: device.citizen_id,
        push_service: originOf(device.endpoint),
        status_code: result.statusCode,
        error: result.error.slice(0, 1000),
        removed: removed ? 1 : 0,
        created_at: now,
      });
    });
  }
}

function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'invalid';
  }
}

/**
 * Push services are reached over https, on their public names: the portal must not be made to post to its
 * own network. A push service on this machine only when configured (tests, benchmarks).
 */
function parseEndpoint(endpoint: string, allowLocal: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid('validation_failed', 'The subscription endpoint is not a URL.', {
      endpoint: 'Expected the https URL of the push service.',
    });
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  const ipLiteral = /^(\d+\.){3}\d+$/.test(url.hostname) || url.hostname.startsWith('[');
  const ok = (url.protocol === 'https:' && !local && !ipLiteral) || (allowLocal && local);
  if (!ok || url.username || url.password) {
    throw invalid('validation_failed', 'The subscription endpoint must be https.', {
      endpoint: 'Expected the https URL of the push service.',
    });
  }
  return url.toString();
}
