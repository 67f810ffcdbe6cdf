import { type Generated, type Kysely, sql, type Transaction } from 'kysely';
import { type DbOrTrx, dialectOf } from '../../db/database.js';
import { parseJson } from '../../db/json.js';
import type { ComplaintStatus, DB, RollupCounters } from '../../db/schema.js';
import { type AppliedEvent, type EventSubscriber, OPEN_STATUSES, STATUSES } from '../complaints/lifecycle.js';

/**
 * Dashboard rollups, kept current by a lifecycle subscriber in each event's transaction:
 * - `rollups`: counters per period (d, w, m), bucket (its first day, UTC), office, department, district and
 *   category, so any date range is a sum over whole months, whole weeks and the days at its edges;
 * - `rollups_place`: the same without the category (figures by district and office);
 * - `rollups_department`: the same per department and category only, triage apart (the province's and
 *   departments' figures, and every series, read a few rows per bucket);
 * - `rollup_staff`: the same per staff member who resolved;
 * - `rollup_current`: complaints now per place, category and status;
 * - `rollup_open_due`: open complaints now per place, category and the month they fall due (overdue figures);
 * - `heat_cells`: complaints per map cell, filing month, category, department and status;
 * - `heat_area`: complaints per map cell and filing month with a column per status, at each of HEAT_SCALES
 *   (the heat map of everything reads a row per cell and month);
 * - `heat_place`: the same per department and office, on the grid (the maps of a department or an office).
 * `rebuildRollups` recomputes all of them from complaints and events (after bulk loads, or to repair).
 */
export type Counter = Exclude<keyof RollupCounters, `h${number}`>;
export const COUNTERS: readonly Counter[] = [
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
];

/** Upper bounds (hours) of the resolution-time histogram's buckets h0..h12; h13 is everything longer. */
export const HISTOGRAM_HOURS = [1, 4, 12, 24, 48, 72, 120, 168, 240, 336, 504, 720, 1440] as const;
export const HISTOGRAM = HISTOGRAM_HOURS.map((_, i) => `h${i}`).concat('h13') as (keyof RollupCounters)[];

export function histogramBucket(seconds: number): number {
  const hours = seconds / 3600;
  const i = HISTOGRAM_HOURS.findIndex((h) => hours < h);
  return i === -1 ? HISTOGRAM_HOURS.length : i;
}

/** Grid of the heat map: 0.05 degrees, about 5 km. */
export const CELL_DEGREES = 0.05;
export const cellOf = (deg: number) => Math.floor(deg / CELL_DEGREES);
/** Cell sizes kept in heat_area, in grid cells: 0.05 degrees, and 0.25 for views of a whole province. */
export const HEAT_SCALES = [1, 5] as const;
export type HeatScale = (typeof HEAT_SCALES)[number];
/** The cell at a scale that holds a grid cell. */
export const scaledCell = (cell: number, scale: HeatScale) => Math.floor(cell / scale);

/** Every status has a column in the heat map tables. */
export const HEAT_STATUSES: readonly ComplaintStatus[] = STATUSES;

// The dashboards' own heat map tables; their counters are named after the statuses.
type HeatCounts = Record<ComplaintStatus, Generated<number>>;
export type HeatAreaTable = { scale: number; month: string; cell_lat: number; cell_lng: number } & HeatCounts;
export type HeatPlaceTable = {
  department_id: number;
  office_id: number;
  month: string;
  cell_lat: number;
  cell_lng: number;
} & HeatCounts;

/** The database with the dashboards' heat_area and heat_place tables. */
export const withHeatTables = (db: DbOrTrx) =>
  (db as Kysely<DB>).withTables<{ heat_area: HeatAreaTable; heat_place: HeatPlaceTable }>();

export const dayOf = (iso: string) => iso.slice(0, 10);
export function weekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7; // Monday starts the week
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}
export const monthOf = (day: string) => `${day.slice(0, 7)}-01`;

interface Place {
  officeId: number;
  departmentId: number;
  districtId: number;
  categoryId: number;
}

type Deltas = Partial<Record<keyof RollupCounters, number>>;
type CounterTable = 'rollups' | 'rollups_department' | 'rollups_place' | 'rollup_staff';

const periodsOf = (day: string) =>
  [
    ['d', day],
    ['w', weekOf(day)],
    ['m', monthOf(day)],
  ] as const;

function nonZero(deltas: Deltas) {
  return Object.entries(deltas).filter(([, v]) => v !== 0) as [keyof RollupCounters, number][];
}

