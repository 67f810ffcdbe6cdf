import { CATEGORY_QUESTIONS } from '../seed/category-questions.js';
import type { PortalMigration } from './helpers.js';

// Counters of the rollups as they were when this migration was written (the module's list may grow later).
const COUNTERS = [
  'received',
  'resolved',
  'reopened',
  'closed_satisfied',
  'closed_no_feedback',
  'closed_other',
  'rejected',
  'sla_met',
  'sla_missed',
  'satisfied',
  'dissatisfied',
  'resolution_seconds',
  ...Array.from({ length: 14 }, (_, i) => `h${i}`),
];

// Dashboard rollups kept by a lifecycle subscriber, the settings of the public page, Open311 API keys,
// category questions (Open311 service attributes) and the Open311 reporter's contact on a complaint.
export const dashboards: PortalMigration = {
  async up(db, t) {
    // period d|w|m and the bucket's first day (YYYY-MM-DD, UTC); office 0 is the provincial triage queue.
    let rollups = db.schema
      .createTable('rollups')
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull());
    for (const name of COUNTERS) rollups = rollups.addColumn(name, 'bigint', (c) => c.notNull().defaultTo(0));
    await rollups
      .addPrimaryKeyConstraint('rollups_pk', [
        'period',
        'bucket',
        'office_id',
        'department_id',
        'district_id',
        'category_id',
      ])
      .execute();

    // The same without the category: what most figures read, a fraction of the rows.
    let place = db.schema
      .createTable('rollups_place')
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull());
    for (const name of COUNTERS) place = place.addColumn(name, 'bigint', (c) => c.notNull().defaultTo(0));
    await place
      .addPrimaryKeyConstraint('rollups_place_pk', [
        'period',
        'bucket',
        'office_id',
        'department_id',
        'district_id',
      ])
      .execute();

    // And per department and category only (triage apart): the province's and departments' figures.
    let departments = db.schema
      .createTable('rollups_department')
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull())
      .addColumn('triage', 'integer', (c) => c.notNull());
    for (const name of COUNTERS) {
      departments = departments.addColumn(name, 'bigint', (c) => c.notNull().defaultTo(0));
    }
    await departments
      .addPrimaryKeyConstraint('rollups_department_pk', [
        'period',
        'bucket',
        'department_id',
        'category_id',
        'triage',
      ])
      .execute();

    // The same counters per staff member who resolved (satisfaction and reopenings go to the last resolver).
    let staff = db.schema
      .createTable('rollup_staff')
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('staff_id', 'bigint', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull());
    for (const name of COUNTERS) staff = staff.addColumn(name, 'bigint', (c) => c.notNull().defaultTo(0));
    await staff
      .addPrimaryKeyConstraint('rollup_staff_pk', [
        'period',
        'bucket',
        'staff_id',
        'office_id',
        'department_id',
        'district_id',
      ])
      .execute();

    // Complaints now, per place, category and status: open figures without counting rows.
    await db.schema
      .createTable('rollup_current')
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('district_id', 'bigint', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rollup_current_pk', [
        'office_id',
        'department_id',
        'district_id',
        'category_id',
        'status',
      ])
      .execute();

    // The heat map: complaints per grid cell (0.05 degrees), filing month, category, office and status.
    await db.schema
      .createTable('heat_cells')
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('cell_lat', 'integer', (c) => c.notNull())
      .addColumn('cell_lng', 'integer', (c) => c.notNull())
      .addColumn('category_id', 'bigint', (c) => c.notNull())
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('heat_cells_pk', [
        'month',
        'cell_lat',
        'cell_lng',
        'category_id',
        'department_id',
        'office_id',
        'status',
      ])
      .execute();

    // Overdue figures count open complaints past their due date from this index alone.
    await db.schema
      .createIndex('complaints_open_due')
      .on('complaints')
      .columns(['status', 'due_at', 'office_id', 'department_id', 'district_id', 'category_id'])
      .execute();
    // Open311 lists requests by filing date.
    await db.schema
      .createIndex('complaints_created')
      .on('complaints')
      .columns(['created_at', 'id'])
      .execute();
    // Open311 clients follow the public updates by date (servicerequestupdates).
    await db.schema
      .createIndex('complaint_events_created')
      .on('complaint_events')
      .columns(['created_at', 'id'])
      .execute();

    await db.schema
      .createTable('portal_settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'bigint')
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    // Only a SHA-256 of each key is kept; the prefix lets an admin tell keys apart.
    await t
      .id(db.schema.createTable('api_keys'))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'text', (c) => c.notNull())
      .addColumn('created_by', 'bigint')
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_used_at', t.timestamp)
      .addColumn('revoked_at', t.timestamp)
      .execute();

    // Questions a category asks beyond the description (Open311 service attributes), as JSON.
    await db.schema.alterTable('categories').addColumn('attributes', 'text').execute();
    // A request from an Open311 client: which client, the reporter's contact, the answers to the questions.
    await db.schema.alterTable('complaints').addColumn('source_name', 'text').execute();
    await db.schema.alterTable('complaints').addColumn('reporter', 'text').execute();
    await db.schema.alterTable('complaints').addColumn('attributes', 'text').execute();
    for (const [code, questions] of Object.entries(CATEGORY_QUESTIONS)) {
      await db
        .updateTable('categories')
        .set({ attributes: JSON.stringify(questions) })
        .where('code', '=', code)
        .execute();
    }
  },
};
