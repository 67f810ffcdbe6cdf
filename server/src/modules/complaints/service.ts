import type { Transaction } from 'kysely';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { ActorType, DB, MediaKind } from '../../db/schema.js';
import { conflict, forbidden, invalid, notFound } from '../../errors.js';
import type { Principal } from '../../http/auth.js';
import { findCitizenById } from '../accounts/repo.js';
import { haversineKm } from '../geo/boundaries.js';
import type { GeoService } from '../geo/service.js';
import { IdempotencyService } from '../idempotency/service.js';
import type { RoutingService } from '../routing/service.js';
import { type AppliedEvent, type ComplaintLifecycle, OPEN_STATUSES } from './lifecycle.js';
import { type ComplaintPlace, policies } from './policies.js';
import { type ComplaintView, complaintView, type TimelineEntry, timelineView } from './presenter.js';
import type { ReferenceCache } from './reference.js';
import {
  addSupporter,
  type ComplaintRow,
  findComplaint,
  findPlace,
  incrementSupportCount,
  listEvents,
  listOwnComplaints,
  nextComplaintId,
  openComplaintsInBox,
} from './repo.js';

/** What the media module gives the complaint code: files already checked and stored, not yet attached. */
export interface StagedFile {
  key: string;
  kind: MediaKind;
}

export interface MediaSummary {
  id: number;
  kind: string;
  mime: string;
  url: string;
  thumbUrl: string | null;
}

export interface MediaPort<S extends StagedFile = StagedFile, M extends MediaSummary = MediaSummary> {
  attach(
    trx: Transaction<DB>,
    staged: S[],
    to: { complaintId: number; eventId?: number | null; uploader: { type: ActorType; id: number | null } },
  ): Promise<M[]>;
  discard(staged: S[]): Promise<void>;
  listForComplaint(db: Db, complaintId: number, opts: { includeHidden: boolean }): Promise<M[]>;
}

export interface NewComplaint {
  category: number;
  description: string;
  lat?: number;
  lng?: number;
  accuracy?: number;
  district?: number;
  address?: string;
  consent: boolean;
}

export interface Submitted {
  id: number;
  trackingNumber: string;
  status: ComplaintRow['status'];
  district: { id: number; code: string; name: string; nameUr: string; namePs: string };
  department: { id: number; code: string; name: string; nameUr: string; namePs: string };
  office: { id: number; code: string; name: string; nameUr: string; namePs: string } | null;
  dueAt: string;
}

/** Who files a complaint: a citizen with an account, or an Open311 client on behalf of a reporter. */
export type Filer =
  | { kind: 'citizen'; id: number }
  | {
      kind: 'client';
      client: { id: number; name: string };
      /** The reporter's contact as the client gave it (email, names, phone); kept for staff only. */
      reporter: Record<string, string> | null;
      /** Answers to the category's questions. */
      attributes: Record<string, unknown> | null;
    };

export interface Feedback {
  satisfied: boolean;
  rating?: number;
  comment?: string;
}

const DAY_MS = 86_400_000;

function trackingNumber(prefix: string, id: number, at: Date): string {
  return `${prefix}-${at.getUTCFullYear()}-${String(id).padStart(6, '0')}`;
}

