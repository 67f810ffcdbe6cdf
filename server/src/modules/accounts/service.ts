import { type ChangeFeed, SharedCache } from '../../cache/change-feed.js';
import type { Config } from '../../config.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Language, OtpChannel } from '../../db/schema.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import { decrypt, encrypt, lookupHash } from '../../security/crypto.js';
import {
  dummyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../security/passwords.js';
import type { GeoService } from '../geo/service.js';
import type { SessionService } from '../sessions/service.js';
import type { SmsService } from '../sms/service.js';
import type { ThrottleService } from '../throttle/service.js';
import { maskCnic, normalizeMobile, parseCnic, toAsciiDigits } from './identity.js';
import type { OtpIssued, OtpService } from './otp.js';
import {
  findCitizenByCnicHash,
  findCitizenById,
  findCitizenByMobile,
  findCitizensByName,
  findTakenIdentity,
  insertCitizen,
  updateCitizen,
} from './repo.js';

export interface RequestMeta {
  ip: string;
  userAgent?: string;
}

export interface CitizenProfile {
  id: number;
  name: string;
  cnic: string;
  mobile: string;
  email: string | null;
  districtId: number;
  language: Language;
  status: string;
  verifiedAt: string | null;
  createdAt: string;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAt: string;
  user: CitizenProfile;
}

type CitizenRow = NonNullable<Awaited<ReturnType<typeof findCitizenById>>>;

const LOGIN_ACCOUNT_RULE = {
  freeFailures: 5,
  windowSeconds: 900,
  baseBlockSeconds: 30,
  maxBlockSeconds: 900,
};
const LOGIN_IP_RULE = { freeFailures: 30, windowSeconds: 900, baseBlockSeconds: 60, maxBlockSeconds: 3600 };

const PROFILE_CACHE = { maxEntries: 20_000, ttlMs: 60_000 };

/** Citizen accounts: registration with CNIC and a mobile proved by code, login, password reset, profile. */
export class AccountService {
  private readonly profiles: SharedCache<number, CitizenProfile>;

  constructor(
    private readonly deps: {
      db: Db;
      config: Readonly<Config>;
      otp: OtpService;
      sessions: SessionService;
      throttle: ThrottleService;
      geo: GeoService;
      sms: SmsService;
      changes: ChangeFeed;
    },
  ) {
    // The profile is read on every page of the app; remembered per citizen, forgotten on every change.
    this.profiles = new SharedCache(deps.changes, PROFILE_CACHE);
    this.profiles.forgetOn('citizen', Number);
  }

  /** Every write to a citizen's row goes through here, so no node keeps showing the old profile. */
  private async update(
    db: DbOrTrx,
    citizenId: number,
    set: Parameters<typeof updateCitizen>[2],
    now: string,
  ) {
    await updateCitizen(db, citizenId, set, now);
    await this.deps.changes.publish(db, 'citizen', citizenId);
  }

  private cnicHash(cnic: string) {
    return lookupHash(this.deps.config.secrets.lookupKey, 'cnic', cnic);
  }

  private mobileOrThrow(input: string, field = 'mobile'): string {
    const result = normalizeMobile(input);
    if ('error' in result) {
      throw invalid(
        'invalid_mobile',
        'Enter a mobile number such as 0300 1234567, or +44 7911 123456 from abroad.',
        {
          [field]:
            result.error === 'not_mobile'
              ? 'This is not a mobile number: Pakistani mobiles start with 03.'
              : 'This is not a valid mobile number.',
        },
      );
    }
    return result.e164;
  }

  profile(row: CitizenRow): CitizenProfile {
    return {
      id: row.id,
      name: row.name,
      cnic: maskCnic(decrypt(this.deps.config.secrets.cnicKey, row.cnic_enc)),
      mobile: row.mobile,
      email: row.email,
      districtId: row.district_id,
      language: row.language,
      status: row.status,
      verifiedAt: row.verified_at,
      createdAt: row.created_at,
    };
  }

  async register(
    input: {
      name: string;
      cnic: string;
      mobile: string;
      district: number;
      email?: string | null;
      password: string;
      language: Language;
    },
    meta: RequestMeta,
  ): Promise<{ user: CitizenProfile; verification: OtpIssued }> {
    const fields: Record<string, string> = {};
    const name = input.name.trim().replace(/\s+/g, ' ');
    if (name.length < 2) fields.name = 'Enter your full name.';
    const cnic = parseCnic(input.cnic);
    if (!cnic) fields.cnic = 'A CNIC has 13 digits, like 12345-1234567-1.';
    const mobile = normalizeMobile(input.mobile);
    if ('error' in mobile) fields.mobile = 'Enter a mobile number such as 0300 1234567.';
    const pw = passwordProblem(input.password);
    if (pw) fields.password = pw;
    const email = input.email?.trim() ? input.email.trim().toLowerCase() : null;
    if (!(await this.deps.geo.districtExists(input.district)))
      fields.district = 'Choose a district from the list.';
    if (Object.keys(fields).length > 0 || !cnic || 'error' in mobile) {
      throw invalid('validation_failed', 'Some fields are missing or invalid.', fields);
    }

    const cnicHash = this.cnicHash(cnic);
    await this.assertIdentityFree(cnicHash, mobile.e164);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        const id = await insertCitizen(trx, {
          name,
          cnic_hash: cnicHash,
          cnic_enc: encrypt(this.deps.config.secrets.cnicKey, cnic),
          mobile: mobile.e164,
          email,
          district_id: input.district,
          password_hash: passwordHash,
          language: input.language,
          now,
        });
        const verification = await this.deps.otp.issue(
          trx,
          { id, mobile: mobile.e164, email, language: input.language },
          'verify',
          'sms',
          meta.ip,
        );
        const row = (await findCitizenById(trx, id))!;
        return { user: this.profile(row), verification };
      });
    } catch (err) {
      // Two registrations racing for one CNIC or number: the database's unique index decides.
      if (isUniqueViolation(err)) await this.assertIdentityFree(cnicHash, mobile.e164);
      throw err;
    }
  }

  private async assertIdentityFree(cnicHash: string, mobile: string) {
    const taken = await findTakenIdentity(this.deps.db, cnicHash, mobile);
    const byCnic = taken.find((t) => t.cnic_hash === cnicHash);
    const byMobile = taken.find((t) => t.mobile === mobile);
    if (byCnic) {
      throw conflict(
        byCnic.status === 'pending' ? 'cnic_pending' : 'cnic_taken',
        byCnic.status === 'pending'
          ? 'An account with this CNIC is waiting for its mobile number to be verified. Ask for a new code to finish it.'
          : 'An account with this CNIC already exists. Log in, or reset your password if you forgot it.',
        { cnic: 'Already registered.' },
      );
    }
    if (byMobile) {
      throw conflict(
        byMobile.status === 'pending' ? 'mobile_pending' : 'mobile_taken',
        'This mobile number is already registered to another account. Log in, or reset your password.',
        { mobile: 'Already registered.' },
      );
    }
  }

  private async citizenByMobileOrThrow(mobileInput: string): Promise<CitizenRow> {
    const mobile = this.mobileOrThrow(mobileInput);
    const row = await findCitizenByMobile(this.deps.db, mobile);
    if (!row) throw notFound('An account with this mobile number');
    return row;
  }

  /** Completes registration and logs the citizen in. */
  async verify(input: { mobile: string; code: string }, meta: RequestMeta): Promise<LoginResult> {
    const row = await this.citizenByMobileOrThrow(input.mobile);
    if (row.status !== 'pending') {
      throw conflict('already_verified', 'This mobile number is already verified. Please log in.');
    }
    await this.deps.otp.check(row.id, 'verify', input.code);
    return this.deps.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      await this.update(trx, row.id, { status: 'active', verified_at: now }, now);
      const session = await this.deps.sessions.create(trx, 'citizen', row.id, meta);
      const fresh = (await findCitizenById(trx, row.id))!;
      return { ...session, user: this.profile(fresh) };
    });
  }

  async resend(
    input: { mobile: string; channel: OtpChannel; purpose: 'verify' | 'reset' },
    meta: RequestMeta,
  ): Promise<OtpIssued> {
    const row = await this.citizenByMobileOrThrow(input.mobile);
    if (input.purpose === 'verify' && row.status !== 'pending') {
      throw conflict('already_verified', 'This mobile number is already verified. Please log in.');
    }
    const recipient = { id: row.id, mobile: row.mobile, email: row.email, language: row.language };
    if (input.channel === 'email' && !row.email) {
      throw invalid('no_email', 'This account has no email address, so the code can only go by SMS.');
    }
    await this.deps.otp.assertMaySend(recipient, input.purpose, input.channel, meta.ip);
    return this.deps.db
      .transaction()
      .execute((trx) => this.deps.otp.issue(trx, recipient, input.purpose, input.channel, meta.ip));
  }

  /** Where the last code's SMS stands, so the app can offer email as soon as the gateway reports a failure. */
  async codeDelivery(mobileInput: string, purpose: 'verify' | 'reset') {
    const row = await this.citizenByMobileOrThrow(mobileInput);
    const sms = await this.deps.sms.latestFor(row.mobile, `otp.${purpose}`);
    return {
      status: sms?.status ?? 'none',
      emailAvailable: row.email !== null,
      updatedAt: sms?.updated_at ?? null,
    };
  }

  private async findByLogin(login: string): Promise<CitizenRow | undefined> {
    const cnic = parseCnic(login);
    if (cnic) return findCitizenByCnicHash(this.deps.db, this.cnicHash(cnic));
    const mobile = normalizeMobile(login);
    if ('e164' in mobile) return findCitizenByMobile(this.deps.db, mobile.e164);
    return undefined;
  }

  async login(input: { login: string; password: string }, meta: RequestMeta): Promise<LoginResult> {
    const { throttle } = this.deps;
    const ipKey = `login:ip:${meta.ip}`;
    const accountKey = `login:citizen:${lookupHash(this.deps.config.secrets.lookupKey, 'login', input.login.replace(/[\s-]/g, ''))}`;
    await throttle.assertNotBlocked(
      ipKey,
      'Too many failed logins from this network. Please wait and try again.',
    );
    await throttle.assertNotBlocked(
      accountKey,
      'Too many failed logins for this account. Please wait and try again.',
    );
    const row = await this.findByLogin(input.login);
    const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), input.password);
    if (!row || !ok) {
      await throttle.recordFailure(accountKey, LOGIN_ACCOUNT_RULE);
      await throttle.recordFailure(ipKey, LOGIN_IP_RULE);
      throw new AppError(
        'unauthenticated',
        'invalid_credentials',
        'The CNIC or mobile number, or the password, is wrong.',
      );
    }
    await throttle.reset(accountKey);
    if (row.status === 'pending') {
      throw new AppError(
        'forbidden',
        'unverified',
        'Your mobile number is not verified yet. Enter the code we sent, or ask for a new one.',
        { mobile: row.mobile },
      );
    }
    if (row.status === 'blocked') {
      throw forbidden('blocked', 'This account is blocked. Contact the Citizen Portal helpline.');
    }
    const session = await this.deps.sessions.create(this.deps.db, 'citizen', row.id, meta);
    return { ...session, user: this.profile(row) };
  }

  /** Sends a reset code; answers the same whether or not the account exists, so it reveals nothing. */
  async forgotPassword(input: { login: string; channel: OtpChannel }, meta: RequestMeta): Promise<void> {
    const row = await this.findByLogin(input.login);
    if (!row || row.status === 'blocked') return;
    if (input.channel === 'email' && !row.email) return;
    const recipient = { id: row.id, mobile: row.mobile, email: row.email, language: row.language };
    await this.deps.otp.assertMaySend(recipient, 'reset', input.channel, meta.ip);
    await this.deps.db
      .transaction()
      .execute((trx) => this.deps.otp.issue(trx, recipient, 'reset', input.channel, meta.ip));
  }

  async resetPassword(input: { login: string; code: string; password: string }): Promise<void> {
    const problem = passwordProblem(input.password);
    if (problem) throw invalid('weak_password', problem, { password: problem });
    const row = await this.findByLogin(input.login);
    if (!row) throw invalid('no_code', 'No code was sent for this. Ask for a new code.');
    await this.deps.otp.check(row.id, 'reset', input.code);
    const hash = await hashPassword(input.password);
    await this.deps.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      // A reset by code also proves the number, so a pending account becomes active.
      await this.update(
        trx,
        row.id,
        row.status === 'pending'
          ? { password_hash: hash, status: 'active', verified_at: now }
          : { password_hash: hash },
        now,
      );
      await this.deps.sessions.revokeAll(trx, 'citizen', row.id);
    });
  }

  async me(citizenId: number): Promise<CitizenProfile> {
    const profile = await this.profiles.read(citizenId, async () => {
      const row = await findCitizenById(this.deps.db, citizenId);
      return row ? this.profile(row) : null;
    });
    if (!profile) throw notFound('The account');
    return profile;
  }

  /**
   * Admins find a citizen (to message, warn or block) by CNIC or mobile number in any of the forms a
   * citizen types them, by id as #123, or by part of the name.
   */
  async findForStaff(text: string, limit = 20): Promise<CitizenProfile[]> {
    const query = text.trim();
    const id = /^#(\d{1,15})$/.exec(toAsciiDigits(query));
    const row = id ? await findCitizenById(this.deps.db, Number(id[1])) : await this.findByLogin(query);
    if (row) return [this.profile(row)];
    if (id || query.length < 2) return [];
    return (await findCitizensByName(this.deps.db, query, limit)).map((r) => this.profile(r));
  }

  async fullCnic(citizenId: number): Promise<string> {
    const row = await findCitizenById(this.deps.db, citizenId);
    if (!row) throw notFound('The account');
    return decrypt(this.deps.config.secrets.cnicKey, row.cnic_enc);
  }

  async updateProfile(
    citizenId: number,
    patch: { name?: string; email?: string | null; district?: number; language?: Language },
  ): Promise<CitizenProfile> {
    const set: Parameters<typeof updateCitizen>[2] = {};
    if (patch.name !== undefined) {
      const name = patch.name.trim().replace(/\s+/g, ' ');
      if (name.length < 2)
        throw invalid('validation_failed', 'Enter your full name.', { name: 'Enter your full name.' });
      set.name = name;
    }
    if (patch.email !== undefined) set.email = patch.email?.trim() ? patch.email.trim().toLowerCase() : null;
    if (patch.district !== undefined) {
      if (!(await this.deps.geo.districtExists(patch.district))) {
        throw invalid('validation_failed', 'Choose a district from the list.', {
          district: 'Unknown district.',
        });
      }
      set.district_id = patch.district;
    }
    if (patch.language !== undefined) set.language = patch.language;
    await this.update(this.deps.db, citizenId, set, new Date().toISOString());
    return this.me(citizenId);
  }

  async changePassword(citizenId: number, current: string, next: string, keepSessionId: number) {
    const row = await findCitizenById(this.deps.db, citizenId);
    if (!row) throw notFound('The account');
    if (!(await verifyPassword(row.password_hash, current))) {
      throw invalid('wrong_password', 'The current password is wrong.', {
        currentPassword: 'Wrong password.',
      });
    }
    const problem = passwordProblem(next);
    if (problem) throw invalid('weak_password', problem, { newPassword: problem });
    const hash = await hashPassword(next);
    await this.deps.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      await this.update(trx, citizenId, { password_hash: hash }, now);
      await this.deps.sessions.revokeAll(trx, 'citizen', citizenId, keepSessionId);
    });
  }
}
