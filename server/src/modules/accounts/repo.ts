import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.js';
import type { CitizenStatus, Language, OtpChannel, OtpPurpose } from '../../db/schema.js';

export async function insertCitizen(
  db: DbOrTrx,
  row: {
    name: string;
    cnic_hash: string;
    cnic_enc: string;
    mobile: string;
    email: string | null;
    district_id: number;
    password_hash: string;
    language: Language;
    now: string;
  },
): Promise<number> {
  const { now, ...values } = row;
  const inserted = await db
    .insertInto('citizens')
    .values({ ...values, status: 'pending', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

const citizenColumns = [
  'id',
  'name',
  'cnic_enc',
  'mobile',
  'email',
  'district_id',
  'password_hash',
  'language',
  'status',
  'verified_at',
  'created_at',
] as const;

export async function findCitizenById(db: DbOrTrx, id: number) {
  return db.selectFrom('citizens').select(citizenColumns).where('id', '=', id).executeTakeFirst();
}

export async function findCitizenByMobile(db: DbOrTrx, mobile: string) {
  return db.selectFrom('citizens').select(citizenColumns).where('mobile', '=', mobile).executeTakeFirst();
}

export async function findCitizenByCnicHash(db: DbOrTrx, cnicHash: string) {
  return db
    .selectFrom('citizens')
    .select(citizenColumns)
    .where('cnic_hash', '=', cnicHash)
    .executeTakeFirst();
}

/** Part of a name, newest accounts first (a search in the console: a scan is acceptable there). */
export async function findCitizensByName(db: DbOrTrx, part: string, limit: number) {
  const pattern = `%${part.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return db
    .selectFrom('citizens')
    .select(citizenColumns)
    .where(sql<boolean>`lower(name) like ${pattern} escape '\\'`)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function findTakenIdentity(db: DbOrTrx, cnicHash: string, mobile: string) {
  return db
    .selectFrom('citizens')
    .select(['cnic_hash', 'mobile', 'status'])
    .where((eb) => eb.or([eb('cnic_hash', '=', cnicHash), eb('mobile', '=', mobile)]))
    .execute();
}

export async function updateCitizen(
  db: DbOrTrx,
  id: number,
  set: Partial<{
    name: string;
    email: string | null;
    district_id: number;
    language: Language;
    password_hash: string;
    status: CitizenStatus;
    verified_at: string;
  }>,
  now: string,
) {
  await db
    .updateTable('citizens')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function insertOtp(
  db: DbOrTrx,
  row: { citizen_id: number; purpose: OtpPurpose; code_hash: string; expires_at: string; now: string },
) {
  // Only the newest code of a purpose is valid: a resend retires the earlier ones.
  await db
    .updateTable('otp_codes')
    .set({ consumed_at: row.now })
    .where('citizen_id', '=', row.citizen_id)
    .where('purpose', '=', row.purpose)
    .where('consumed_at', 'is', null)
    .execute();
  await db
    .insertInto('otp_codes')
    .values({
      citizen_id: row.citizen_id,
      purpose: row.purpose,
      code_hash: row.code_hash,
      expires_at: row.expires_at,
      created_at: row.now,
    })
    .execute();
}

export async function latestOtp(db: DbOrTrx, citizenId: number, purpose: OtpPurpose) {
  return db
    .selectFrom('otp_codes')
    .select(['id', 'code_hash', 'attempts', 'expires_at', 'consumed_at'])
    .where('citizen_id', '=', citizenId)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Counts the try and returns the new count in one statement, so parallel guesses cannot share one try. */
export async function countOtpAttempt(db: DbOrTrx, otpId: number): Promise<number> {
  const row = await db
    .updateTable('otp_codes')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', otpId)
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return row.attempts;
}

/** Marks the code used only if nobody else did first; false means it was already used. */
export async function consumeOtp(db: DbOrTrx, otpId: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('otp_codes')
    .set({ consumed_at: now })
    .where('id', '=', otpId)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertOtpSend(
  db: DbOrTrx,
  row: {
    citizen_id: number;
    mobile: string;
    purpose: OtpPurpose;
    channel: OtpChannel;
    ip: string;
    now: string;
  },
) {
  const { now, ...values } = row;
  await db
    .insertInto('otp_sends')
    .values({ ...values, created_at: now })
    .execute();
}

export async function otpSendsSince(db: DbOrTrx, mobile: string, purpose: OtpPurpose, since: string) {
  return db
    .selectFrom('otp_sends')
    .select(['created_at', 'channel'])
    .where('mobile', '=', mobile)
    .where('purpose', '=', purpose)
    .where('created_at', '>=', since)
    .orderBy('created_at', 'asc')
    .execute();
}

export async function countOtpSendsFromIp(db: DbOrTrx, ip: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('otp_sends')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('ip', '=', ip)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countOtpSendsForMobile(db: DbOrTrx, mobile: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('otp_sends')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mobile', '=', mobile)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
