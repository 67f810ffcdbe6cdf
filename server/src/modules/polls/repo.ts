import type { Insertable } from 'kysely';
import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { PollsTable } from '../../db/schema.js';

export async function insertPoll(db: DbOrTrx, row: Insertable<PollsTable>) {
  return db.insertInto('polls').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertOptions(
  db: DbOrTrx,
  pollId: number,
  labels: { label_en: string | null; label_ur: string | null; label_ps: string | null }[],
) {
  return db
    .insertInto('poll_options')
    .values(labels.map((l, i) => ({ poll_id: pollId, position: i + 1, ...l })))
    .returningAll()
    .execute();
}

export async function insertPollDistricts(db: DbOrTrx, pollId: number, districtIds: number[]) {
  if (districtIds.length === 0) return;
  await db
    .insertInto('poll_districts')
    .values(districtIds.map((district_id) => ({ poll_id: pollId, district_id })))
    .execute();
}

export async function findPoll(db: DbOrTrx, id: number) {
  return db.selectFrom('polls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function optionsOf(db: DbOrTrx, pollIds: number[]) {
  if (pollIds.length === 0) return [];
  return db
    .selectFrom('poll_options')
    .selectAll()
    .where('poll_id', 'in', pollIds)
    .orderBy('poll_id')
    .orderBy('position')
    .execute();
}

export async function districtsOf(db: DbOrTrx, pollIds: number[]) {
  if (pollIds.length === 0) return [];
  return db
    .selectFrom('poll_districts')
    .select(['poll_id', 'district_id'])
    .where('poll_id', 'in', pollIds)
    .orderBy('district_id')
    .execute();
}

export async function listPolls(db: DbOrTrx, q: { before?: number; limit: number }) {
  let query = db.selectFrom('polls').selectAll();
  if (q.before !== undefined) query = query.where('id', '<', q.before);
  return query.orderBy('id', 'desc').limit(q.limit).execute();
}

/** Polls open now or closed since `closedSince` that target the district, with whether the citizen voted. */
export async function pollsFor(
  db: DbOrTrx,
  q: { citizenId: number; districtId: number; now: string; closedSince: string; limit: number },
) {
  return db
    .selectFrom('polls as p')
    .selectAll('p')
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('poll_voters as v')
            .select('v.poll_id')
            .whereRef('v.poll_id', '=', 'p.id')
            .where('v.citizen_id', '=', q.citizenId),
        )
        .as('voted'),
    )
    .where('p.closes_at', '>', q.closedSince)
    .where('p.opens_at', '<=', q.now)
    .where((eb) =>
      eb.or([
        eb('p.province_wide', '=', 1),
        eb.exists(
          eb
            .selectFrom('poll_districts as d')
            .select('d.poll_id')
            .whereRef('d.poll_id', '=', 'p.id')
            .where('d.district_id', '=', q.districtId),
        ),
      ]),
    )
    .orderBy('p.closes_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(q.limit)
    .execute();
}

export async function hasVoted(db: DbOrTrx, pollId: number, citizenId: number): Promise<boolean> {
  const r = await db
    .selectFrom('poll_voters')
    .select('poll_id')
    .where('poll_id', '=', pollId)
    .where('citizen_id', '=', citizenId)
    .executeTakeFirst();
  return r !== undefined;
}

export async function targets(db: DbOrTrx, pollId: number, districtId: number): Promise<boolean> {
  const r = await db
    .selectFrom('poll_districts')
    .select('poll_id')
    .where('poll_id', '=', pollId)
    .where('district_id', '=', districtId)
    .executeTakeFirst();
  return r !== undefined;
}

/** The key (poll_id, citizen_id) refuses a second vote, even one racing this one in another transaction. */
export async function insertVoter(db: DbOrTrx, pollId: number, citizenId: number) {
  await db.insertInto('poll_voters').values({ poll_id: pollId, citizen_id: citizenId }).execute();
}

/** Adds one to each (option, district) count; option 0 counts the district's voters. */
export async function addToTallies(db: DbOrTrx, pollId: number, districtId: number, optionIds: number[]) {
  for (const optionId of [0, ...[...optionIds].sort((a, b) => a - b)]) {
    await db
      .insertInto('poll_tallies')
      .values({ poll_id: pollId, option_id: optionId, district_id: districtId, votes: 1 })
      .onConflict((oc) =>
        oc
          .columns(['poll_id', 'option_id', 'district_id'])
          .doUpdateSet({ votes: sql`poll_tallies.votes + 1` }),
      )
      .execute();
  }
  await db
    .updateTable('poll_options')
    .set({ votes: sql`votes + 1` })
    .where('poll_id', '=', pollId)
    .where('id', 'in', optionIds)
    .execute();
  await db.updateTable('polls').set({ voters: sql`voters + 1` }).where('id', '=', pollId).execute();
}

export async function talliesOf(db: DbOrTrx, pollId: number) {
  return db
    .selectFrom('poll_tallies as t')
    .innerJoin('districts as d', 'd.id', 't.district_id')
    .select(['t.option_id', 't.district_id', 't.votes', 'd.name', 'd.name_ur', 'd.name_ps', 'd.code'])
    .where('t.poll_id', '=', pollId)
    .execute();
}

export async function closePoll(db: DbOrTrx, id: number, at: string) {
  return db
    .updateTable('polls')
    .set({ closes_at: at, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function voterStanding(db: DbOrTrx, citizenId: number) {
  return db
    .selectFrom('citizens')
    .select(['district_id', 'status', 'verified_at', 'language'])
    .where('id', '=', citizenId)
    .executeTakeFirst();
}

export async function existingDistrictIds(db: DbOrTrx, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('districts').select('id').where('id', 'in', ids).execute();
  return rows.map((r) => r.id);
}
