import { createHash, randomBytes } from 'node:crypto';
import { type Insertable, sql } from 'kysely';
import { rebuildRollups } from '../modules/dashboards/rollup.js';
import { type Database, dialectOf } from './database.js';
import type { ComplaintEventsTable, ComplaintStatus, ComplaintsTable } from './schema.js';

/**
 * A realistic data set for benchmarks and dashboards: complaints spread over districts (weighted towards
 * the populous ones), categories (weighted towards water, sanitation, power and roads), dates (the last
 * 18 months, more recent than old) and statuses that follow age (old ones mostly closed, recent ones
 * open, a share overdue, reopened and rejected), with the events each status implies. Inserted in large
 * batches without the per-complaint hooks; the per-office counts are rebuilt at the end.
 */
export interface GenerateOptions {
  complaints: number;
  /** Citizens to spread the complaints over (default: complaints / 20, at least 100). */
  citizens?: number;
  /** Seed for the pseudo-random choices, so two runs make the same data. */
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

const DAY = 86_400_000;

/** mulberry32: small, fast and good enough for spreading test data. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weightedPicker<T>(items: T[], weight: (t: T, i: number) => number, rand: () => number) {
  const cumulative: number[] = [];
  let total = 0;
  items.forEach((item, i) => {
    total += weight(item, i);
    cumulative.push(total);
  });
  return () => {
    const r = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}

export const BIG_DISTRICTS = new Set([
  'peshawar',
  'mardan',
  'swat',
  'abbottabad',
  'charsadda',
  'nowshera',
  'mansehra',
  'dera-ismail-khan',
  'kohat',
  'swabi',
  'bannu',
]);
export const BUSY_DEPARTMENTS = new Set([
  'phe',
  'local-government',
  'energy',
  'pesco',
  'communication-works',
  'health',
  'police',
]);

const TEXTS = [
  'No water supply in our area for the last {n} days. Please restore it.',
  'Garbage has not been collected from our street for {n} days; it smells and attracts flies.',
  'The street light near the mosque has not worked for {n} weeks.',
  'Open manhole on the main road near the school, very dangerous for children.',
  'Electricity load shedding of {n} hours a day in our village.',
  'The road is broken with deep potholes after the rain; accidents happen daily.',
  'Doctor absent at the Basic Health Unit; patients are sent back.',
  'Shop selling expired food items in the bazaar.',
  'Sewage water overflowing into the street for {n} days.',
  'Teacher absent from the Government Primary School for {n} days.',
  'Pani ki supply {n} din se band hai, mohalla pareshan hai.',
  'Gali mein kachra {n} din se para hai, safai nahi hoti.',
  'ہمارے محلے میں {n} دن سے پانی نہیں آرہا۔',
  'سڑک پر گڑھے ہیں اور روزانہ حادثات ہوتے ہیں۔',
];

export async function generateComplaints(database: Database, opts: GenerateOptions) {
  const db = database.db;
  const rand = random(opts.seed ?? 42);
  const now = Date.now();
  const districts = await db.selectFrom('districts').selectAll().where('active', '=', 1).execute();
  const departments = await db.selectFrom('departments').selectAll().execute();
  const categories = await db.selectFrom('categories').selectAll().where('active', '=', 1).execute();
  const offices = await db.selectFrom('offices').selectAll().where('active', '=', 1).execute();
  const officeOf = new Map(offices.map((o) => [`${o.department_id}:${o.district_id}`, o.id]));
  const deptCode = new Map(departments.map((d) => [d.id, d.code]));
  const pickDistrict = weightedPicker(
    districts,
    (d) => (BIG_DISTRICTS.has(d.code) ? (d.code === 'peshawar' ? 12 : 4) : 1),
    rand,
  );
  const pickCategory = weightedPicker(
    categories,
    (c) => (BUSY_DEPARTMENTS.has(deptCode.get(c.department_id) ?? '') ? 4 : 1),
    rand,
  );

  // Citizens: made directly, with unusable password hashes and CNIC hashes no real CNIC produces.
  const citizenCount = opts.citizens ?? Math.max(100, Math.ceil(opts.complaints / 20));
  const stamp = new Date(now).toISOString();
  const firstCitizenId =
    Number(
      (
        await db
          .selectFrom('citizens')
          .select((eb) => eb.fn.max('id').as('m'))
          .executeTakeFirst()
      )?.m ?? 0,
    ) + 1;
  const runTag = randomBytes(4).toString('hex');
  for (let i = 0; i < citizenCount; i += 1000) {
    const rows = [];
    for (let j = i; j < Math.min(citizenCount, i + 1000); j++) {
      rows.push({
        name: `Generated Citizen ${j + 1}`,
        cnic_hash: createHash('sha256').update(`generated:${runTag}:${j}`).digest('base64url'),
        cnic_enc: 'generated',
        mobile: `generated:${runTag}:${j}`,
        email: null,
        district_id: pickDistrict().id,
        password_hash: '!generated',
        language: (rand() < 0.6 ? 'ur' : rand() < 0.5 ? 'ps' : 'en') as 'en' | 'ur' | 'ps',
        status: 'active' as const,
        verified_at: stamp,
        blocked_at: null,
        blocked_reason: null,
        created_at: stamp,
        updated_at: stamp,
      });
    }
    await db.insertInto('citizens').values(rows).execute();
  }

  const startId =
    Number(
      (
        await db
          .selectFrom('complaints')
          .select((eb) => eb.fn.max('id').as('m'))
          .executeTakeFirst()
      )?.m ?? 0,
    ) + 1;
  const batch = 1000;
  let eventsWritten = 0;
  for (let start = 0; start < opts.complaints; start += batch) {
    const complaints: Insertable<ComplaintsTable>[] = [];
    const events: Insertable<ComplaintEventsTable>[] = [];
    for (let k = start; k < Math.min(opts.complaints, start + batch); k++) {
      const id = startId + k;
      const district = pickDistrict();
      const category = pickCategory();
      const officeId = officeOf.get(`${category.department_id}:${district.id}`) ?? null;
      // More recent complaints are more numerous: age skews towards today.
      const ageDays = Math.floor(540 * rand() ** 1.6);
      const created = now - ageDays * DAY - Math.floor(rand() * DAY);
      const due = created + category.sla_days * DAY;
      const status = statusFor(ageDays, category.sla_days, rand, officeId !== null);
      const createdIso = new Date(created).toISOString();
      const resolvedAt = ['resolved', 'closed'].includes(status)
        ? created + Math.min(ageDays, 1 + rand() * category.sla_days * 1.5) * DAY
        : null;
      const closedAt =
        status === 'closed' && resolvedAt ? Math.min(now, resolvedAt + rand() * 7 * DAY) : null;
      const satisfied = status === 'closed' ? (rand() < 0.7 ? 1 : null) : null;
      const escalation =
        status !== 'closed' && status !== 'rejected' && due < now ? (now - due > 7 * DAY ? 2 : 1) : 0;
      complaints.push({
        id,
        tracking_number: `KP-${new Date(created).getUTCFullYear()}-${String(id).padStart(6, '0')}`,
        citizen_id: firstCitizenId + Math.floor(rand() * citizenCount),
        source: (rand() < 0.85 ? 'app' : 'web') as 'app' | 'web',
        category_id: category.id,
        department_id: category.department_id,
        office_id: officeId,
        district_id: district.id,
        description: TEXTS[Math.floor(rand() * TEXTS.length)]!.replace(
          '{n}',
          String(2 + Math.floor(rand() * 12)),
        ),
        address: rand() < 0.3 ? `Mohalla ${1 + Math.floor(rand() * 40)}, ${district.name}` : null,
        lat: district.hq_lat + (rand() - 0.5) * 0.2,
        lng: district.hq_lng + (rand() - 0.5) * 0.2,
        accuracy_m: Math.round(5 + rand() * 40),
        status,
        escalation_level: escalation,
        reopen_count: status === 'reopened' ? 1 : 0,
        support_count: rand() < 0.1 ? Math.floor(rand() * 20) : 0,
        media_count: 0,
        due_at: new Date(due).toISOString(),
        reminded_at: null,
        escalated_at: escalation > 0 ? new Date(due).toISOString() : null,
        resolved_at: resolvedAt ? new Date(resolvedAt).toISOString() : null,
        closed_at: closedAt ? new Date(closedAt).toISOString() : null,
        close_reason: status === 'closed' ? (satisfied ? 'satisfied' : 'no_feedback') : null,
        rejection_reason: status === 'rejected' ? 'irrelevant' : null,
        merged_into_id: null,
        satisfied,
        rating: satisfied ? 3 + Math.floor(rand() * 3) : null,
        feedback_comment: null,
        feedback_at: closedAt && satisfied ? new Date(closedAt).toISOString() : null,
        consent_at: createdIso,
        created_at: createdIso,
        updated_at: new Date(closedAt ?? resolvedAt ?? created).toISOString(),
      } as const);
      const event = (
        type: string,
        from: ComplaintStatus | null,
        to: ComplaintStatus | null,
        at: number,
        actor: 'citizen' | 'staff' | 'system',
      ) => ({
        complaint_id: id,
        type,
        visibility: 'public' as const,
        actor_type: actor,
        actor_id: null,
        from_status: from,
        to_status: to,
        office_id: officeId,
        message: null,
        data: null,
        created_at: new Date(Math.min(at, now)).toISOString(),
      });
      events.push(event('submitted', null, 'submitted', created, 'citizen'));
      if (officeId !== null && status !== 'submitted') {
        events.push(event('assigned', 'submitted', 'assigned', created, 'system'));
        if (['in_progress', 'resolved', 'closed', 'reopened'].includes(status)) {
          events.push(event('in_progress', 'assigned', 'in_progress', created + DAY, 'staff'));
        }
        if (resolvedAt) events.push(event('resolved', 'in_progress', 'resolved', resolvedAt, 'staff'));
        if (closedAt)
          events.push(event('closed', 'resolved', 'closed', closedAt, satisfied ? 'citizen' : 'system'));
        if (status === 'reopened')
          events.push(event('reopened', 'resolved', 'reopened', created + 3 * DAY, 'citizen'));
        if (status === 'rejected')
          events.push(event('rejected', 'assigned', 'rejected', created + DAY, 'staff'));
      }
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < complaints.length; i += 250) {
        await trx
          .insertInto('complaints')
          .values(complaints.slice(i, i + 250))
          .execute();
      }
      for (let i = 0; i < events.length; i += 500) {
        await trx
          .insertInto('complaint_events')
          .values(events.slice(i, i + 500))
          .execute();
      }
    });
    eventsWritten += events.length;
    opts.onProgress?.(Math.min(opts.complaints, start + batch), opts.complaints);
  }

  await rebuildComplaintCounts(database);
  await rebuildRollups(db);
  if (dialectOf(db) === 'postgres') {
    await sql`select setval('complaint_ids', (select coalesce(max(id), 1) from complaints))`.execute(db);
    await sql`analyze complaints`.execute(db);
    await sql`analyze complaint_events`.execute(db);
  } else {
    await sql`analyze`.execute(db);
  }
  return { complaints: opts.complaints, citizens: citizenCount, events: eventsWritten };
}

function statusFor(ageDays: number, slaDays: number, rand: () => number, routed: boolean): ComplaintStatus {
  if (!routed) return rand() < 0.7 ? 'submitted' : 'rejected';
  const r = rand();
  if (ageDays < 2) return r < 0.6 ? 'assigned' : 'in_progress';
  if (ageDays < slaDays) {
    if (r < 0.3) return 'assigned';
    if (r < 0.6) return 'in_progress';
    if (r < 0.8) return 'resolved';
    if (r < 0.95) return 'closed';
    return 'rejected';
  }
  if (r < 0.06) return 'assigned';
  if (r < 0.12) return 'in_progress';
  if (r < 0.16) return 'reopened';
  if (r < 0.22) return 'resolved';
  if (r < 0.95) return 'closed';
  return 'rejected';
}

/** Recounts complaint_counts from the complaints (after bulk loads, or to repair). */
export async function rebuildComplaintCounts(database: Database) {
  await database.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('complaint_counts').execute();
    await sql`insert into complaint_counts (office_id, department_id, status, count)
      select coalesce(office_id, 0), department_id, status, count(*) from complaints
      group by coalesce(office_id, 0), department_id, status`.execute(trx);
  });
}
