import type { Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { parseJson } from '../../db/json.js';
import type { ComplaintStatus, DB } from '../../db/schema.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import type { StaffPrincipal } from '../../http/auth.js';
import { type AppliedEvent, type ComplaintLifecycle, STATUSES } from '../complaints/lifecycle.js';
import { type ComplaintPlace, policies, staffCovers } from '../complaints/policies.js';
import {
  type ComplaintView,
  complaintView,
  isOverdue,
  type TimelineEntry,
  timelineView,
} from '../complaints/presenter.js';
import { type Named, named, type Reference, type ReferenceCache } from '../complaints/reference.js';
import {
  type ComplaintRow,
  findComplaint,
  listEvents,
  lockComplaint,
  supporterIds,
} from '../complaints/repo.js';
import type { MediaPort, MediaSummary, StagedFile } from '../complaints/service.js';
import { haversineKm } from '../geo/boundaries.js';
import type { Office, RoutingService } from '../routing/service.js';
import {
  addSupporters,
  complainantOf,
  countsByStatus,
  listQueue,
  OPEN,
  openNearby,
  type QueueFilter,
  type QueueScope,
} from './repo.js';
import { asTrackingNumber, ftsMatchExpression } from './search.js';

export interface QueueQuery {
  status?: ComplaintStatus[];
  category?: number;
  district?: number;
  office?: number;
  /** ISO date (a whole UTC day) or date-time. */
  from?: string;
  to?: string;
  overdue?: boolean;
  escalated?: boolean;
  triage?: boolean;
  q?: string;
  cursor?: string;
  limit: number;
}

export interface QueueItem {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  category: Named;
  district: Named;
  office: Named | null;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
  supportCount: number;
  mediaCount: number;
  createdAt: string;
  excerpt: string;
}

export interface Queue {
  items: QueueItem[];
  nextCursor: string | null;
  counts: Record<ComplaintStatus, number>;
}

export interface Hop {
  eventId: number;
  at: string;
  actor: string;
  from: Named | null;
  to: Named | null;
  reason: string | null;
}

/** The contact an Open311 client gave for a reporter without an account. */
export interface Reporter {
  name: string | null;
  email: string | null;
  phone: string | null;
}

export interface StaffComplaintView extends ComplaintView {
  /** The Open311 client (API key name) that filed it; null for the citizen app. */
  sourceName: string | null;
  complainant: { id: number; name: string; mobile: string } | null;
  reporter: Reporter | null;
  timeline: TimelineEntry[];
  media: MediaSummary[];
  duplicates: {
    id: number;
    trackingNumber: string;
    status: ComplaintStatus;
    distanceM: number;
    supportCount: number;
    office: Named | null;
    createdAt: string;
  }[];
  forwarding: Hop[];
}

/** The reporter's stored contact as staff read it; null when the client gave none. */
function reporterOf(stored: string | null): Reporter | null {
  const r = parseJson<Record<string, string>>(stored);
  if (!r) return null;
  const name = [r.first_name, r.last_name].filter((p) => p?.trim()).join(' ');
  const reporter = { name: name || null, email: r.email ?? null, phone: r.phone ?? null };
  return reporter.name || reporter.email || reporter.phone ? reporter : null;
}

export type RejectReason = 'irrelevant' | 'illegal' | 'duplicate' | 'outside_jurisdiction';
export const REJECT_REASONS: readonly RejectReason[] = [
  'irrelevant',
  'illegal',
  'duplicate',
  'outside_jurisdiction',
];
export const ACTIONS = ['start', 'forward', 'resolve', 'reject', 'note', 'reply', 'merge'] as const;
export type ActionType = (typeof ACTIONS)[number];

/** The action as it arrives: which fields each type needs is checked here, with a message per field. */
export interface ActionInput {
  type: ActionType;
  message?: string;
  reason?: string;
  officeId?: number;
  departmentId?: number;
  duplicateOf?: number;
  into?: number;
}

export interface ActionResult {
  status: ComplaintStatus;
  event: TimelineEntry;
}

const MIN_REPORT = 10;

function clean(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const fieldError = (fields: Record<string, string>) =>
  invalid('validation_failed', 'Some fields are missing or invalid.', fields);

function encodeCursor(id: number): string {
  return Buffer.from(`c${id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const m = /^[A-Za-z0-9_-]{1,40}$/.test(cursor)
    ? /^c(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString())
    : null;
  const id = m ? Number(m[1]) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) throw fieldError({ cursor: 'Not a valid cursor.' });
  return id;
}

function instant(value: string, endOfDay: boolean): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const t = new Date(dateOnly ? `${value}T00:00:00.000Z` : value).getTime();
  return new Date(dateOnly && endOfDay ? t + 86_400_000 : t).toISOString();
}

function placeOf(
  row: Pick<ComplaintRow, 'citizen_id' | 'department_id' | 'office_id'>,
  ref: Reference,
): ComplaintPlace {
  return {
    citizenId: row.citizen_id,
    departmentId: row.department_id,
    officeId: row.office_id,
    officeDistrictId: row.office_id === null ? null : (ref.offices.get(row.office_id)?.district_id ?? null),
  };
}

/**
 * The officers' side of a complaint: the queue of what a staff member covers, the full case file, and the
 * actions that move a complaint along. Every change goes through the lifecycle, one transaction each.
 */
export class CaseworkService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Readonly<Config>;
      lifecycle: ComplaintLifecycle;
      reference: ReferenceCache;
      routing: RoutingService;
      media: Pick<MediaPort, 'attach' | 'discard' | 'listForComplaint'>;
    },
  ) {}

  /** The offices a staff member covers, as the queue's indexes want them; from the cached offices. */
  private scopeOf(staff: StaffPrincipal, ref: Reference): QueueScope {
    if (staff.role === 'admin') return { kind: 'all' };
    if (staff.departmentId === null) return { kind: 'offices', departmentId: 0, officeIds: [] };
    if (staff.role === 'supervisor' && staff.districtIds.length === 0) {
      return { kind: 'department', departmentId: staff.departmentId };
    }
    const districts = new Set(staff.districtIds);
    const officeIds = [...ref.offices.values()]
      .filter((o) => o.department_id === staff.departmentId && districts.has(o.district_id))
      .map((o) => o.id);
    return { kind: 'offices', departmentId: staff.departmentId, officeIds };
  }

  async queue(staff: StaffPrincipal, query: QueueQuery): Promise<Queue> {
    if (query.triage && staff.role !== 'admin') {
      throw forbidden('triage_admins_only', 'The provincial triage queue is for admins.');
    }
    const ref = await this.deps.reference.get();
    const now = new Date();
    const filter: QueueFilter = { limit: query.limit + 1 };
    if (query.cursor !== undefined) filter.beforeId = decodeCursor(query.cursor);
    if (query.status) filter.statuses = [...new Set(query.status)];
    if (query.category !== undefined) {
      filter.categoryIds = [
        query.category,
        ...[...ref.categories.values()].filter((c) => c.parent_id === query.category).map((c) => c.id),
      ];
    }
    filter.districtId = query.district;
    filter.officeId = query.office;
    filter.triage = query.triage;
    if (query.from) filter.createdFrom = instant(query.from, false);
    if (query.to) filter.createdBefore = instant(query.to, true);
    if (filter.createdFrom && filter.createdBefore && filter.createdFrom >= filter.createdBefore) {
      throw fieldError({ to: 'Must be after "from".' });
    }
    if (query.overdue) filter.overdueAt = now.toISOString();
    filter.escalated = query.escalated;
    const scope = this.scopeOf(staff, ref);
    let page: Awaited<ReturnType<typeof listQueue>> | null = null;
    if (query.q !== undefined) {
      const tracking = asTrackingNumber(query.q);
      const fts = ftsMatchExpression(query.q);
      if (tracking) filter.trackingNumber = tracking;
      else if (fts) filter.text = { fts, plain: query.q.trim() };
      else page = [];
    }
    const [rows, counts] = await Promise.all([
      page ?? listQueue(this.deps.db, scope, filter),
      countsByStatus(this.deps.db, scope, { officeId: query.office, triage: query.triage }),
    ]);
    const items = rows.slice(0, query.limit).map((r): QueueItem => {
      const office = r.office_id === null ? undefined : ref.offices.get(r.office_id);
      return {
        id: r.id,
        trackingNumber: r.tracking_number,
        status: r.status,
        category: named(ref.categories.get(r.category_id)!),
        district: named(ref.districts.get(r.district_id)!),
        office: office ? named(office) : null,
        dueAt: r.due_at,
        overdue: isOverdue(r, now),
        escalationLevel: r.escalation_level,
        supportCount: r.support_count,
        mediaCount: r.media_count,
        createdAt: r.created_at,
        excerpt: r.excerpt.length > 160 ? `${r.excerpt.slice(0, 159)}\u2026` : r.excerpt,
      };
    });
    return {
      items,
      nextCursor: rows.length > query.limit ? encodeCursor(items[items.length - 1]!.id) : null,
      counts: Object.fromEntries(STATUSES.map((s) => [s, counts.get(s) ?? 0])) as Record<
        ComplaintStatus,
        number
      >,
    };
  }

  /** The case file: 404 outside the caller's scope, so a complaint's existence does not leak. */
  async detail(staff: StaffPrincipal, complaintId: number): Promise<StaffComplaintView> {
    const { db, config } = this.deps;
    const ref = await this.deps.reference.get();
    const row = await findComplaint(db, complaintId);
    if (!row) throw notFound('The complaint');
    const place = placeOf(row, ref);
    if (!policies.canViewComplaint(staff, place)) throw notFound('The complaint');

    const radiusM = config.complaints.nearbyMeters;
    const [events, media, complainant, nearby] = await Promise.all([
      listEvents(db, complaintId),
      this.deps.media.listForComplaint(db, complaintId, { includeHidden: staff.role === 'admin' }),
      row.citizen_id !== null && policies.canSeeComplainant(staff, place)
        ? complainantOf(db, row.citizen_id)
        : undefined,
      row.lat !== null && row.lng !== null
        ? openNearby(db, {
            categoryId: row.category_id,
            minLat: row.lat - radiusM / 111_320,
            maxLat: row.lat + radiusM / 111_320,
            minLng: row.lng - radiusM / (111_320 * Math.max(Math.cos((row.lat * Math.PI) / 180), 0.01)),
            maxLng: row.lng + radiusM / (111_320 * Math.max(Math.cos((row.lat * Math.PI) / 180), 0.01)),
            excludeId: row.id,
          })
        : [],
    ]);
    const visibleEvents = events.filter(
      (e) => e.visibility === 'public' || policies.canSeeInternalEvents(staff, place),
    );
    const officeNamed = (id: unknown) => {
      const o = typeof id === 'number' ? ref.offices.get(id) : undefined;
      return o ? named(o) : null;
    };
    const forwarding = events
      .filter((e) => e.type === 'assigned' || e.type === 'forwarded')
      .map((e): Hop => {
        const data = parseJson<Record<string, unknown>>(e.data) ?? {};
        return {
          eventId: e.id,
          at: e.created_at,
          actor: e.actor_type,
          from: officeNamed(data.fromOfficeId),
          to: officeNamed(data.toOfficeId ?? e.office_id),
          reason: typeof data.note === 'string' ? data.note : null,
        };
      });
    const duplicates = nearby
      .map((n) => ({ n, distanceM: Math.round(haversineKm(row.lat!, row.lng!, n.lat!, n.lng!) * 1000) }))
      .filter(
        ({ n, distanceM }) =>
          distanceM <= radiusM && staffCovers(staff, placeOf({ ...n, citizen_id: null }, ref)),
      )
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, 20)
      .map(({ n, distanceM }) => ({
        id: n.id,
        trackingNumber: n.tracking_number,
        status: n.status,
        distanceM,
        supportCount: n.support_count,
        office: officeNamed(n.office_id),
        createdAt: n.created_at,
      }));
    return {
      ...complaintView(row, ref),
      sourceName: row.source_name,
      complainant: complainant
        ? { id: complainant.id, name: complainant.name, mobile: complainant.mobile }
        : null,
      reporter: policies.canSeeComplainant(staff, place) ? reporterOf(row.reporter) : null,
      timeline: timelineView(visibleEvents, ref, 'staff'),
      media,
      duplicates,
      forwarding,
    };
  }

  /**
   * One staff action in one transaction: the complaint is locked and the caller's scope checked inside it,
   * so a forward by someone else in the meantime is seen. Evidence photos (resolve only) are attached to the
   * action's event, or removed from storage when the action fails.
   */
  async act(
    staff: StaffPrincipal,
    complaintId: number,
    input: ActionInput,
    staged: StagedFile[] = [],
  ): Promise<ActionResult> {
    try {
      const action = this.check(input, staged);
      const ref = await this.deps.reference.get();
      const applied = await this.deps.db.transaction().execute(async (trx) => {
        // Two complaints are locked in id order, so merges crossing each other cannot deadlock.
        if (action.type === 'merge' && action.into! < complaintId) await lockComplaint(trx, action.into!);
        const row = await lockComplaint(trx, complaintId);
        if (!row || !policies.canWorkComplaint(staff, placeOf(row, ref))) throw notFound('The complaint');
        const applied = await this.apply(trx, staff, row, action, ref);
        if (staged.length > 0) {
          await this.deps.media.attach(trx, staged, {
            complaintId,
            eventId: applied.event.id,
            uploader: { type: 'staff', id: staff.id },
          });
        }
        return applied;
      });
      return { status: applied.after.status, event: timelineView([applied.event], ref, 'staff')[0]! };
    } catch (err) {
      await this.deps.media.discard(staged);
      throw err;
    }
  }

  /** What each action needs, checked before anything is locked or stored. */
  private check(input: ActionInput, staged: StagedFile[]): ActionInput {
    const fields: Record<string, string> = {};
    const allowed: Record<ActionType, (keyof ActionInput)[]> = {
      start: ['message'],
      forward: ['officeId', 'departmentId', 'reason'],
      resolve: ['message'],
      reject: ['reason', 'message', 'duplicateOf'],
      note: ['message'],
      reply: ['message'],
      merge: ['into', 'message'],
    };
    for (const key of Object.keys(input) as (keyof ActionInput)[]) {
      if (key !== 'type' && input[key] !== undefined && !allowed[input.type].includes(key)) {
        fields[key] = `Not used by "${input.type}".`;
      }
    }
    const message = input.message === undefined ? undefined : clean(input.message);
    if (message !== undefined && message.length === 0) fields.message = 'Must not be empty.';
    switch (input.type) {
      case 'forward': {
        if ((input.officeId === undefined) === (input.departmentId === undefined)) {
          fields.officeId = 'Give either officeId or departmentId.';
        }
        const reason = clean(input.reason ?? '');
        if (reason.length < 3) fields.reason = 'Say why it goes to the other office.';
        break;
      }
      case 'resolve':
        if (!message || message.length < MIN_REPORT) {
          fields.message = `Report the action taken (at least ${MIN_REPORT} characters).`;
        }
        break;
      case 'reject':
        if (!REJECT_REASONS.includes(input.reason as RejectReason)) {
          fields.reason = `Must be one of: ${REJECT_REASONS.join(', ')}.`;
        } else if (input.reason === 'duplicate' && input.duplicateOf === undefined) {
          fields.duplicateOf = 'Give the complaint this one duplicates.';
        } else if (input.reason !== 'duplicate' && input.duplicateOf !== undefined) {
          fields.duplicateOf = 'Only for reason "duplicate".';
        }
        if (!message) fields.message ??= 'Tell the citizen why.';
        break;
      case 'note':
      case 'reply':
        if (!message) fields.message ??= 'Write a message.';
        break;
      case 'merge':
        if (input.into === undefined) fields.into = 'Give the complaint to merge into.';
        break;
    }
    if (staged.length > 0) {
      if (input.type !== 'resolve') fields.media = 'Photos go with "resolve" only.';
      else if (staged.some((s) => s.kind !== 'photo')) fields.media = 'Evidence must be photos.';
    }
    if (Object.keys(fields).length > 0) throw fieldError(fields);
    return { ...input, message };
  }

  private async apply(
    trx: Transaction<DB>,
    staff: StaffPrincipal,
    row: ComplaintRow,
    input: ActionInput,
    ref: Reference,
  ): Promise<AppliedEvent> {
    const { lifecycle } = this.deps;
    const actor = { type: 'staff' as const, id: staff.id };
    const message = input.message ?? null;
    const now = new Date().toISOString();
    switch (input.type) {
      case 'start':
        return lifecycle.apply(trx, row.id, {
          type: 'in_progress',
          visibility: 'public',
          actor,
          toStatus: 'in_progress',
          expectStatus: ['assigned', 'reopened'],
          message,
        });
      case 'forward': {
        const to = await this.forwardTarget(trx, row, input);
        return lifecycle.apply(trx, row.id, {
          type: 'forwarded',
          visibility: 'public',
          actor,
          toStatus: 'assigned',
          // The reason is the office's own note: the citizen sees where it went, not the inter-office words.
          data: {
            fromOfficeId: row.office_id,
            toOfficeId: to.id,
            fromDepartmentId: row.department_id,
            toDepartmentId: to.departmentId,
            note: clean(input.reason!),
          },
          patch: { office_id: to.id, department_id: to.departmentId },
        });
      }
      case 'resolve':
        return lifecycle.apply(trx, row.id, {
          type: 'resolved',
          visibility: 'public',
          actor,
          toStatus: 'resolved',
          message,
          patch: { resolved_at: now },
        });
      case 'reject': {
        const data: Record<string, unknown> = { reason: input.reason };
        if (input.reason === 'duplicate') {
          const original = await findComplaint(trx, input.duplicateOf!);
          if (!original || original.id === row.id || !staffCovers(staff, placeOf(original, ref))) {
            throw fieldError({ duplicateOf: 'Not another complaint you can see.' });
          }
          data.duplicateOfId = original.id;
        }
        return lifecycle.apply(trx, row.id, {
          type: 'rejected',
          visibility: 'public',
          actor,
          toStatus: 'rejected',
          message,
          data,
          patch: { rejection_reason: input.reason! },
        });
      }
      case 'note':
        return lifecycle.apply(trx, row.id, { type: 'note', visibility: 'internal', actor, message });
      case 'reply':
        if (row.status === 'closed' || row.status === 'rejected') {
          throw conflict('complaint_final', 'This complaint is closed; the citizen can no longer answer it.');
        }
        return lifecycle.apply(trx, row.id, { type: 'reply', visibility: 'public', actor, message });
      case 'merge':
        return this.merge(trx, staff, row, input.into!, message, ref);
    }
  }

  private async forwardTarget(trx: Transaction<DB>, row: ComplaintRow, input: ActionInput): Promise<Office> {
    const { routing } = this.deps;
    let to: Office | null;
    if (input.officeId !== undefined) {
      to = await routing.activeOffice(trx, input.officeId);
      if (!to) throw fieldError({ officeId: 'No such office, or it no longer takes complaints.' });
    } else {
      to = await routing.departmentOffice(trx, input.departmentId!, row.district_id);
      if (!to)
        throw fieldError({ departmentId: 'This department has no office in the complaint\u2019s district.' });
    }
    if (to.id === row.office_id) {
      throw conflict('same_office', 'The complaint is already with this office.', {
        [input.officeId !== undefined ? 'officeId' : 'departmentId']: 'Already with this office.',
      });
    }
    return to;
  }

  /**
   * The complaint closes as merged; its complainant and supporters become supporters of the other
   * complaint, which records the merge on its own timeline.
   */
  private async merge(
    trx: Transaction<DB>,
    staff: StaffPrincipal,
    row: ComplaintRow,
    intoId: number,
    message: string | null,
    ref: Reference,
  ): Promise<AppliedEvent> {
    if (intoId === row.id) throw fieldError({ into: 'A complaint cannot be merged into itself.' });
    const target = await lockComplaint(trx, intoId);
    if (!target || !staffCovers(staff, placeOf(target, ref))) {
      throw fieldError({ into: 'Not another complaint you can see.' });
    }
    if (!OPEN.includes(target.status) || target.merged_into_id !== null) {
      throw conflict('target_not_open', 'Merge only into an open complaint.', { into: 'Not open.' });
    }
    const now = new Date().toISOString();
    const applied = await this.deps.lifecycle.apply(trx, row.id, {
      type: 'merged',
      visibility: 'public',
      actor: { type: 'staff', id: staff.id },
      toStatus: 'closed',
      expectStatus: OPEN,
      message:
        message ?? `Merged into complaint ${target.tracking_number}, which deals with the same problem.`,
      data: { intoId: target.id, intoTrackingNumber: target.tracking_number },
      patch: { closed_at: now, close_reason: 'merged', merged_into_id: target.id },
    });
    const voices = new Set(await supporterIds(trx, row.id));
    if (row.citizen_id !== null) voices.add(row.citizen_id);
    if (target.citizen_id !== null) voices.delete(target.citizen_id);
    const added = await addSupporters(trx, target.id, [...voices], now);
    await this.deps.lifecycle.apply(trx, target.id, {
      type: 'merged',
      visibility: 'internal',
      actor: { type: 'staff', id: staff.id },
      data: { fromId: row.id, fromTrackingNumber: row.tracking_number, supportersAdded: added },
      patch: { support_count: target.support_count + added },
    });
    return applied;
  }
}
