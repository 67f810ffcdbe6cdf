import { sql } from 'kysely';
import type { PortalMigration } from './helpers.js';

// Statuses as they were when this migration was written: one column each in heat_area and heat_place.
const STATUSES = ['submitted', 'assigned', 'in_progress', 'resolved', 'closed', 'reopened', 'rejected'];

// Reads the dashboards make at a million complaints and more, each from an index or a small rollup.
export const dashboardReads: PortalMigration = {
  async up(db) {
    // The complaints behind a figure of a period are read from the events that count, office by office,
    // newest first: (office, status reached, time) finds an office's resolutions (or filings, closures...)
    // of any period without walking other offices' events. Events that change no status stay out.
    await db.schema
      .createIndex('complaint_events_office_status')
      .on('complaint_events')
      .columns(['office_id', 'to_status', 'created_at', 'id'])
      .where(sql.ref('to_status'), 'is not', null)
      .execute();
    // Everything an admin sees walks one kind of event by time. With the id in the index, events at the same
    // instant come in order too (SQLite's index rows end with it anyway; PostgreSQL would sort each run).
    await db.schema.dropIndex('complaint_events_type_time').execute();
    await db.schema
      .createIndex('complaint_events_type_time')
      .on('complaint_events')
      .columns(['type', 'created_at', 'id'])
      .execute();

    // The heat map of everything (admins, the province) without the category, office and department:
    // complaints per cell and filing month with a column per status, at two cell sizes (scale 1: the
    // 0.05-degree grid of heat_cells; scale 5: cells five times wider, for views of a whole province).
    let area = db.schema
      .createTable('heat_area')
      .addColumn('scale', 'integer', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('cell_lat', 'integer', (c) => c.notNull())
      .addColumn('cell_lng', 'integer', (c) => c.notNull());
    for (const s of STATUSES) area = area.addColumn(s, 'bigint', (c) => c.notNull().defaultTo(0));
    await area.addPrimaryKeyConstraint('heat_area_pk', ['scale', 'month', 'cell_lat', 'cell_lng']).execute();
    // The heat maps of a department or an office: the same on the grid, per department and office.
    let place = db.schema
      .createTable('heat_place')
      .addColumn('department_id', 'bigint', (c) => c.notNull())
      .addColumn('office_id', 'bigint', (c) => c.notNull())
      .addColumn('month', 'text', (c) => c.notNull())
      .addColumn('cell_lat', 'integer', (c) => c.notNull())
      .addColumn('cell_lng', 'integer', (c) => c.notNull());
    for (const s of STATUSES) place = place.addColumn(s, 'bigint', (c) => c.notNull().defaultTo(0));
    await place
      .addPrimaryKeyConstraint('heat_place_pk', [
        'department_id',
        'office_id',
        'month',
        'cell_lat',
        'cell_lng',
      ])
      .execute();

    // Both from the cells a portal already has.
    const columns = sql.raw(STATUSES.join(', '));
    const pivot = sql.raw(
      STATUSES.map((s) => `sum(case when status = '${s}' then count else 0 end)`).join(', '),
    );
    await sql`insert into heat_area (scale, month, cell_lat, cell_lng, ${columns})
      select 1, month, cell_lat, cell_lng, ${pivot}
      from heat_cells group by month, cell_lat, cell_lng`.execute(db);
    // floor(cell / 5) on both engines, whose integer division rounds towards zero.
    const coarse = (col: string) => sql.raw(`(${col} - ((${col} % 5) + 5) % 5) / 5`);
    await sql`insert into heat_area (scale, month, cell_lat, cell_lng, ${columns})
      select 5, month, ${coarse('cell_lat')}, ${coarse('cell_lng')},
        ${sql.raw(STATUSES.map((s) => `sum(${s})`).join(', '))}
      from heat_area where scale = 1
      group by month, ${coarse('cell_lat')}, ${coarse('cell_lng')}`.execute(db);
    await sql`insert into heat_place (department_id, office_id, month, cell_lat, cell_lng, ${columns})
      select department_id, office_id, month, cell_lat, cell_lng, ${pivot}
      from heat_cells group by department_id, office_id, month, cell_lat, cell_lng`.execute(db);

    // Heat maps of a category read its rows of heat_cells only.
    await db.schema
      .createIndex('heat_cells_category')
      .on('heat_cells')
      .columns(['category_id', 'month'])
      .execute();
  },
};
