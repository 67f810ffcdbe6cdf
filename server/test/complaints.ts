import type { ComplaintStatus } from '../src/db/schema.js';
import { nextComplaintId } from '../src/modules/complaints/repo.js';
import type { TestPortal } from './portal.js';

const DAY_MS = 86_400_000;

export interface BuildComplaintInput {
  citizenId?: number | null;
  /** A category code; water supply by default (department phe). */
  category?: string;
  /** A district code; Peshawar by default. */
  district?: string;
  description?: string;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  /** Defaults to the category's SLA from now. */
  dueAt?: Date;
  createdAt?: Date;
  /** Waits in the provincial triage queue (no office) whatever the routing table says. */
  triage?: boolean;
}

export interface BuiltComplaint {
  id: number;
  trackingNumber: string;
  status: ComplaintStatus;
  officeId: number | null;
  departmentId: number;
  districtId: number;
  categoryId: number;
}

/**
 * A complaint made as the citizen's submission makes one: routed by the routing table, created through the
 * lifecycle and assigned to the routed office in one transaction.
 */
export async function buildComplaint(
  portal: TestPortal,
  input: BuildComplaintInput = {},
): Promise<BuiltComplaint> {
  const services = portal.app.services;
  const db = portal.database.db;
  const category = await db
    .selectFrom('categories')
    .selectAll()
    .where('code', '=', input.category ?? 'water-supply-no-water')
    .executeTakeFirstOrThrow();
  const district = await db
    .selectFrom('districts')
    .select('id')
    .where('code', '=', input.district ?? 'peshawar')
    .executeTakeFirstOrThrow();
  const routed = await services.routing.route(db, category, district.id);
  const route = input.triage ? { ...routed, officeId: null } : routed;
  const created = input.createdAt ?? new Date();
  const due = input.dueAt ?? new Date(created.getTime() + category.sla_days * DAY_MS);
  return db.transaction().execute(async (trx) => {
    const id = await nextComplaintId(trx);
    const trackingNumber = `KP-${created.getUTCFullYear()}-${String(id).padStart(6, '0')}`;
    await services.lifecycle.create(
      trx,
      {
        id,
        tracking_number: trackingNumber,
        citizen_id: input.citizenId ?? null,
        source: 'app',
        category_id: category.id,
        department_id: route.departmentId,
        office_id: route.officeId,
        district_id: district.id,
        description: input.description ?? 'No water in our street for three days.',
        address: input.address ?? null,
        lat: input.lat ?? null,
        lng: input.lng ?? null,
        accuracy_m: null,
        due_at: due.toISOString(),
        consent_at: created.toISOString(),
        created_at: created.toISOString(),
        updated_at: created.toISOString(),
      },
      {
        visibility: 'public',
        actor: { type: input.citizenId ? 'citizen' : 'system', id: input.citizenId ?? null },
      },
    );
    let status: ComplaintStatus = 'submitted';
    if (route.officeId !== null) {
      const { after } = await services.lifecycle.apply(trx, id, {
        type: 'assigned',
        visibility: 'public',
        actor: { type: 'system', id: null },
        toStatus: 'assigned',
        data: { toOfficeId: route.officeId },
      });
      status = after.status;
    }
    return {
      id,
      trackingNumber,
      status,
      officeId: route.officeId,
      departmentId: route.departmentId,
      districtId: district.id,
      categoryId: category.id,
    };
  });
}

/** A staff action on a complaint through the API (`token` undefined: without a session). */
export function staffAction(
  portal: TestPortal,
  id: number,
  token: string | undefined,
  payload: Record<string, unknown>,
) {
  return portal.app.inject({
    method: 'POST',
    url: `/api/v1/staff/complaints/${id}/actions`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    payload,
  });
}

/** Ids of seeded reference rows by code. */
export async function refIds(portal: TestPortal) {
  const db = portal.database.db;
  const [departments, districts, offices, categories] = await Promise.all([
    db.selectFrom('departments').select(['id', 'code']).execute(),
    db.selectFrom('districts').select(['id', 'code']).execute(),
    db.selectFrom('offices').select(['id', 'code']).execute(),
    db.selectFrom('categories').select(['id', 'code', 'department_id', 'parent_id']).execute(),
  ]);
  const byCode = <T extends { id: number; code: string }>(rows: T[]) => {
    const m = new Map(rows.map((r) => [r.code, r.id]));
    return (code: string) => {
      const id = m.get(code);
      if (id === undefined) throw new Error(`no ${code}`);
      return id;
    };
  };
  return {
    department: byCode(departments),
    district: byCode(districts),
    office: byCode(offices),
    category: byCode(categories),
    categories,
  };
}