/** Adds the deltas to one row of a counter table, creating the row at those values when it is new. */
async function addCounters(
  trx: DbOrTrx,
  table: CounterTable,
  key: Record<string, string | number>,
  entries: [keyof RollupCounters, number][],
) {
  await trx
    .insertInto(table)
    .values({ ...key, ...Object.fromEntries(entries) } as never)
    .onConflict((oc) =>
      oc
        .columns(Object.keys(key) as never)
        .doUpdateSet(
          Object.fromEntries(
            entries.map(([k, v]) => [k, sql`${sql.table(table)}.${sql.ref(k)} + ${v}`]),
          ) as never,
        ),
    )
    .execute();
}

async function bump(trx: DbOrTrx, place: Place, day: string, deltas: Deltas) {
  const entries = nonZero(deltas);
  if (entries.length === 0) return;
  for (const [period, bucket] of periodsOf(day)) {
    await addCounters(
      trx,
      'rollups',
      {
        period,
        bucket,
        office_id: place.officeId,
        department_id: place.departmentId,
        district_id: place.districtId,
        category_id: place.categoryId,
      },
      entries,
    );
    await addCounters(
      trx,
      'rollups_department',
      {
        period,
        bucket,
        department_id: place.departmentId,
        category_id: place.categoryId,
        triage: place.officeId === 0 ? 1 : 0,
      },
      entries,
    );
    await addCounters(
      trx,
      'rollups_place',
      {
        period,
        bucket,
        office_id: place.officeId,
        department_id: place.departmentId,
        district_id: place.districtId,
      },
      entries,
    );
  }
}

async function bumpStaff(trx: DbOrTrx, staffId: number, place: Place, day: string, deltas: Deltas) {
  const entries = nonZero(deltas);
  if (entries.length === 0) return;
  for (const [period, bucket] of periodsOf(day)) {
    await addCounters(
      trx,
      'rollup_staff',
      {
        period,
        bucket,
        staff_id: staffId,
        office_id: place.officeId,
        department_id: place.departmentId,
        district_id: place.districtId,
      },
      entries,
    );
  }
}

type Row = AppliedEvent['after'];

async function moveCurrent(trx: DbOrTrx, row: Row, delta: number) {
  await trx
    .insertInto('rollup_current')
    .values({
      office_id: row.office_id ?? 0,
      department_id: row.department_id,
      district_id: row.district_id,
      category_id: row.category_id,
      status: row.status,
      count: delta,
    })
    .onConflict((oc) =>
      oc
        .columns(['office_id', 'department_id', 'district_id', 'category_id', 'status'])
        .doUpdateSet({ count: sql`rollup_current.count + ${delta}` }),
    )
    .execute();
  if (row.lat === null || row.lng === null) return;
  await trx
    .insertInto('heat_cells')
    .values({
      month: monthOf(dayOf(row.created_at)),
      cell_lat: cellOf(row.lat),
      cell_lng: cellOf(row.lng),
      category_id: row.category_id,
      department_id: row.department_id,
      office_id: row.office_id ?? 0,
      status: row.status,
      count: delta,
    })
    .onConflict((oc) =>
      oc
        .columns(['month', 'cell_lat', 'cell_lng', 'category_id', 'department_id', 'office_id', 'status'])
        .doUpdateSet({ count: sql`heat_cells.count + ${delta}` }),
    )
    .execute();
}

/** The rollup_open_due row a complaint counts in, while it is open. */
function openDueKey(row: Row) {
  if (!OPEN_STATUSES.includes(row.status)) return null;
  return {
    due_month: monthOf(dayOf(row.due_at)),
    office_id: row.office_id ?? 0,
    department_id: row.department_id,
    district_id: row.district_id,
    category_id: row.category_id,
  };
}

/** Moves a complaint between rows of rollup_open_due as it opens, closes, moves or gets a new due date. */
async function moveOpenDue(trx: DbOrTrx, before: Row | null, after: Row) {
  const was = before && openDueKey(before);
  const is = openDueKey(after);
  if (was && is && JSON.stringify(was) === JSON.stringify(is)) return;
  for (const [key, delta] of [
    [was, -1],
    [is, 1],
  ] as const) {
    if (!key) continue;
    await trx
      .insertInto('rollup_open_due')
      .values({ ...key, count: delta })
      .onConflict((oc) =>
        oc
          .columns(['due_month', 'office_id', 'department_id', 'district_id', 'category_id'])
          .doUpdateSet({ count: sql`rollup_open_due.count + ${delta}` }),
      )
      .execute();
  }
}

