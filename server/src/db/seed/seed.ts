import type { Db } from '../database.js';
import { CATEGORY_QUESTIONS } from './category-questions.js';
import { KP_CATEGORIES, KP_DEPARTMENTS, KP_DISTRICTS, KP_DIVISIONS } from './kp-reference.js';

/**
 * Seeds Khyber Pakhtunkhwa's reference data into an empty database. Each table is seeded only while it is
 * empty, so what admins edit or retire later is never brought back by a restart.
 */
export async function seedReferenceData(db: Db): Promise<{ seeded: string[] }> {
  const seeded: string[] = [];
  await db.transaction().execute(async (trx) => {
    const count = async (
      table: 'divisions' | 'districts' | 'departments' | 'categories' | 'offices' | 'routing_rules',
    ) =>
      Number(
        (
          await trx
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    if ((await count('divisions')) === 0) {
      await trx
        .insertInto('divisions')
        .values(
          KP_DIVISIONS.map((d) => ({ code: d.code, name: d.name, name_ur: d.nameUr, name_ps: d.namePs })),
        )
        .execute();
      seeded.push('divisions');
    }
    if ((await count('districts')) === 0) {
      const divisions = new Map(
        (await trx.selectFrom('divisions').select(['id', 'code']).execute()).map((d) => [d.code, d.id]),
      );
      await trx
        .insertInto('districts')
        .values(
          KP_DISTRICTS.map((d) => ({
            code: d.code,
            name: d.name,
            name_ur: d.nameUr,
            name_ps: d.namePs,
            division_id: divisions.get(d.division)!,
            hq_lat: d.hq.lat,
            hq_lng: d.hq.lng,
            aliases: JSON.stringify(d.aliases),
            // The undivided South Waziristan stays as a record for older boundary files, but complaints
            // go to its two successor districts.
            active: d.code === 'south-waziristan' ? 0 : 1,
          })),
        )
        .execute();
      seeded.push('districts');
    }
    if ((await count('departments')) === 0) {
      await trx
        .insertInto('departments')
        .values(
          KP_DEPARTMENTS.map((d) => ({ code: d.code, name: d.name, name_ur: d.nameUr, name_ps: d.namePs })),
        )
        .execute();
      seeded.push('departments');
    }
    if ((await count('categories')) === 0) {
      const departments = new Map(
        (await trx.selectFrom('departments').select(['id', 'code']).execute()).map((d) => [d.code, d.id]),
      );
      const ids = new Map<string, number>();
      let sort = 0;
      for (const c of KP_CATEGORIES) {
        const row = await trx
          .insertInto('categories')
          .values({
            code: c.code,
            department_id: departments.get(c.departmentCode)!,
            parent_id: c.parentCode ? ids.get(c.parentCode)! : null,
            name: c.name,
            name_ur: c.nameUr,
            name_ps: c.namePs,
            sla_days: c.slaDays,
            keywords: JSON.stringify(c.keywords),
            attributes: CATEGORY_QUESTIONS[c.code] ? JSON.stringify(CATEGORY_QUESTIONS[c.code]) : null,
            sort: sort++,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.set(c.code, row.id);
      }
      seeded.push('categories');
    }
    // An office for each department in each district, and a rule per top-level category that sends it to
    // its department's office in the complaint's district, so a fresh install routes every complaint.
    const now = new Date().toISOString();
    if ((await count('offices')) === 0) {
      const departments = await trx.selectFrom('departments').selectAll().where('active', '=', 1).execute();
      const districts = await trx.selectFrom('districts').selectAll().where('active', '=', 1).execute();
      const rows = departments.flatMap((dep) =>
        districts.map((dis) => ({
          code: `${dep.code}.${dis.code}`,
          department_id: dep.id,
          district_id: dis.id,
          name: `${dep.name}, ${dis.name}`,
          name_ur: `${dep.name_ur}، ${dis.name_ur}`,
          name_ps: `${dep.name_ps}، ${dis.name_ps}`,
          created_at: now,
        })),
      );
      for (let i = 0; i < rows.length; i += 200) {
        await trx
          .insertInto('offices')
          .values(rows.slice(i, i + 200))
          .execute();
      }
      seeded.push('offices');
    }
    if ((await count('routing_rules')) === 0) {
      const categories = await trx
        .selectFrom('categories')
        .select(['id', 'department_id'])
        .where('parent_id', 'is', null)
        .execute();
      if (categories.length > 0) {
        await trx
          .insertInto('routing_rules')
          .values(
            categories.map((c) => ({
              category_id: c.id,
              district_id: null,
              department_id: c.department_id,
              office_id: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .execute();
      }
      seeded.push('routing_rules');
    }
  });
  return { seeded };
}
