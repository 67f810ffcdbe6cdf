import type { DbOrTrx } from '../../db/database.js';
import type { StaffRole } from '../../db/schema.js';

export async function insertStaff(
  db: DbOrTrx,
  row: {
    login: string;
    name: string;
    password_hash: string;
    role: StaffRole;
    department_id: number | null;
    now: string;
  },
): Promise<number> {
  const { now, ...values } = row;
  const inserted = await db
    .insertInto('staff')
    .values({ ...values, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

export async function setStaffDistricts(db: DbOrTrx, staffId: number, districtIds: number[]) {
  await db.deleteFrom('staff_districts').where('staff_id', '=', staffId).execute();
  if (districtIds.length > 0) {
    await db
      .insertInto('staff_districts')
      .values(districtIds.map((district_id) => ({ staff_id: staffId, district_id })))
      .execute();
  }
}

const columns = [
  'id',
  'login',
  'name',
  'password_hash',
  'role',
  'department_id',
  'active',
  'created_at',
] as const;

export async function findStaffByLogin(db: DbOrTrx, login: string) {
  return db.selectFrom('staff').select(columns).where('login', '=', login).executeTakeFirst();
}

export async function findStaffById(db: DbOrTrx, id: number) {
  return db.selectFrom('staff').select(columns).where('id', '=', id).executeTakeFirst();
}

export async function staffDistrictIds(db: DbOrTrx, staffId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('staff_districts')
    .select('district_id')
    .where('staff_id', '=', staffId)
    .orderBy('district_id')
    .execute();
  return rows.map((r) => r.district_id);
}

export async function countAdmins(db: DbOrTrx): Promise<number> {
  const row = await db
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('active', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A page of staff accounts in id order, with their districts read in one query for the whole page. */
export async function listStaff(
  db: DbOrTrx,
  filter: { departmentId?: number; afterId?: number; limit: number },
) {
  let query = db
    .selectFrom('staff')
    .select(['id', 'login', 'name', 'role', 'department_id', 'active'])
    .orderBy('id')
    .limit(filter.limit);
  if (filter.departmentId !== undefined) query = query.where('department_id', '=', filter.departmentId);
  if (filter.afterId !== undefined) query = query.where('id', '>', filter.afterId);
  const rows = await query.execute();
  const districts =
    rows.length === 0
      ? []
      : await db
          .selectFrom('staff_districts')
          .select(['staff_id', 'district_id'])
          .where(
            'staff_id',
            'in',
            rows.map((r) => r.id),
          )
          .orderBy('district_id')
          .execute();
  return rows.map((r) => ({
    ...r,
    districtIds: districts.filter((d) => d.staff_id === r.id).map((d) => d.district_id),
  }));
}

export async function updateStaff(
  db: DbOrTrx,
  id: number,
  patch: Partial<{
    name: string;
    password_hash: string;
    role: StaffRole;
    department_id: number | null;
    active: number;
    updated_at: string;
  }>,
) {
  return db
    .updateTable('staff')
    .set(patch)
    .where('id', '=', id)
    .returning(['id', 'login', 'name', 'role', 'department_id', 'active'])
    .executeTakeFirst();
}