/** Trims and collapses the whitespace a phone keyboard leaves; keeps line breaks within reason. */
function cleanText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The citizen's side of a complaint: filing, following, supporting, answering and confirming. */
export class ComplaintService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Readonly<Config>;
      geo: GeoService;
      routing: RoutingService;
      lifecycle: ComplaintLifecycle;
      reference: ReferenceCache;
      idempotency: IdempotencyService;
      media: MediaPort;
    },
  ) {}

  /** A citizen who may file: verified and not blocked. */
  private async activeCitizen(citizenId: number) {
    const citizen = await findCitizenById(this.deps.db, citizenId);
    if (!citizen) throw notFound('The account');
    if (citizen.status === 'blocked') {
      throw forbidden(
        'citizen_blocked',
        'Your account is blocked from filing complaints. Contact the Citizen Portal helpline if you think this is a mistake.',
      );
    }
    if (citizen.status !== 'active') {
      throw forbidden('not_verified', 'Verify your mobile number before filing a complaint.');
    }
    return citizen;
  }

  /**
   * Files a complaint: the GPS point decides the district (or the citizen names it and gives an address),
   * the routing table the office, the category the deadline. Complaint, events, media rows and the
   * idempotency record commit together; on any failure the staged files are removed.
   */
  async submit(
    citizenId: number,
    input: NewComplaint,
    opts: { idempotencyKey?: string; staged?: StagedFile[]; source?: ComplaintRow['source'] } = {},
  ): Promise<{ statusCode: number; body: Submitted; replayed: boolean }> {
    const staged = opts.staged ?? [];
    const key = IdempotencyService.validKey(opts.idempotencyKey);
    const requestHash = IdempotencyService.hash({
      ...input,
      media: staged.map((s) => (s as { sha256?: string }).sha256 ?? s.kind),
    });
    let result: { statusCode: number; body: Submitted; replayed: boolean };
    try {
      result = await this.deps.idempotency.run(`citizen:${citizenId}`, key, requestHash, async () => {
        const filer = { kind: 'citizen' as const, id: citizenId };
        const body = await this.create(filer, input, staged, opts.source ?? 'app', async (trx, b) => {
          if (key) await this.deps.idempotency.record(trx, `citizen:${citizenId}`, key, requestHash, 201, b);
        });
        return { statusCode: 201, body };
      });
    } catch (err) {
      await this.deps.media.discard(staged);
      throw err;
    }
    // A replay created nothing, so the files of this copy of the request are not needed.
    if (result.replayed) await this.deps.media.discard(staged);
    return result;
  }

  /**
   * Files a complaint for an Open311 client: the same checks, routing, deadline and notifications as the
   * app's, without a citizen account; the complaint is marked with its source and the client's name.
   */
  async submitForClient(filer: Extract<Filer, { kind: 'client' }>, input: NewComplaint): Promise<Submitted> {
    return this.create(filer, input, [], 'open311', async () => {});
  }

  private async create(
    filer: Filer,
    input: NewComplaint,
    staged: StagedFile[],
    source: ComplaintRow['source'],
    beforeCommit: (trx: Transaction<DB>, body: Submitted) => Promise<void>,
  ): Promise<Submitted> {
    const { config, reference, routing, lifecycle } = this.deps;
    const citizenId = filer.kind === 'citizen' ? filer.id : null;
    if (citizenId !== null) await this.activeCitizen(citizenId);
    const problems: Record<string, string> = {};
    if (input.consent !== true) {
      problems.consent = 'Confirm that the complaint is true and that you accept the acceptable-use terms.';
    }
    const description = cleanText(input.description);
    if (description.length < 10) problems.description = 'Describe the problem in at least 10 characters.';
    const ref = await reference.get();
    const category = ref.categories.get(input.category);
    if (category?.active !== 1) problems.category = 'Choose a category from the list.';

    let districtId: number | undefined;
    const hasPoint = input.lat !== undefined || input.lng !== undefined;
    const address = input.address === undefined ? null : cleanText(input.address) || null;
    if (hasPoint) {
      if (input.lat === undefined || input.lng === undefined) {
        problems[input.lat === undefined ? 'lat' : 'lng'] = 'Give both latitude and longitude.';
      } else {
        const located = await this.deps.geo.locate(input.lat, input.lng);
        if (!located) {
          throw invalid(
            'outside_territory',
            'This location is outside the area the portal serves. Check the location, or choose your district and type the address.',
            { lat: 'Outside the portal\u2019s area.', lng: 'Outside the portal\u2019s area.' },
          );
        }
        districtId = located.districtId;
      }
    } else {
      if (input.district === undefined) problems.district = 'Choose the district, or share your location.';
      else if (!ref.districts.get(input.district) || ref.districts.get(input.district)!.active !== 1) {
        problems.district = 'Choose a district from the list.';
      } else districtId = input.district;
      if (!address || address.length < 5)
        problems.address = 'Without a location, type the address or landmark.';
    }
    if (Object.keys(problems).length > 0) {
      throw invalid('validation_failed', 'Some fields are missing or invalid.', problems);
    }

    const route = await routing.route(this.deps.db, category!, districtId!);
    const now = new Date();
    const dueAt = new Date(now.getTime() + category!.sla_days * DAY_MS).toISOString();
    const actor =
      filer.kind === 'citizen'
        ? { type: 'citizen' as const, id: filer.id }
        : { type: 'api' as const, id: filer.client.id };

    return this.deps.db.transaction().execute(async (trx) => {
      const id = await nextComplaintId(trx);
      const created = await lifecycle.create(
        trx,
        {
          id,
          tracking_number: trackingNumber(config.trackingPrefix, id, now),
          citizen_id: citizenId,
          source,
          category_id: category!.id,
          department_id: route.departmentId,
          office_id: route.officeId,
          district_id: districtId!,
          description,
          address,
          lat: input.lat ?? null,
          lng: input.lng ?? null,
          accuracy_m: input.accuracy ?? null,
          due_at: dueAt,
          consent_at: now.toISOString(),
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
          ...(filer.kind === 'client'
            ? {
                source_name: filer.client.name,
                reporter: filer.reporter ? JSON.stringify(filer.reporter) : null,
                attributes: filer.attributes ? JSON.stringify(filer.attributes) : null,
              }
            : {}),
        },
        { visibility: 'public', actor },
        route.officeId === null
          ? undefined
          : {
              type: 'assigned',
              visibility: 'public',
              actor: { type: 'system', id: null },
              toStatus: 'assigned',
              data: { toOfficeId: route.officeId },
            },
      );
      if (staged.length > 0) {
        await this.deps.media.attach(trx, staged, {
          complaintId: id,
          eventId: created.event.id,
          uploader: actor,
        });
      }
      const current = {
        ...created.after,
        status: route.officeId === null ? created.after.status : 'assigned',
      } as const;
      const view = complaintView(current, ref);
      const body: Submitted = {
        id,
        trackingNumber: view.trackingNumber,
        status: view.status,
        district: view.district,
        department: view.department,
        office: view.office,
        dueAt: view.dueAt,
      };
      await beforeCommit(trx, body);
      return body;
    });
  }

  /** The facts the policies need about a complaint; null when it does not exist. */
  async place(complaintId: number): Promise<ComplaintPlace | null> {
    const row = await findPlace(this.deps.db, complaintId);
    if (!row) return null;
    return {
      citizenId: row.citizen_id,
      departmentId: row.department_id,
      officeId: row.office_id,
      officeDistrictId: row.office_district_id,
    };
  }

  /** Loads a complaint the principal may see; 404 otherwise, so another's complaint is not even confirmed. */
  async visible(
    principal: Principal,
    complaintId: number,
  ): Promise<{ row: ComplaintRow; place: ComplaintPlace }> {
    const row = await findComplaint(this.deps.db, complaintId);
    if (!row) throw notFound('The complaint');
    const ref = await this.deps.reference.get();
    const place: ComplaintPlace = {
      citizenId: row.citizen_id,
      departmentId: row.department_id,
      officeId: row.office_id,
      officeDistrictId: row.office_id === null ? null : (ref.offices.get(row.office_id)?.district_id ?? null),
    };
    if (!policies.canViewComplaint(principal, place)) throw notFound('The complaint');
    return { row, place };
  }

  async listOwn(
    citizenId: number,
    q: { cursor?: string; limit: number; status?: ComplaintRow['status'][] },
  ): Promise<{ items: ComplaintView[]; nextCursor: string | null }> {
    const before = q.cursor === undefined ? undefined : Number(q.cursor);
    if (before !== undefined && (!Number.isSafeInteger(before) || before < 1)) {
      throw invalid('validation_failed', 'The cursor is not valid.', { cursor: 'Not a valid cursor.' });
    }
    const rows = await listOwnComplaints(this.deps.db, citizenId, {
      before,
      limit: q.limit + 1,
      status: q.status,
    });
    const ref = await this.deps.reference.get();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => complaintView(r, ref)),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  async detailForCitizen(
    citizenId: number,
    complaintId: number,
  ): Promise<ComplaintView & { timeline: TimelineEntry[]; media: MediaSummary[]; canGiveFeedback: boolean }> {
    const principal = { kind: 'citizen' as const, id: citizenId, sessionId: 0 };
    const { row } = await this.visible(principal, complaintId);
    const ref = await this.deps.reference.get();
    const [events, media] = await Promise.all([
      listEvents(this.deps.db, complaintId, 'public'),
      this.deps.media.listForComplaint(this.deps.db, complaintId, { includeHidden: false }),
    ]);
    return {
      ...complaintView(row, ref),
      timeline: timelineView(events, ref, 'citizen'),
      media,
      canGiveFeedback: row.status === 'resolved',
    };
  }

  /** Open complaints of the same category within the configured radius, so a citizen can support one. */
  async nearby(q: { lat: number; lng: number; category: number }) {
    const radiusM = this.deps.config.complaints.nearbyMeters;
    const dLat = radiusM / 111_320;
    const dLng = radiusM / (111_320 * Math.max(Math.cos((q.lat * Math.PI) / 180), 0.01));
    const rows = await openComplaintsInBox(this.deps.db, {
      categoryId: q.category,
      minLat: q.lat - dLat,
      maxLat: q.lat + dLat,
      minLng: q.lng - dLng,
      maxLng: q.lng + dLng,
      statuses: OPEN_STATUSES,
      limit: 200,
    });
    const ref = await this.deps.reference.get();
    return rows
      .map((r) => ({ row: r, distanceM: Math.round(haversineKm(q.lat, q.lng, r.lat!, r.lng!) * 1000) }))
      .filter((x) => x.distanceM <= radiusM)
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, 20)
      .map(({ row, distanceM }) => {
        const category = ref.categories.get(row.category_id)!;
        // Only what identifies the problem, never the person: no text, no media, no name.
        return {
          id: row.id,
          trackingNumber: row.tracking_number,
          category: {
            id: category.id,
            code: category.code,
            name: category.name,
            nameUr: category.name_ur,
            namePs: category.name_ps,
          },
          status: row.status,
          distanceM,
          supportCount: row.support_count,
          createdAt: row.created_at,
        };
      });
  }

  /** Adds the citizen's voice to an open complaint; they are told when it is resolved. */
  async support(citizenId: number, complaintId: number): Promise<{ supportCount: number; supported: true }> {
    await this.activeCitizen(citizenId);
    return this.deps.db.transaction().execute(async (trx) => {
      const row = await findComplaint(trx, complaintId);
      if (!row) throw notFound('The complaint');
      if (row.citizen_id === citizenId) {
        throw conflict('own_complaint', 'This is your own complaint; it already counts your voice.');
      }
      if (!OPEN_STATUSES.includes(row.status)) {
        throw conflict(
          'not_open',
          'This complaint is no longer open. File a new one if the problem is back.',
        );
      }
      if (!(await addSupporter(trx, complaintId, citizenId))) {
        throw conflict('already_supported', 'You already support this complaint.');
      }
      await incrementSupportCount(trx, complaintId);
      const { after } = await this.deps.lifecycle.apply(trx, complaintId, {
        type: 'supported',
        visibility: 'internal',
        actor: { type: 'citizen', id: citizenId },
      });
      return { supportCount: after.support_count, supported: true as const };
    });
  }

  /**
   * The citizen confirms the resolution (closed, satisfied) or not: the first dissatisfaction reopens it
   * with the same office, escalated a level; a second goes to the admins.
   */
  async feedback(citizenId: number, complaintId: number, input: Feedback): Promise<AppliedEvent> {
    const principal = { kind: 'citizen' as const, id: citizenId, sessionId: 0 };
    const { row } = await this.visible(principal, complaintId);
    const comment = input.comment === undefined ? null : cleanText(input.comment) || null;
    if (!input.satisfied && (!comment || comment.length < 3)) {
      throw invalid('validation_failed', 'Tell us what is still wrong.', {
        comment: 'Say what is still wrong, so the office can act on it.',
      });
    }
    const ref = await this.deps.reference.get();
    const now = new Date();
    const actor = { type: 'citizen' as const, id: citizenId };
    const feedbackPatch = {
      satisfied: input.satisfied ? 1 : 0,
      rating: input.rating ?? null,
      feedback_comment: comment,
      feedback_at: now.toISOString(),
    };
    return this.deps.db.transaction().execute(async (trx) => {
      if (input.satisfied) {
        return this.deps.lifecycle.apply(trx, row.id, {
          type: 'closed',
          visibility: 'public',
          actor,
          toStatus: 'closed',
          expectStatus: ['resolved'],
          message: comment,
          data: { satisfied: true, rating: input.rating ?? null },
          patch: { ...feedbackPatch, closed_at: now.toISOString(), close_reason: 'satisfied' },
        });
      }
      // Reopened with a fresh deadline; the first time to the supervisor (level 1), then to the admins (2).
      const level = row.reopen_count === 0 ? Math.max(row.escalation_level, 1) : 2;
      const slaDays = ref.categories.get(row.category_id)?.sla_days ?? 7;
      return this.deps.lifecycle.apply(trx, row.id, {
        type: 'reopened',
        visibility: 'public',
        actor,
        toStatus: 'reopened',
        expectStatus: ['resolved'],
        message: comment,
        data: { satisfied: false, rating: input.rating ?? null, level },
        patch: {
          ...feedbackPatch,
          reopen_count: row.reopen_count + 1,
          escalation_level: level,
          escalated_at: now.toISOString(),
          resolved_at: null,
          reminded_at: null,
          due_at: new Date(now.getTime() + Math.ceil(slaDays / 2) * DAY_MS).toISOString(),
        },
      });
    });
  }

  /** The citizen answers the government in the Message Box, with text and optionally media. */
  async citizenReply(
    citizenId: number,
    complaintId: number,
    message: string,
    staged: StagedFile[] = [],
  ): Promise<AppliedEvent> {
    try {
      await this.activeCitizen(citizenId);
      const principal = { kind: 'citizen' as const, id: citizenId, sessionId: 0 };
      const { row } = await this.visible(principal, complaintId);
      const text = cleanText(message);
      if (text.length < 1)
        throw invalid('validation_failed', 'Write a message.', { message: 'Write a message.' });
      if (row.status === 'closed' || row.status === 'rejected') {
        throw conflict(
          'complaint_final',
          'This complaint is closed. File a new complaint if the problem is back.',
        );
      }
      return await this.deps.db.transaction().execute(async (trx) => {
        const applied = await this.deps.lifecycle.apply(trx, complaintId, {
          type: 'citizen_reply',
          visibility: 'public',
          actor: { type: 'citizen', id: citizenId },
          message: text,
        });
        if (staged.length > 0) {
          await this.deps.media.attach(trx, staged, {
            complaintId,
            eventId: applied.event.id,
            uploader: { type: 'citizen', id: citizenId },
          });
        }
        return applied;
      });
    } catch (err) {
      await this.deps.media.discard(staged);
      throw err;
    }
  }
}
