import { parseJson } from '../../db/json.js';
import { OPEN_STATUSES } from './lifecycle.js';
import { type Named, named, type Reference } from './reference.js';
import type { ComplaintRow, EventRow } from './repo.js';

export interface ComplaintView {
  id: number;
  trackingNumber: string;
  status: ComplaintRow['status'];
  source: ComplaintRow['source'];
  category: Named & { slaDays: number };
  department: Named;
  district: Named;
  /** null while the complaint waits in the provincial triage queue. */
  office: Named | null;
  description: string;
  address: string | null;
  location: { lat: number; lng: number; accuracyM: number | null } | null;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
  reopenCount: number;
  supportCount: number;
  mediaCount: number;
  resolvedAt: string | null;
  closedAt: string | null;
  closeReason: ComplaintRow['close_reason'];
  rejectionReason: string | null;
  mergedIntoId: number | null;
  feedback: { satisfied: boolean; rating: number | null; comment: string | null; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export function isOpen(row: Pick<ComplaintRow, 'status'>): boolean {
  return OPEN_STATUSES.includes(row.status);
}

export function isOverdue(row: Pick<ComplaintRow, 'status' | 'due_at'>, now = new Date()): boolean {
  return isOpen(row) && row.due_at < now.toISOString();
}

export function complaintView(row: ComplaintRow, ref: Reference): ComplaintView {
  const category = ref.categories.get(row.category_id)!;
  const office = row.office_id === null ? undefined : ref.offices.get(row.office_id);
  return {
    id: row.id,
    trackingNumber: row.tracking_number,
    status: row.status,
    source: row.source,
    category: { ...named(category), slaDays: category.sla_days },
    department: named(ref.departments.get(row.department_id)!),
    district: named(ref.districts.get(row.district_id)!),
    office: office ? named(office) : null,
    description: row.description,
    address: row.address,
    location:
      row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng, accuracyM: row.accuracy_m } : null,
    dueAt: row.due_at,
    overdue: isOverdue(row),
    escalationLevel: row.escalation_level,
    reopenCount: row.reopen_count,
    supportCount: row.support_count,
    mediaCount: row.media_count,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    closeReason: row.close_reason,
    rejectionReason: row.rejection_reason,
    mergedIntoId: row.merged_into_id,
    feedback:
      row.feedback_at !== null
        ? {
            satisfied: row.satisfied === 1,
            rating: row.rating,
            comment: row.feedback_comment,
            at: row.feedback_at,
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface TimelineEntry {
  id: number;
  type: string;
  /** Who acted, by role only: citizens never see an officer's name, nor officers a supporter's. */
  actor: EventRow['actor_type'];
  fromStatus: string | null;
  status: string | null;
  office: Named | null;
  message: string | null;
  internal: boolean;
  data: Record<string, unknown> | null;
  createdAt: string;
}

/** Event data that only staff may read (the other office's internal reason stays on the staff side). */
const PUBLIC_DATA_KEYS = new Set([
  'fromOfficeId',
  'toOfficeId',
  'level',
  'satisfied',
  'rating',
  'reason',
  'intoId',
]);

export function timelineView(
  events: EventRow[],
  ref: Reference,
  audience: 'citizen' | 'staff',
): TimelineEntry[] {
  return events
    .filter((e) => audience === 'staff' || e.visibility === 'public')
    .map((e) => {
      const office = e.office_id === null ? undefined : ref.offices.get(e.office_id);
      let data = parseJson<Record<string, unknown>>(e.data);
      if (data && audience === 'citizen') {
        data = Object.fromEntries(Object.entries(data).filter(([k]) => PUBLIC_DATA_KEYS.has(k)));
      }
      return {
        id: e.id,
        type: e.type,
        actor: e.actor_type,
        fromStatus: e.from_status,
        status: e.to_status,
        office: office ? named(office) : null,
        message: e.message,
        internal: e.visibility === 'internal',
        data,
        createdAt: e.created_at,
      };
    });
}
