import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { StaffRole } from '../../db/schema.js';
import { AppError, conflict, forbidden, invalid } from '../../errors.js';
import type { StaffLoader, StaffPrincipal } from '../../http/auth.js';
import { lookupHash } from '../../security/crypto.js';
import {
  dummyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../security/passwords.js';
import type { RequestMeta } from '../accounts/service.js';
import type { SessionService } from '../sessions/service.js';
import type { ThrottleService } from '../throttle/service.js';
import {
  countAdmins,
  findStaffById,
  findStaffByLogin,
  insertStaff,
  listStaff,
  setStaffDistricts,
  staffDistrictIds,
} from './repo.js';

export interface StaffProfile {
  id: number;
  login: string;
  name: string;
  role: StaffRole;
  departmentId: number | null;
  districtIds: number[];
}

export interface NewStaff {
  login: string;
  name?: string;
  password: string;
  role: StaffRole;
  departmentId?: number | null;
  districtIds?: number[];
}

const LOGIN_RULE = { freeFailures: 5, windowSeconds: 900, baseBlockSeconds: 30, maxBlockSeconds: 900 };
const PRINCIPAL_TTL_MS = 5_000;

/**
 * Staff accounts: admins (the Performance Management Cell, everything), supervisors (a department, in some or
 * all districts) and officers (a department's office in some districts).
 */
export class StaffService implements StaffLoader {
  // Every staff request needs the role and scope; a few seconds of caching keeps the queue fast while a
  // deactivation still takes effect almost at once.
  private readonly principals = new Map<
    number,
    { at: number; value: Omit<StaffPrincipal, 'sessionId'> | null }
  >();

  constructor(
    private readonly deps: {
      db: Db;
      sessions: SessionService;
      throttle: ThrottleService;
      lookupKey: Buffer;
    },
  ) {}

  async create(input: NewStaff): Promise<StaffProfile> {
    const login = input.login.trim().toLowerCase();
    const fields: Record<string, string> = {};
    if (!/^[a-z0-9._@-]{3,64}$/.test(login)) fields.login = 'Use 3 to 64 letters, digits, dots, dashes or @.';
    const pw = passwordProblem(input.password);
    if (pw) fields.password = pw;
    if (input.role !== 'admin' && !input.departmentId)
      fields.department = 'Supervisors and officers belong to a department.';
    if (input.role === 'officer' && !(input.districtIds && input.districtIds.length > 0)) {
      fields.districts = 'An officer works in at least one district.';
    }
    if (Object.keys(fields).length > 0)
      throw invalid('validation_failed', 'Some fields are missing or invalid.', fields);
    const passwordHash = await hashPassword(input.password);
    try {
      const id = await this.deps.db.transaction().execute(async (trx) => {
        const id = await insertStaff(trx, {
          login,
          name: input.name?.trim() || login,
          password_hash: passwordHash,
          role: input.role,
          department_id: input.role === 'admin' ? null : (input.departmentId ?? null),
          now: new Date().toISOString(),
        });
        await setStaffDistricts(trx, id, input.role === 'admin' ? [] : (input.districtIds ?? []));
        return id;
      });
      return (await this.profile(id))!;
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('login_taken', 'A staff account with this login already exists.', { login: 'Taken.' });
      throw err;
    }
  }

  async profile(id: number): Promise<StaffProfile | null> {
    const row = await findStaffById(this.deps.db, id);
    if (!row) return null;
    return {
      id: row.id,
      login: row.login,
      name: row.name,
      role: row.role,
      departmentId: row.department_id,
      districtIds: await staffDistrictIds(this.deps.db, id),
    };
  }

  async loadPrincipal(staffId: number, sessionId: number): Promise<StaffPrincipal | null> {
    const cached = this.principals.get(staffId);
    let value = cached && Date.now() - cached.at < PRINCIPAL_TTL_MS ? cached.value : undefined;
    if (value === undefined) {
      const row = await findStaffById(this.deps.db, staffId);
      value =
        row && row.active === 1
          ? {
              kind: 'staff',
              id: row.id,
              role: row.role,
              departmentId: row.department_id,
              districtIds: await staffDistrictIds(this.deps.db, row.id),
            }
          : null;
      this.principals.set(staffId, { at: Date.now(), value });
    }
    return value ? { ...value, sessionId } : null;
  }

  async login(input: { login: string; password: string }, meta: RequestMeta) {
    const login = input.login.trim().toLowerCase();
    const key = `login:staff:${lookupHash(this.deps.lookupKey, 'login', login)}`;
    const ipKey = `login:staff-ip:${meta.ip}`;
    await this.deps.throttle.assertNotBlocked(
      key,
      'Too many failed logins for this account. Please wait and try again.',
    );
    await this.deps.throttle.assertNotBlocked(
      ipKey,
      'Too many failed logins from this network. Please wait and try again.',
    );
    const row = await findStaffByLogin(this.deps.db, login);
    const ok = await verifyPassword(row?.password_hash ?? (await dummyPasswordHash()), input.password);
    if (!row || !ok) {
      await this.deps.throttle.recordFailure(key, LOGIN_RULE);
      await this.deps.throttle.recordFailure(ipKey, { ...LOGIN_RULE, freeFailures: 30 });
      throw new AppError('unauthenticated', 'invalid_credentials', 'The login or the password is wrong.');
    }
    if (row.active !== 1) throw forbidden('deactivated', 'This staff account has been deactivated.');
    await this.deps.throttle.reset(key);
    const session = await this.deps.sessions.create(this.deps.db, 'staff', row.id, meta);
    return { ...session, user: (await this.profile(row.id))! };
  }

  /** Staff accounts for the admins' console, in id order; `cursor` is the last id of the previous page. */
  async list(q: { departmentId?: number; cursor?: number; limit: number }) {
    const rows = await listStaff(this.deps.db, {
      departmentId: q.departmentId,
      afterId: q.cursor,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        login: r.login,
        name: r.name,
        role: r.role,
        departmentId: r.department_id,
        districtIds: r.districtIds,
        active: r.active === 1,
      })),
      nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
    };
  }

  async hasAdmin(): Promise<boolean> {
    return (await countAdmins(this.deps.db)) > 0;
  }
}
