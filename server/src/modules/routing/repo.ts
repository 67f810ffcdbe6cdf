import type { Insertable, Updateable } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { OfficesTable, RoutingRulesTable } from '../../db/schema.js';

export async function findRule(db: DbOrTrx, categoryId: number, districtId: number) {
  // The district's own rule wins over the category's province-wide rule.
  return db
    .selectFrom('routing_rules')
    .selectAll()
    .where('category_id', '=', categoryId)
    .where((eb) => eb.or([eb('district_id', '=', districtId), eb('district_id', 'is', null)]))
    .orderBy('district_id', (ob) => ob.desc().nullsLast())
    .limit(1)
    .executeTakeFirst();
}

export async function findOfficeFor(db: DbOrTrx, departmentId: number, districtId: number) {
  return db
    .selectFrom('offices')
    .selectAll()
    .where('department_id', '=', departmentId)
    .where('district_id', '=', districtId)
    .where('active', '=', 1)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}

export async function findOffice(db: DbOrTrx, id: number) {
  return db.selectFrom('offices').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOfficesByIds(db: DbOrTrx, ids: number[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('offices').selectAll().where('id', 'in', ids).execute();
}

export async function listOffices(
  db: DbOrTrx,
  filter: { departmentId?: number; districtIds?: number[]; activeOnly?: boolean },
) {
  let q = db.selectFrom('offices').selectAll();
  if (filter.departmentId !== undefined) q = q.where('department_id', '=', filter.departmentId);
  if (filter.districtIds) {
    if (filter.districtIds.length === 0) return [];
    q = q.where('district_id', 'in', filter.districtIds);
  }
  if (filter.activeOnly) q = q.where('active', '=', 1);
  return q.orderBy('department_id').orderBy('district_id').orderBy('id').execute();
}

export async function insertOffice(db: DbOrTrx, row: Insertable<OfficesTable>) {
  return db.insertInto('offices').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateOffice(db: DbOrTrx, id: number, patch: Updateable<OfficesTable>) {
  return db.updateTable('offices').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function listRules(db: DbOrTrx, filter: { categoryId?: number; districtId?: number }) {
  let q = db.selectFrom('routing_rules').selectAll();
  if (filter.categoryId !== undefined) q = q.where('category_id', '=', filter.categoryId);
  if (filter.districtId !== undefined) q = q.where('district_id', '=', filter.districtId);
  return q.orderBy('category_id').orderBy('district_id').execute();
}

export async function findRuleById(db: DbOrTrx, id: number) {
  return db.selectFrom('routing_rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRule(db: DbOrTrx, row: Insertable<RoutingRulesTable>) {
  return db.insertInto('routing_rules').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateRule(db: DbOrTrx, id: number, patch: Updateable<RoutingRulesTable>) {
  return db.updateTable('routing_rules').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteRule(db: DbOrTrx, id: number) {
  const r = await db.deleteFrom('routing_rules').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
