import type { Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AnnouncementSeverity, AnnouncementsTable, Language } from '../../db/schema.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { JobQueue } from '../../jobs/queue.js';
import type { AuditService } from '../audit/service.js';
import type { BroadcastContent, NotificationService } from '../notifications/service.js';
import type { SmsService } from '../sms/service.js';
import {
  advanceSmsCursor,
  citizenPlace,
  citizensPage,
  currentFor,
  existingDistricts,
  findAnnouncement,
  insertAnnouncement,
  insertTargets,
  listAll,
  markRead,
  targetsOf,
  updateAnnouncement,
} from './repo.js';
import { columns, fromColumns, instant, type Localized, localized, pick, pickLanguage } from './text.js';

export const ANNOUNCEMENT_SMS_QUEUE = 'announcements.sms';
const SMS_PAGE = 500;
const SMS_MAX_CHARS = 320;
const MAX_DAYS = 90;
const DAY_MS = 86_400_000;

export interface NewAnnouncement {
  severity: AnnouncementSeverity;
  title: Localized;
  body: Localized;
  /** null or absent: the whole province. */
  districtIds?: number[] | null;
  startsAt?: string;
  expiresAt: string;
  /** Emergency only: also by SMS to every active citizen in the target. */
  sendSms?: boolean;
}

export interface AnnouncementChange {
  title?: Localized;
  body?: Localized;
  expiresAt?: string;
}

export interface StaffAnnouncement {
  id: number;
  severity: AnnouncementSeverity;
  title: { en: string | null; ur: string | null; ps: string | null };
  body: { en: string | null; ur: string | null; ps: string | null };
  districtIds: number[] | null;
  sendSms: boolean;
  startsAt: string;
  expiresAt: string;
  withdrawnAt: string | null;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
}

export interface CitizenAnnouncement {
  id: number;
  severity: AnnouncementSeverity;
  title: string;
  body: string | null;
  language: Language;
  startsAt: string;
  expiresAt: string;
  readAt: string | null;
  /** An unread emergency: the app shows it as a banner until it is read or expires. */
  banner: boolean;
}

export interface AnnouncementDeps {
  db: Db;
  jobs: JobQueue;
  audit: AuditService;
  notifications: NotificationService;
  sms: SmsService;
}

type Row = Selectable<AnnouncementsTable>;

