import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { CategoriesTable, DepartmentsTable } from '../../db/schema.js';

export async function listDistricts(db: DbOrTrx) {
  return db
    .selectFrom('districts')
    .innerJoin('divisions', 'divisions.id', 'districts.division_id')
    .select([
      'districts.id',
      'districts.code',
      'districts.name',
      'districts.name_ur',
      'districts.name_ps',
      'districts.hq_lat',
      'districts.hq_lng',
      'districts.aliases',
      'districts.active',
      'divisions.code as division_code',
      'divisions.name as division_name',
      'divisions.name_ur as division_name_ur',
      'divisions.name_ps as division_name_ps',
    ])
    .orderBy('districts.name')
    .execute();
}

export async function listDepartments(db: DbOrTrx) {
  return db.selectFrom('departments').selectAll().orderBy('name').execute();
}

export async function listCategories(db: DbOrTrx) {
  return db.selectFrom('categories').selectAll().orderBy('sort').orderBy('id').execute();
}

export async function findDepartment(db: DbOrTrx, id: number) {
  return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertDepartment(db: DbOrTrx, row: Insertable<DepartmentsTable>) {
  return db.insertInto('departments').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateDepartment(db: DbOrTrx, id: number, patch: Updateable<DepartmentsTable>) {
  return db.updateTable('departments').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function findCategory(db: DbOrTrx, id: number) {
  return db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The categories inside a group. */
export async function childCategories(db: DbOrTrx, parentId: number) {
  return db.selectFrom('categories').selectAll().where('parent_id', '=', parentId).orderBy('id').execute();
}

/** New categories go to the end of the list citizens see. */
export async function nextCategorySort(db: DbOrTrx): Promise<number> {
  const row = await db
    .selectFrom('categories')
    .select((eb) => eb.fn.max('sort').as('top'))
    .executeTakeFirstOrThrow();
  return row.top === null ? 0 : Number(row.top) + 1;
}

export async function insertCategory(db: DbOrTrx, row: Insertable<CategoriesTable>) {
  return db.insertInto('categories').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateCategory(db: DbOrTrx, id: number, patch: Updateable<CategoriesTable>) {
  return db.updateTable('categories').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Each imported district's bounding box (districts without a boundary have none). */
export async function districtBoxes(db: DbOrTrx) {
  return db
    .selectFrom('district_boundaries')
    .select(['district_id', 'min_lat', 'min_lng', 'max_lat', 'max_lng'])
    .execute();
}

export async function loadBoundaries(db: DbOrTrx) {
  return db.selectFrom('district_boundaries').select(['district_id', 'polygons']).orderBy('id').execute();
}

/** Changes whenever boundaries are imported: nodes compare it to know their index is stale. */
export async function boundariesVersion(db: DbOrTrx): Promise<string> {
  const row = await db
    .selectFrom('district_boundaries')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.max('imported_at').as('latest'),
      eb.fn.max('id').as('top'),
    ])
    .executeTakeFirstOrThrow();
  return `${row.n}:${row.latest ?? ''}:${row.top ?? ''}`;
}

export async function replaceBoundaries(
  db: DbOrTrx,
  rows: {
    district_id: number;
    polygons: string;
    min_lat: number;
    min_lng: number;
    max_lat: number;
    max_lng: number;
    source: string;
    imported_at: string;
  }[],
) {
  const ids = rows.map((r) => r.district_id);
  if (ids.length === 0) return;
  await db.deleteFrom('district_boundaries').where('district_id', 'in', ids).execute();
  for (const row of rows) await db.insertInto('district_boundaries').values(row).execute();
}
