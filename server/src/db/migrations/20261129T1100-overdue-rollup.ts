import { sql } from 'kysely';
import type { PortalMigration } from './helpers.js';

// Statuses that were open when this migration was written.
const OPEN = ['submitted', 'assigned', 'in_progress', 'reopened'];

// Overdue figures without a scan of the open complaints: open complaints per place, category and the month
// they fall due. Every month before this one is overdue as a whole; only this month's are read from the
// complaints, by the open-and-due index.
export const overdueRollup: PortalMigration = {
  async up(db, t) {
    await db.schema
      .createTable('rollup_open_due')
      .addColumn('due_month', 'text', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('rollup_open_due_pk', [
        'due_month',
        'office_id',
        'department_id',
        'district_id',
        'category_id',
      ])
      .execute();
    const month =
      t.dialect === 'postgres'
        ? `to_char(due_at at time zone 'UTC', 'YYYY-MM') || '-01'`
        : `substr(due_at, 1, 7) || '-01'`;
    await sql`insert into rollup_open_due (due_month, office_id, department_id, district_id, category_id, count)
      select ${sql.raw(month)}, coalesce(office_id, 0), department_id, district_id, category_id, count(*)
      from complaints where status in (${sql.join(OPEN)})
      group by ${sql.raw(month)}, coalesce(office_id, 0), department_id, district_id, category_id`.execute(
      db,
    );
  },
};
