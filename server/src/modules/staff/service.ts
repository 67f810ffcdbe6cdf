import { type ChangeFeed, SharedCache } from '../../cache/change-feed.js';
import type { Db, DbOrTrx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { StaffRole } from '../../db/schema.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../errors.js';
import type { StaffLoader, StaffPrincipal } from '../../http/auth.js';
import { lookupHash } from '../../security/crypto.js';
import {
  dummyPasswordHash,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../security/passwords.js';
import type { RequestMeta } from '../accounts/service.js';
import type { AuditService } from '../audit/service.js';
import { policies, type StaffAccountScope } from '../complaints/policies.js';
import type { GeoService } from '../geo/service.js';
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
  updateStaff,
} from './repo.js';

export interface StaffProfile {
  id: number;
  login: string;
  name: string;
  role: StaffRole;
  departmentId: number | null;
  districtIds: number[];
}

export interface StaffAccount extends StaffProfile {
  active: boolean;
}

export interface NewStaff {
  login: string;
  name?: string;
  password: string;
  role: StaffRole;
  departmentId?: number | null;
  districtIds?: number[];
}

export interface StaffChange {
  name?: string;
  role?: StaffRole;
  departmentId?: number | null;
  districtIds?: number[];
  active?: boolean;
}

const ROLE_RANK: Record<StaffRole, number> = { officer: 1, supervisor: 2, admin: 3 };

const validationFailed = (fields: Record<string, string>) =>
  invalid('validation_failed', 'Some fields are missing or invalid.', fields);

const outOfScope = () =>
  forbidden(
    'out_of_scope',
    'Supervisors manage only the officers of their own department, in their own districts.',
  );

/** An account's scope as it is stored: admins have no department and no districts. */
function scopeOf(
  role: StaffRole,
  departmentId: number | null | undefined,
  districtIds: number[] | undefined,
): StaffAccountScope {
  return role === 'admin'
    ? { role, departmentId: null, districtIds: [] }
    : {
        role,
        departmentId: departmentId ?? null,
        districtIds: [...new Set(districtIds ?? [])].sort((a, b) => a - b),
      };
}

const sameIds = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const LOGIN_RULE = { freeFailures: 5, windowSeconds: 900, baseBlockSeconds: 30, maxBlockSeconds: 900 };
/** Role and scope are remembered this long at most; a change reaches every node sooner, through the feed. */
const PRINCIPAL_CACHE = { maxEntries: 5_000, ttlMs: 60_000 };

/**
 * Staff accounts: admins (the Performance Management Cell, everything), supervisors (a department, in some or
 * all districts) and officers (a department's office in some districts).
 */
export class StaffService implements StaffLoader {
  // Every staff request needs the role and scope: remembered per account, and forgotten on every node
  // when the account changes.
  private readonly principals: SharedCache<number, Omit<StaffPrincipal, 'sessionId'>>;

  constructor(
    private readonly deps: {
      db: Db;
      sessions: SessionService;
      throttle: ThrottleService;
      geo: Pick<GeoService, 'departments' | 'listDistricts'>;
      /** Accounts made or changed from the console are written to the audit log with the change. */
      audit: Pick<AuditService, 'append'>;
      changes: ChangeFeed;
      lookupKey: Buffer;
    },
  ) {
    this.principals = new SharedCache(deps.changes, PRINCIPAL_CACHE);
    this.principals.forgetOn('staff', Number);
  }

  /** A department for supervisors and officers, districts for officers, and only ones that exist. */
  private async checkScope(scope: StaffAccountScope, fields: Record<string, string>) {
    if (scope.role !== 'admin' && !scope.departmentId) {
      fields.departmentId = 'Supervisors and officers belong to a department.';
    } else if (scope.departmentId) {
      const departments = await this.deps.geo.departments();
      if (!departments.some((d) => d.id === scope.departmentId)) fields.departmentId = 'No such department.';
    }
    if (scope.role === 'officer' && scope.districtIds.length === 0) {
      fields.districtIds = 'An officer works in at least one district.';
    } else if (scope.districtIds.length > 0) {
      const known = new Set((await this.deps.geo.listDistricts()).map((d) => d.id));
      const unknown = scope.districtIds.filter((id) => !known.has(id));
      if (unknown.length > 0) fields.districtIds = `No such district: ${unknown.join(', ')}.`;
    }
  }

  /**
   * Makes an account. From the console (`actor` given) the actor's scope is checked first and the new
   * account is audited; the portal command makes accounts without an actor.
   */
  async create(input: NewStaff, actor?: StaffPrincipal): Promise<StaffAccount> {
    const login = input.login.trim().toLowerCase();
    const scope = scopeOf(input.role, input.departmentId, input.districtIds);
    if (actor && !policies.canManageStaffAccount(actor, scope)) throw outOfScope();
    const fields: Record<string, string> = {};
    if (!/^[a-z0-9._@-]{3,64}$/.test(login)) fields.login = 'Use 3 to 64 letters, digits, dots, dashes or @.';
    const pw = passwordProblem(input.password);
    if (pw) fields.password = pw;
    if (input.name !== undefined && input.name.trim().length === 0) fields.name = 'Must not be empty.';
    await this.checkScope(scope, fields);
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const id = await insertStaff(trx, {
          login,
          name: input.name?.trim() || login,
          password_hash: passwordHash,
          role: scope.role,
          department_id: scope.departmentId,
          now: new Date().toISOString(),
        });
        await setStaffDistricts(trx, id, scope.districtIds);
        const account: StaffAccount = {
          id,
          login,
          name: input.name?.trim() || login,
          ...scope,
          active: true,
        };
        // Without an actor the account was made on the command line, by whoever runs the server.
        await this.deps.audit.append(trx, {
          actor: actor ? { type: 'staff', id: actor.id } : { type: 'system', id: null },
          action: 'staff.create',
          entity: { type: 'staff', id },
          before: null,
          after: account,
        });
        return account;
      });
    } catch (err) {
      if (isUniqueViolation(err))
        throw conflict('login_taken', 'A staff account with this login already exists.', { login: 'Taken.' });
      throw err;
    }
  }

  async account(id: number, db: DbOrTrx = this.deps.db): Promise<StaffAccount | null> {
    const row = await findStaffById(db, id);
    if (!row) return null;
    return {
      id: row.id,
      login: row.login,
      name: row.name,
      role: row.role,
      departmentId: row.department_id,
      districtIds: await staffDistrictIds(db, id),
      active: row.active === 1,
    };
  }

  /**
   * Changes an account. The actor must be allowed to manage it both as it is and as it would be; nobody
   * deactivates or lowers their own account (so an admin always remains). Deactivating it, or changing its
   * role, department or districts, ends its sessions, so the next request runs with the new scope.
   */
  async update(id: number, change: StaffChange, actor: StaffPrincipal): Promise<StaffAccount> {
    const current = await this.account(id);
    if (!current) throw notFound('The staff account');
    const role = change.role ?? current.role;
    const scope = scopeOf(
      role,
      change.departmentId === undefined ? current.departmentId : change.departmentId,
      change.districtIds ?? current.districtIds,
    );
    if (!policies.canManageStaffAccount(actor, current) || !policies.canManageStaffAccount(actor, scope)) {
      throw outOfScope();
    }
    if (id === actor.id) {
      if (change.active === false) throw forbidden('own_account', 'You cannot deactivate your own account.');
      if (ROLE_RANK[role] < ROLE_RANK[current.role]) {
        throw forbidden('own_account', 'You cannot lower your own role.');
      }
    }
    const fields: Record<string, string> = {};
    const name = change.name?.trim();
    if (name !== undefined && name.length === 0) fields.name = 'Must not be empty.';
    await this.checkScope(scope, fields);
    if (Object.keys(fields).length > 0) throw validationFailed(fields);
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const before = await this.account(id, trx);
        if (!before) throw notFound('The staff account');
        const active = change.active ?? before.active;
        await updateStaff(trx, id, {
          ...(name === undefined ? {} : { name }),
          role: scope.role,
          department_id: scope.departmentId,
          active: active ? 1 : 0,
          updated_at: new Date().toISOString(),
        });
        const districtsChanged = !sameIds(before.districtIds, scope.districtIds);
        if (districtsChanged) await setStaffDistricts(trx, id, scope.districtIds);
        await this.deps.changes.publish(trx, 'staff', id);
        const after: StaffAccount = { ...before, ...scope, name: name ?? before.name, active };
        const endSessions =
          (before.active && !active) ||
          before.role !== after.role ||
          before.departmentId !== after.departmentId ||
          districtsChanged;
        if (endSessions) {
          // One's own change keeps the session that made it.
          await this.deps.sessions.revokeAll(trx, 'staff', id, id === actor.id ? actor.sessionId : undefined);
        }
        await this.deps.audit.append(trx, {
          actor: { type: 'staff', id: actor.id },
          action: 'staff.update',
          entity: { type: 'staff', id },
          before,
          after: endSessions ? { ...after, sessionsEnded: true } : after,
        });
        return after;
      });
    } finally {
      this.principals.forget(id);
    }
  }

  /** An admin sets a new password (the account holder forgot theirs); every other session of it ends. */
  async resetPassword(id: number, password: string, actor: StaffPrincipal): Promise<void> {
    if (!policies.canResetStaffPasswords(actor)) {
      throw forbidden('role', 'Your role does not allow this.');
    }
    const problem = passwordProblem(password);
    if (problem) throw validationFailed({ password: problem });
    if (!(await findStaffById(this.deps.db, id))) throw notFound('The staff account');
    const passwordHash = await hashPassword(password);
    await this.deps.db.transaction().execute(async (trx) => {
      const row = await updateStaff(trx, id, {
        password_hash: passwordHash,
        updated_at: new Date().toISOString(),
      });
      if (!row) throw notFound('The staff account');
      await this.deps.sessions.revokeAll(trx, 'staff', id, id === actor.id ? actor.sessionId : undefined);
      await this.deps.audit.append(trx, {
        actor: { type: 'staff', id: actor.id },
        action: 'staff.password_reset',
        entity: { type: 'staff', id },
        // Never the hash: only that it changed.
        before: { id, login: row.login },
        after: { id, login: row.login, passwordChanged: true, sessionsEnded: true },
      });
    });
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
    const value = await this.principals.read(staffId, async () => {
      const row = await findStaffById(this.deps.db, staffId);
      if (row?.active !== 1) return null;
      return {
        kind: 'staff' as const,
        id: row.id,
        role: row.role,
        departmentId: row.department_id,
        districtIds: await staffDistrictIds(this.deps.db, row.id),
      };
    });
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

  /**
   * Staff accounts for the console, in id order; `cursor` is the last id of the previous page. A supervisor
   * (`viewer`) sees their own department's accounts only.
   */
  async list(q: { departmentId?: number; cursor?: number; limit: number }, viewer?: StaffPrincipal) {
    let departmentId = q.departmentId;
    if (viewer && viewer.role !== 'admin') {
      if (!policies.canListStaffAccounts(viewer) || viewer.departmentId === null) {
        throw forbidden('role', 'Your role does not allow this.');
      }
      if (departmentId !== undefined && departmentId !== viewer.departmentId) throw outOfScope();
      departmentId = viewer.departmentId;
    }
    const rows = await listStaff(this.deps.db, {
      departmentId,
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