type HeatTable = 'heat_area' | 'heat_place';

/**
 * Moves a complaint between rows (or status columns) of a heat table: one upsert when it keeps its row,
 * else one out of the old row and one into the new.
 */
async function shiftHeat(
  trx: DbOrTrx,
  table: HeatTable,
  from: { key: Record<string, string | number>; status: ComplaintStatus } | null,
  to: { key: Record<string, string | number>; status: ComplaintStatus } | null,
) {
  const add = async (key: Record<string, string | number>, deltas: [ComplaintStatus, number][]) => {
    await withHeatTables(trx)
      .insertInto(table)
      .values({ ...key, ...Object.fromEntries(deltas) } as never)
      .onConflict((oc) =>
        oc
          .columns(Object.keys(key) as never)
          .doUpdateSet(
            Object.fromEntries(
              deltas.map(([s, d]) => [s, sql`${sql.table(table)}.${sql.ref(s)} + ${d}`]),
            ) as never,
          ),
      )
      .execute();
  };
  if (from && to && JSON.stringify(from.key) === JSON.stringify(to.key)) {
    if (from.status === to.status) return;
    await add(to.key, [
      [from.status, -1],
      [to.status, 1],
    ]);
    return;
  }
  if (from) await add(from.key, [[from.status, -1]]);
  if (to) await add(to.key, [[to.status, 1]]);
}

/** Moves a complaint from its old status and place to its new ones in heat_area and heat_place. */
async function moveHeat(trx: DbOrTrx, before: Row | null, after: Row) {
  const cell = (row: Row) =>
    row.lat === null || row.lng === null
      ? null
      : { month: monthOf(dayOf(row.created_at)), lat: cellOf(row.lat), lng: cellOf(row.lng) };
  const was = before && cell(before);
  const is = cell(after);
  for (const scale of HEAT_SCALES) {
    const area = (c: NonNullable<typeof is>) => ({
      scale,
      month: c.month,
      cell_lat: scaledCell(c.lat, scale),
      cell_lng: scaledCell(c.lng, scale),
    });
    await shiftHeat(
      trx,
      'heat_area',
      was ? { key: area(was), status: before!.status } : null,
      is ? { key: area(is), status: after.status } : null,
    );
  }
  const place = (row: Row, c: NonNullable<typeof is>) => ({
    department_id: row.department_id,
    office_id: row.office_id ?? 0,
    month: c.month,
    cell_lat: c.lat,
    cell_lng: c.lng,
  });
  await shiftHeat(
    trx,
    'heat_place',
    was ? { key: place(before!, was), status: before!.status } : null,
    is ? { key: place(after, is), status: after.status } : null,
  );
}