function staffView(row: Row, districts: number[]): StaffAnnouncement {
  return {
    id: row.id,
    severity: row.severity,
    title: fromColumns('title', row),
    body: fromColumns('body', row),
    districtIds: row.province_wide === 1 ? null : districts,
    sendSms: row.send_sms === 1,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    withdrawnAt: row.withdrawn_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const isCurrent = (row: Row, now: string) =>
  row.withdrawn_at === null && row.starts_at <= now && row.expires_at > now;

/**
 * Announcements are stored once, with the districts they target; each citizen's reading is a marker row.
 * An emergency is pushed to every device in its target through the queue, in batches.
 */
export class AnnouncementService {
  constructor(private readonly deps: AnnouncementDeps) {}

  registerWorkers() {
    this.deps.notifications.registerSource('announcement', (id) => this.pushContent(id));
    this.deps.jobs.register<{ id: number }>(ANNOUNCEMENT_SMS_QUEUE, (p) => this.smsPage(p.id));
  }

  async create(input: NewAnnouncement, staffId: number): Promise<StaffAnnouncement> {
    const title = localized('title', input.title, true);
    const body = localized('body', input.body, true);
    for (const l of Object.keys(body) as Language[]) {
      if (!title[l]) {
        throw invalid('validation_failed', 'Each language with a body needs its title too.', {
          [`title.${l}`]: 'Required where the body is written in this language.',
        });
      }
    }
    const now = new Date();
    const startsAt = input.startsAt ? instant('startsAt', input.startsAt) : now;
    const expiresAt = instant('expiresAt', input.expiresAt);
    this.checkWindow(startsAt, expiresAt, now);
    if (input.sendSms && input.severity !== 'emergency') {
      throw invalid('validation_failed', 'Only emergency announcements go by SMS.', {
        sendSms: 'Only with severity emergency.',
      });
    }
    const districtIds = await this.checkDistricts(input.districtIds ?? null);
    const delaySeconds = Math.max(0, Math.ceil((startsAt.getTime() - now.getTime()) / 1000));

    return this.deps.db.transaction().execute(async (trx) => {
      const row = await insertAnnouncement(trx, {
        severity: input.severity,
        ...columns('title', title),
        ...columns('body', body),
        province_wide: districtIds === null ? 1 : 0,
        send_sms: input.sendSms ? 1 : 0,
        starts_at: startsAt.toISOString(),
        expires_at: expiresAt.toISOString(),
        withdrawn_at: null,
        created_by: staffId,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      });
      await insertTargets(trx, row.id, districtIds ?? []);
      const view = staffView(row, districtIds ?? []);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'announcement.created',
        entity: { type: 'announcement', id: row.id },
        after: view,
      });
      if (row.severity === 'emergency') {
        await this.deps.notifications.enqueueBroadcast(trx, {
          source: 'announcement',
          id: row.id,
          districtIds,
          delaySeconds,
        });
        if (row.send_sms === 1) {
          await this.deps.jobs.enqueue(trx, ANNOUNCEMENT_SMS_QUEUE, { id: row.id }, { delaySeconds });
        }
      }
      return view;
    });
  }

  async update(id: number, change: AnnouncementChange, staffId: number): Promise<StaffAnnouncement> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await findAnnouncement(trx, id);
      if (!before) throw notFound('The announcement');
      if (before.withdrawn_at !== null) {
        throw conflict('withdrawn', 'This announcement was withdrawn; create a new one instead.');
      }
      const targets = (await targetsOf(trx, [id])).get(id) ?? [];
      const old = staffView(before, targets);
      const title = change.title ? localized('title', change.title, true) : null;
      const body = change.body ? localized('body', change.body, true) : null;
      const expiresAt = change.expiresAt ? instant('expiresAt', change.expiresAt) : null;
      if (expiresAt) this.checkWindow(new Date(before.starts_at), expiresAt, new Date());
      const after = await updateAnnouncement(trx, id, {
        ...(title ? columns('title', title) : {}),
        ...(body ? columns('body', body) : {}),
        ...(expiresAt ? { expires_at: expiresAt.toISOString() } : {}),
        updated_at: new Date().toISOString(),
      });
      const view = staffView(after, targets);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'announcement.changed',
        entity: { type: 'announcement', id },
        before: old,
        after: view,
      });
      return view;
    });
  }

  /** Takes it off every citizen's list at once, and stops any push batch not yet sent. */
  async withdraw(id: number, staffId: number): Promise<StaffAnnouncement> {
    return this.deps.db.transaction().execute(async (trx) => {
      const before = await findAnnouncement(trx, id);
      if (!before) throw notFound('The announcement');
      const targets = (await targetsOf(trx, [id])).get(id) ?? [];
      if (before.withdrawn_at !== null) return staffView(before, targets);
      const now = new Date().toISOString();
      const after = await updateAnnouncement(trx, id, { withdrawn_at: now, updated_at: now });
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: staffId },
        action: 'announcement.withdrawn',
        entity: { type: 'announcement', id },
        before: staffView(before, targets),
        after: staffView(after, targets),
      });
      return staffView(after, targets);
    });
  }

  async get(id: number): Promise<StaffAnnouncement> {
    const row = await findAnnouncement(this.deps.db, id);
    if (!row) throw notFound('The announcement');
    return staffView(row, (await targetsOf(this.deps.db, [id])).get(id) ?? []);
  }

  async list(q: { cursor?: number; limit: number }) {
    const rows = await listAll(this.deps.db, { before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const targets = await targetsOf(
      this.deps.db,
      page.map((r) => r.id),
    );
    return {
      items: page.map((r) => staffView(r, targets.get(r.id) ?? [])),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  async forCitizen(citizenId: number): Promise<{ items: CitizenAnnouncement[] }> {
    const place = await citizenPlace(this.deps.db, citizenId);
    if (!place) throw notFound('The account');
    const rows = await currentFor(this.deps.db, citizenId, place.district_id, new Date().toISOString(), 50);
    return {
      items: rows.map((r) => {
        const titles = fromColumns('title', r);
        const language = pickLanguage(titles, place.language) ?? 'en';
        return {
          id: r.id,
          severity: r.severity,
          title: titles[language] ?? '',
          body: pick(fromColumns('body', r), language),
          language,
          startsAt: r.starts_at,
          expiresAt: r.expires_at,
          readAt: r.read_at,
          banner: r.severity === 'emergency' && r.read_at === null,
        };
      }),
    };
  }

  /** Only an announcement the citizen can see now can be marked; a second mark changes nothing. */
  async markRead(citizenId: number, id: number): Promise<void> {
    const place = await citizenPlace(this.deps.db, citizenId);
    if (!place) throw notFound('The account');
    const row = await findAnnouncement(this.deps.db, id);
    const targets = row ? ((await targetsOf(this.deps.db, [id])).get(id) ?? []) : [];
    const visible =
      row &&
      isCurrent(row, new Date().toISOString()) &&
      (row.province_wide === 1 || targets.includes(place.district_id));
    if (!visible) throw notFound('The announcement');
    await markRead(this.deps.db, id, citizenId, new Date().toISOString());
  }

  /** What the push batches send; null once it is withdrawn or expired, so late batches send nothing. */
  private async pushContent(id: number): Promise<BroadcastContent | null> {
    const row = await findAnnouncement(this.deps.db, id);
    const now = new Date();
    if (!row || row.withdrawn_at !== null || row.expires_at <= now.toISOString()) return null;
    const title = fromColumns('title', row);
    const body = fromColumns('body', row);
    return {
      render: (language) => ({ title: pick(title, language) ?? '', body: pick(body, language) }),
      url: `/announcements/${id}`,
      urgency: row.severity === 'emergency' ? 'high' : 'normal',
      // Nothing is worth delivering after it expires.
      ttlSeconds: Math.max(60, Math.floor((new Date(row.expires_at).getTime() - now.getTime()) / 1000)),
    };
  }

  /** One page of the emergency SMS, with the next page queued in the same transaction. */
  async smsPage(id: number): Promise<void> {
    const { db, jobs, sms } = this.deps;
    await db.transaction().execute(async (trx) => {
      const row = await findAnnouncement(trx, id);
      if (!row || row.withdrawn_at !== null || row.expires_at <= new Date().toISOString()) return;
      const districts = row.province_wide === 1 ? null : ((await targetsOf(trx, [id])).get(id) ?? []);
      const from = row.sms_cursor;
      const citizens = await citizensPage(trx, { districtIds: districts, afterId: from, limit: SMS_PAGE });
      if (citizens.length === 0) return;
      const to = citizens[citizens.length - 1]!.id;
      // Claims the page first: a replay of a page already sent finds the cursor moved and sends nothing.
      if (!(await advanceSmsCursor(trx, id, from, to))) return;
      const title = fromColumns('title', row);
      const body = fromColumns('body', row);
      for (const c of citizens) {
        const text = [pick(title, c.language), pick(body, c.language)].filter(Boolean).join('\n');
        await sms.queue(trx, {
          to: c.mobile,
          text: text.length > SMS_MAX_CHARS ? `${text.slice(0, SMS_MAX_CHARS - 1)}…` : text,
          purpose: `announcement.${id}`,
        });
      }
      if (citizens.length === SMS_PAGE) await jobs.enqueue(trx, ANNOUNCEMENT_SMS_QUEUE, { id });
    });
  }

  private checkWindow(startsAt: Date, expiresAt: Date, now: Date) {
    if (expiresAt <= startsAt || expiresAt <= now) {
      throw invalid('validation_failed', 'The announcement must expire after it starts, in the future.', {
        expiresAt: 'Later than startsAt and than now.',
      });
    }
    if (expiresAt.getTime() - startsAt.getTime() > MAX_DAYS * DAY_MS) {
      throw invalid('validation_failed', `An announcement runs at most ${MAX_DAYS} days.`, {
        expiresAt: `At most ${MAX_DAYS} days after startsAt.`,
      });
    }
  }

  private async checkDistricts(ids: number[] | null): Promise<number[] | null> {
    if (ids === null) return null;
    const unique = [...new Set(ids)];
    if (unique.length === 0) {
      throw invalid(
        'validation_failed',
        'Name the target districts, or leave them out for the whole province.',
        {
          districtIds: 'At least one district, or null for the whole province.',
        },
      );
    }
    const found = new Set(await existingDistricts(this.deps.db, unique));
    const missing = unique.filter((d) => !found.has(d));
    if (missing.length > 0) {
      throw invalid('validation_failed', 'Some districts do not exist.', {
        districtIds: `Unknown: ${missing.join(', ')}.`,
      });
    }
    return unique.sort((a, b) => a - b);
  }
}
