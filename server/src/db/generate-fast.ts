import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { rebuildRollups } from '../modules/dashboards/rollup.js';
import type { Database } from './database.js';
import { BIG_DISTRICTS, BUSY_DEPARTMENTS, rebuildComplaintCounts } from './generate.js';

/**
 * The generator's data set made inside PostgreSQL (INSERT ... SELECT generate_series), for sizes the
 * row-by-row generator takes hours over (10,000,000 complaints): the same spreads over districts,
 * categories, ages and statuses, with the events each status implies, in chunks of a million; then the
 * per-office counts and the dashboard rollups are rebuilt once.
 */
export async function generateComplaintsFast(
  database: Database,
  opts: {
    complaints: number;
    citizens?: number;
    seed?: number;
    onProgress?: (done: number, total: number) => void;
  },
) {
  if (database.dialect !== 'postgres') throw new Error('--fast generates on PostgreSQL only');
  const db = database.db;
  const districts = await db.selectFrom('districts').selectAll().where('active', '=', 1).execute();
  const departments = await db.selectFrom('departments').selectAll().execute();
  const categories = await db.selectFrom('categories').selectAll().where('active', '=', 1).execute();
  const deptCode = new Map(departments.map((d) => [d.id, d.code]));
  // Weighted picks as arrays with each id repeated by its weight: arr[1 + floor(random() * len)].
  const districtPool = districts.flatMap((d) =>
    Array(BIG_DISTRICTS.has(d.code) ? (d.code === 'peshawar' ? 12 : 4) : 1).fill(d.id),
  );
  const categoryPool = categories.flatMap((c) =>
    Array(BUSY_DEPARTMENTS.has(deptCode.get(c.department_id) ?? '') ? 4 : 1).fill(c.id),
  );
  const citizens = opts.citizens ?? Math.max(100, Math.ceil(opts.complaints / 20));
  const tag = randomBytes(4).toString('hex');
  const now = new Date().toISOString();
  await sql`select setseed(${((opts.seed ?? 42) % 1000) / 1000})`.execute(db);

  const firstCitizen = Number(
    (await sql<{ m: number }>`select coalesce(max(id), 0) + 1 as m from citizens`.execute(db)).rows[0]!.m,
  );
  await sql`insert into citizens (name, cnic_hash, cnic_enc, mobile, email, district_id, password_hash, language,
      status, verified_at, created_at, updated_at)
    select 'Generated Citizen ' || g, 'generated:' || ${tag} || ':' || g, 'generated', 'generated:' || ${tag} || ':' || g,
      null, (${sql.val(districtPool)}::bigint[])[1 + floor(random() * ${districtPool.length})::int], '!generated',
      'ur', 'active', ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
    from generate_series(1, ${citizens}) g`.execute(db);

  const startId = Number(
    (await sql<{ m: number }>`select coalesce(max(id), 0) + 1 as m from complaints`.execute(db)).rows[0]!.m,
  );
  const chunk = 1_000_000;
  for (let done = 0; done < opts.complaints; done += chunk) {
    const n = Math.min(chunk, opts.complaints - done);
    const first = startId + done;
    await db.transaction().execute(async (trx) => {
      // The rows are made consistent here; checking each foreign key row by row would take most of the time.
      // (Needs a superuser; without one the checks simply run.)
      await sql`do $$ begin set local session_replication_role = replica;
        exception when insufficient_privilege then null; end $$`.execute(trx);
      await sql`create temporary table gen on commit drop as
        select g as id,
          (${sql.val(districtPool)}::bigint[])[1 + floor(random() * ${districtPool.length})::int] as district_id,
          (${sql.val(categoryPool)}::bigint[])[1 + floor(random() * ${categoryPool.length})::int] as category_id,
          floor(540 * power(random(), 1.6))::int as age_days,
          random() as r_status, random() as r_time, random() as r_sat, random() as r_lat, random() as r_lng,
          random() as r_text
        from generate_series(${first}::bigint, ${first + n - 1}::bigint) g`.execute(trx);
      // Status by age, as statusFor() in generate.ts; a complaint without an office waits or is rejected.
      await sql`create temporary table gen2 on commit drop as
        select g.*, c.department_id, c.sla_days, o.id as office_id, d.hq_lat, d.hq_lng, d.name as district_name,
          now() - (g.age_days * interval '1 day') - (g.r_time * interval '1 day') as created,
          case
            when o.id is null then case when g.r_status < 0.7 then 'submitted' else 'rejected' end
            when g.age_days < 2 then case when g.r_status < 0.6 then 'assigned' else 'in_progress' end
            when g.age_days < c.sla_days then case
              when g.r_status < 0.3 then 'assigned' when g.r_status < 0.6 then 'in_progress'
              when g.r_status < 0.8 then 'resolved' when g.r_status < 0.95 then 'closed' else 'rejected' end
            else case
              when g.r_status < 0.06 then 'assigned' when g.r_status < 0.12 then 'in_progress'
              when g.r_status < 0.16 then 'reopened' when g.r_status < 0.22 then 'resolved'
              when g.r_status < 0.95 then 'closed' else 'rejected' end
          end as status
        from gen g
        join categories c on c.id = g.category_id
        join districts d on d.id = g.district_id
        left join offices o on o.department_id = c.department_id and o.district_id = g.district_id and o.active = 1`.execute(
        trx,
      );
      await sql`create temporary table gen3 on commit drop as
        select g.*,
          g.created + g.sla_days * interval '1 day' as due,
          case when g.status in ('resolved', 'closed')
            then least(now(), g.created + least(g.age_days, 1 + g.r_time * g.sla_days * 1.5) * interval '1 day') end as resolved,
          g.status = 'closed' and g.r_sat < 0.7 as satisfied
        from gen2 g`.execute(trx);
      await sql`insert into complaints (id, tracking_number, citizen_id, source, category_id, department_id, office_id,
          district_id, description, address, lat, lng, accuracy_m, status, escalation_level, reopen_count,
          support_count, media_count, due_at, resolved_at, closed_at, close_reason, rejection_reason, satisfied,
          rating, feedback_at, consent_at, created_at, updated_at)
        select id, 'KP-' || extract(year from created)::int || '-' || case when id >= 100000 then id::text else lpad(id::text, 6, '0') end,
          ${firstCitizen} + (id % ${citizens}), case when r_text < 0.85 then 'app' else 'web' end,
          category_id, department_id, office_id, district_id,
          (array['No water supply in our area for days. Please restore it.',
                 'Garbage has not been collected from our street for a week.',
                 'The street light near the mosque has not worked for weeks.',
                 'Open manhole on the main road near the school, very dangerous.',
                 'The road is broken with deep potholes after the rain.',
                 'Sewage water overflowing into the street for days.'])[1 + floor(r_text * 6)::int],
          case when r_lat < 0.3 then 'Mohalla ' || (1 + floor(r_lng * 40)::int) || ', ' || district_name end,
          hq_lat + (r_lat - 0.5) * 0.2, hq_lng + (r_lng - 0.5) * 0.2, 5 + floor(r_time * 40),
          status,
          case when status not in ('closed', 'rejected') and due < now()
            then case when now() - due > interval '7 days' then 2 else 1 end else 0 end,
          case when status = 'reopened' then 1 else 0 end, 0, 0,
          due, resolved,
          case when status = 'closed' then least(now(), resolved + r_sat * 7 * interval '1 day') end,
          case when status = 'closed' then case when satisfied then 'satisfied' else 'no_feedback' end end,
          case when status = 'rejected' then 'irrelevant' end,
          case when satisfied then 1 end,
          case when satisfied then 3 + floor(r_time * 3)::int end,
          case when satisfied then least(now(), resolved + r_sat * 7 * interval '1 day') end,
          created, created, coalesce(resolved, created)
        from gen3`.execute(trx);
      // The events each status implies, in the order they happened.
      await sql`insert into complaint_events (complaint_id, type, visibility, actor_type, actor_id, from_status,
          to_status, office_id, message, data, created_at)
        select c.id, e.type, 'public', e.actor, null, e.from_status, e.to_status, c.office_id, null, null, least(now(), e.at)
        from complaints c
        cross join lateral (values
          (1, 'submitted', 'citizen', null, 'submitted', c.created_at, true),
          (2, 'assigned', 'system', 'submitted', 'assigned', c.created_at, c.office_id is not null and c.status <> 'submitted'),
          (3, 'in_progress', 'staff', 'assigned', 'in_progress', c.created_at + interval '1 day',
             c.office_id is not null and c.status in ('in_progress', 'resolved', 'closed', 'reopened')),
          (4, 'resolved', 'staff', 'in_progress', 'resolved', c.resolved_at, c.resolved_at is not null),
          (5, 'closed', case when c.satisfied = 1 then 'citizen' else 'system' end, 'resolved', 'closed', c.closed_at,
             c.closed_at is not null),
          (6, 'reopened', 'citizen', 'resolved', 'reopened', c.created_at + interval '3 days', c.status = 'reopened'),
          (7, 'rejected', 'staff', 'assigned', 'rejected', c.created_at + interval '1 day',
             c.status = 'rejected' and c.office_id is not null)
        ) as e(step, type, actor, from_status, to_status, at, present)
        where c.id between ${first} and ${first + n - 1} and e.present`.execute(trx);
    });
    opts.onProgress?.(done + n, opts.complaints);
  }
  // Statistics first: planned on the empty tables' figures, the rollups' per-event look-ups take hours.
  await sql`analyze`.execute(db);
  await rebuildComplaintCounts(database);
  await rebuildRollups(db);
  await sql`select setval('complaint_ids', (select coalesce(max(id), 1) from complaints))`.execute(db);
  // As autovacuum would after a bulk load: the visibility map lets counts read their indexes alone.
  await sql`vacuum (analyze) complaints, complaint_events, citizens, complaint_counts, rollups, rollups_place,
    rollups_department, rollup_staff, rollup_current, heat_cells, heat_area, heat_place`.execute(db);
  return { complaints: opts.complaints, citizens, events: null };
}