/** The staff member who last resolved the complaint: satisfaction and reopenings are theirs. */
async function lastResolver(trx: DbOrTrx, complaintId: number): Promise<number | null> {
  const r = await trx
    .selectFrom('complaint_events')
    .select('actor_id')
    .where('complaint_id', '=', complaintId)
    .where('type', '=', 'resolved')
    .where('actor_type', '=', 'staff')
    // The whole (complaint_id, id) index order: PostgreSQL would otherwise walk the primary key backwards.
    .orderBy('complaint_id', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.actor_id ?? null;
}

/** Keeps the rollups current: called by the lifecycle inside every event's transaction. */
export function rollupSubscriber(): EventSubscriber {
  return async (trx: Transaction<DB>, { event, before, after }) => {
    const moved =
      before === null ||
      before.status !== after.status ||
      before.office_id !== after.office_id ||
      before.department_id !== after.department_id ||
      before.category_id !== after.category_id;
    // A new status or place moves the complaint between rows of rollup_current and the heat tables.
    if (moved) {
      if (before) await moveCurrent(trx, before, -1);
      await moveCurrent(trx, after, 1);
      await moveHeat(trx, before, after);
    }
    await moveOpenDue(trx, before, after);
    const to = event.to_status;
    if (event.type !== 'submitted' && (to === null || to === before?.status)) return;
    const place: Place = {
      officeId: after.office_id ?? 0,
      departmentId: after.department_id,
      districtId: after.district_id,
      categoryId: after.category_id,
    };
    const day = dayOf(event.created_at);
    if (event.type === 'submitted') {
      await bump(trx, place, day, { received: 1 });
      return;
    }
    let deltas: Deltas = {};
    let staffId: number | null = null;
    if (to === 'resolved') {
      const seconds = Math.max(
        0,
        Math.round((Date.parse(event.created_at) - Date.parse(after.created_at)) / 1000),
      );
      const met = event.created_at <= after.due_at;
      deltas = {
        resolved: 1,
        resolution_seconds: seconds,
        [HISTOGRAM[histogramBucket(seconds)]!]: 1,
        [met ? 'sla_met' : 'sla_missed']: 1,
      };
      staffId = event.actor_type === 'staff' ? event.actor_id : null;
    } else if (to === 'reopened') {
      const unhappy = parseJson<{ satisfied?: unknown }>(event.data)?.satisfied === false;
      deltas = { reopened: 1, ...(unhappy ? { dissatisfied: 1 } : {}) };
      staffId = await lastResolver(trx, after.id);
    } else if (to === 'closed') {
      if (after.close_reason === 'satisfied') {
        deltas = { closed_satisfied: 1, satisfied: 1 };
        staffId = await lastResolver(trx, after.id);
      } else if (after.close_reason === 'no_feedback') deltas = { closed_no_feedback: 1 };
      else deltas = { closed_other: 1 };
    } else if (to === 'rejected') {
      deltas = { rejected: 1 };
    } else return;
    await bump(trx, place, day, deltas);
    if (staffId !== null) {
      const { received: _r, ...staffDeltas } = deltas;
      await bumpStaff(trx, staffId, place, day, staffDeltas);
    }
  };
}

/**
 * Recomputes every rollup from complaints and their events, set-based, in one transaction. An event's
 * place is its office (and that office's department) or, in triage, the complaint's department.
 */
export async function rebuildRollups(db: DbOrTrx) {
  if (db.isTransaction) await rebuild(db);
  else await db.transaction().execute(rebuild);
}

async function rebuild(trx: DbOrTrx) {
  const pg = dialectOf(trx) === 'postgres';
  await trx.deleteFrom('rollups').execute();
  await trx.deleteFrom('rollups_place').execute();
  await trx.deleteFrom('rollups_department').execute();
  await trx.deleteFrom('rollup_staff').execute();
  await trx.deleteFrom('rollup_current').execute();
  await trx.deleteFrom('rollup_open_due').execute();
  await trx.deleteFrom('heat_cells').execute();
  await withHeatTables(trx).deleteFrom('heat_area').execute();
  await withHeatTables(trx).deleteFrom('heat_place').execute();

  const day = pg ? `to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD')` : `substr(e.created_at, 1, 10)`;
  const rawSeconds = pg
    ? `extract(epoch from (e.created_at - c.created_at))`
    : `((julianday(e.created_at) - julianday(c.created_at)) * 86400.0)`;
  const seconds = `round(case when ${rawSeconds} < 0 then 0 else ${rawSeconds} end)`;
  const plusDays = (ts: string, days: string) =>
    pg
      ? `(${ts} + (${days}) * interval '1 day')`
      : `strftime('%Y-%m-%dT%H:%M:%fZ', ${ts}, '+' || (${days}) || ' days')`;
  // The deadline a resolution was judged by: the complaint's due date, unless it was reopened later, in
  // which case the one in force then: the previous reopening's halved SLA, or the filing's SLA.
  const dueAtResolution = `case
      when exists (select 1 from complaint_events n where n.complaint_id = e.complaint_id
                   and n.to_status = 'reopened' and n.id > e.id)
      then coalesce(
        (select ${plusDays('r.created_at', pg ? 'ceil(cat.sla_days / 2.0)::int' : 'cast((cat.sla_days + 1) / 2 as integer)')}
          from complaint_events r where r.id = (select max(r2.id) from complaint_events r2
            where r2.complaint_id = e.complaint_id and r2.to_status = 'reopened' and r2.id < e.id)),
        ${plusDays('c.created_at', 'cat.sla_days')})
      else c.due_at end`;
  const dissatisfied = pg ? `(e.data->>'satisfied') = 'false'` : `json_extract(e.data, '$.satisfied') = 0`;
  const histogram = `case ${HISTOGRAM_HOURS.map((h, i) => `when ${seconds} < ${h * 3600} then ${i}`).join(' ')} else ${HISTOGRAM_HOURS.length} end`;
  // One row per counted event with its facts, grouped into day buckets below. The last resolver is found
  // through the whole (complaint_id, id) index order, which PostgreSQL would otherwise not choose.
  const facts = `
    select
      ${day} as bucket,
      coalesce(e.office_id, 0) as office_id,
      coalesce(o.department_id, c.department_id) as department_id,
      c.district_id as district_id,
      c.category_id as category_id,
      e.type as type,
      e.to_status as to_status,
      c.close_reason as close_reason,
      case when e.to_status = 'reopened' and ${dissatisfied} then 1 else 0 end as unhappy,
      case when e.to_status = 'resolved' then (case when e.actor_type = 'staff' then e.actor_id end)
           when e.to_status in ('reopened', 'closed') then (
             select r.actor_id from complaint_events r where r.complaint_id = e.complaint_id
               and r.type = 'resolved' and r.actor_type = 'staff' and r.id < e.id
             order by r.complaint_id desc, r.id desc limit 1)
      end as staff_id,
      case when e.to_status = 'resolved' then ${seconds} else 0 end as secs,
      case when e.to_status = 'resolved' then ${histogram} else -1 end as hb,
      case when e.to_status = 'resolved' and e.created_at <= ${dueAtResolution} then 1 else 0 end as met
    from complaint_events e
    join complaints c on c.id = e.complaint_id
    join categories cat on cat.id = c.category_id
    left join offices o on o.id = e.office_id
    where e.type = 'submitted'
      or (e.to_status in ('resolved', 'reopened', 'closed', 'rejected')
          and (e.from_status is null or e.from_status <> e.to_status))`;
  const sums = `
    sum(case when type = 'submitted' then 1 else 0 end),
    sum(case when to_status = 'resolved' then 1 else 0 end),
    sum(case when to_status = 'reopened' then 1 else 0 end),
    sum(case when to_status = 'closed' and close_reason = 'satisfied' then 1 else 0 end),
    sum(case when to_status = 'closed' and close_reason = 'no_feedback' then 1 else 0 end),
    sum(case when to_status = 'closed' and (close_reason is null or close_reason not in ('satisfied', 'no_feedback')) then 1 else 0 end),
    sum(case when to_status = 'rejected' then 1 else 0 end),
    sum(case when to_status = 'resolved' and met = 1 then 1 else 0 end),
    sum(case when to_status = 'resolved' and met = 0 then 1 else 0 end),
    sum(case when to_status = 'closed' and close_reason = 'satisfied' then 1 else 0 end),
    sum(unhappy),
    sum(secs),
    ${HISTOGRAM.map((_, i) => `sum(case when hb = ${i} then 1 else 0 end)`).join(', ')}`;
  const columns = [...COUNTERS, ...HISTOGRAM].join(', ');

  await sql`insert into rollups (period, bucket, office_id, department_id, district_id, category_id, ${sql.raw(columns)})
    select 'd', bucket, office_id, department_id, district_id, category_id, ${sql.raw(sums)}
    from (${sql.raw(facts)}) f
    group by bucket, office_id, department_id, district_id, category_id`.execute(trx);
  // A resolver is credited with the resolution, and later with its reopening or a satisfied closure.
  await sql`insert into rollup_staff (period, bucket, staff_id, office_id, department_id, district_id, ${sql.raw(columns)})
    select 'd', bucket, staff_id, office_id, department_id, district_id, ${sql.raw(sums)}
    from (${sql.raw(facts)}) f
    where staff_id is not null
      and (to_status in ('resolved', 'reopened') or (to_status = 'closed' and close_reason = 'satisfied'))
    group by bucket, staff_id, office_id, department_id, district_id`.execute(trx);

  const week = pg
    ? `to_char(date_trunc('week', bucket::date), 'YYYY-MM-DD')`
    : `date(bucket, '-6 days', 'weekday 1')`;
  const month = pg
    ? `to_char(date_trunc('month', bucket::date), 'YYYY-MM-DD')`
    : `substr(bucket, 1, 7) || '-01'`;
  const summed = [...COUNTERS, ...HISTOGRAM].map((c) => `sum(${c})`).join(', ');
  for (const [period, expr] of [
    ['w', week],
    ['m', month],
  ] as const) {
    await sql`insert into rollups (period, bucket, office_id, department_id, district_id, category_id, ${sql.raw(columns)})
      select ${period}, ${sql.raw(expr)}, office_id, department_id, district_id, category_id, ${sql.raw(summed)}
      from rollups where period = 'd'
      group by ${sql.raw(expr)}, office_id, department_id, district_id, category_id`.execute(trx);
    await sql`insert into rollup_staff (period, bucket, staff_id, office_id, department_id, district_id, ${sql.raw(columns)})
      select ${period}, ${sql.raw(expr)}, staff_id, office_id, department_id, district_id, ${sql.raw(summed)}
      from rollup_staff where period = 'd'
      group by ${sql.raw(expr)}, staff_id, office_id, department_id, district_id`.execute(trx);
  }

  await sql`insert into rollups_place (period, bucket, office_id, department_id, district_id, ${sql.raw(columns)})
    select period, bucket, office_id, department_id, district_id, ${sql.raw(summed)}
    from rollups group by period, bucket, office_id, department_id, district_id`.execute(trx);

  await sql`insert into rollups_department (period, bucket, department_id, category_id, triage, ${sql.raw(columns)})
    select period, bucket, department_id, category_id, case when office_id = 0 then 1 else 0 end, ${sql.raw(summed)}
    from rollups
    group by period, bucket, department_id, category_id, case when office_id = 0 then 1 else 0 end`.execute(
    trx,
  );

  await sql`insert into rollup_current (office_id, department_id, district_id, category_id, status, count)
    select coalesce(office_id, 0), department_id, district_id, category_id, status, count(*) from complaints
    group by coalesce(office_id, 0), department_id, district_id, category_id, status`.execute(trx);
  const dueMonth = pg
    ? `to_char(due_at at time zone 'UTC', 'YYYY-MM') || '-01'`
    : `substr(due_at, 1, 7) || '-01'`;
  await sql`insert into rollup_open_due (due_month, office_id, department_id, district_id, category_id, count)
    select ${sql.raw(dueMonth)}, coalesce(office_id, 0), department_id, district_id, category_id, count(*)
    from complaints where status in (${sql.join([...OPEN_STATUSES])})
    group by ${sql.raw(dueMonth)}, coalesce(office_id, 0), department_id, district_id, category_id`.execute(
    trx,
  );
  // floor() as JavaScript's Math.floor does it, on SQLite builds without math functions too.
  const cell = (col: string) =>
    pg
      ? `floor(${col} / ${CELL_DEGREES}::float8)::int`
      : `(cast(${col} / ${CELL_DEGREES} as integer) - (${col} / ${CELL_DEGREES} < cast(${col} / ${CELL_DEGREES} as integer)))`;
  const filed = pg
    ? `to_char(created_at at time zone 'UTC', 'YYYY-MM') || '-01'`
    : `substr(created_at, 1, 7) || '-01'`;
  await sql`insert into heat_cells (month, cell_lat, cell_lng, category_id, department_id, office_id, status, count)
    select ${sql.raw(filed)}, ${sql.raw(cell('lat'))}, ${sql.raw(cell('lng'))}, category_id, department_id,
      coalesce(office_id, 0), status, count(*)
    from complaints where lat is not null and lng is not null
    group by ${sql.raw(filed)}, ${sql.raw(cell('lat'))}, ${sql.raw(cell('lng'))}, category_id, department_id,
      coalesce(office_id, 0), status`.execute(trx);
  const statuses = sql.raw(HEAT_STATUSES.join(', '));
  const pivot = sql.raw(
    HEAT_STATUSES.map((s) => `sum(case when status = '${s}' then count else 0 end)`).join(', '),
  );
  await sql`insert into heat_area (scale, month, cell_lat, cell_lng, ${statuses})
    select 1, month, cell_lat, cell_lng, ${pivot}
    from heat_cells group by month, cell_lat, cell_lng`.execute(trx);
  // floor(cell / scale) on both engines, whose integer division rounds towards zero.
  for (const scale of HEAT_SCALES.filter((s) => s !== 1)) {
    const scaled = (col: string) =>
      sql.raw(`(${col} - ((${col} % ${scale}) + ${scale}) % ${scale}) / ${scale}`);
    await sql`insert into heat_area (scale, month, cell_lat, cell_lng, ${statuses})
      select ${sql.lit(scale)}, month, ${scaled('cell_lat')}, ${scaled('cell_lng')},
        ${sql.raw(HEAT_STATUSES.map((s) => `sum(${s})`).join(', '))}
      from heat_area where scale = 1
      group by month, ${scaled('cell_lat')}, ${scaled('cell_lng')}`.execute(trx);
  }
  await sql`insert into heat_place (department_id, office_id, month, cell_lat, cell_lng, ${statuses})
    select department_id, office_id, month, cell_lat, cell_lng, ${pivot}
    from heat_cells group by department_id, office_id, month, cell_lat, cell_lng`.execute(trx);
}
