import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionSubject, StaffRole } from '../db/schema.js';
import { AppError, forbidden, unauthenticated } from '../errors.js';
import type { Session, SessionService } from '../modules/sessions/service.js';

export interface CitizenPrincipal {
  kind: 'citizen';
  id: number;
  sessionId: number;
}
export interface StaffPrincipal {
  kind: 'staff';
  id: number;
  role: StaffRole;
  departmentId: number | null;
  districtIds: number[];
  sessionId: number;
}
export type Principal = CitizenPrincipal | StaffPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Citizens and staff use different cookies, so one browser can hold both without either opening the other's routes. */
export const COOKIES = {
  citizen: { session: 'cp_session', csrf: 'cp_csrf' },
  staff: { session: 'cp_staff_session', csrf: 'cp_staff_csrf' },
} as const satisfies Record<SessionSubject, { session: string; csrf: string }>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface StaffLoader {
  loadPrincipal(staffId: number, sessionId: number): Promise<StaffPrincipal | null>;
}

/**
 * Resolves the caller from `Authorization: Bearer` or the session cookie of the expected kind. Cookie
 * sessions must echo their CSRF token in X-CSRF-Token on state-changing requests; bearer tokens cannot be
 * sent by another site, so they need none.
 */
export function createAuthGuards(sessions: SessionService, staff: StaffLoader) {
  async function resolve(request: FastifyRequest, kind: SessionSubject): Promise<Session | null> {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
      return sessions.resolve(match[1]!);
    }
    const cookie = request.cookies[COOKIES[kind].session];
    if (!cookie) return null;
    const session = await sessions.resolve(cookie);
    if (
      session &&
      !SAFE_METHODS.has(request.method) &&
      request.headers['x-csrf-token'] !== session.csrfToken
    ) {
      throw new AppError(
        'forbidden',
        'csrf',
        'The request is missing its CSRF token. Reload the page and try again.',
      );
    }
    return session;
  }

  async function citizen(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
    const session = await resolve(request, 'citizen');
    if (!session) throw unauthenticated();
    if (session.subjectType !== 'citizen')
      throw forbidden('wrong_account_type', 'This is for citizens\u2019 accounts.');
    request.principal = { kind: 'citizen', id: session.subjectId, sessionId: session.id };
  }

  function staffWith(roles?: StaffRole[]) {
    return async (request: FastifyRequest, _reply?: FastifyReply): Promise<void> => {
      const session = await resolve(request, 'staff');
      if (!session) throw unauthenticated();
      if (session.subjectType !== 'staff')
        throw forbidden('wrong_account_type', 'This is for staff accounts.');
      const principal = await staff.loadPrincipal(session.subjectId, session.id);
      if (!principal) throw unauthenticated('This staff account is no longer active.');
      if (roles && !roles.includes(principal.role)) {
        throw forbidden('role', 'Your role does not allow this.');
      }
      request.principal = principal;
    };
  }

  /** Either kind of account (media both citizens and staff open): a staff session first, then a citizen's. */
  async function any(request: FastifyRequest, _reply?: FastifyReply): Promise<void> {
    const session =
      (await resolve(request, 'staff')) ??
      (request.headers.authorization ? null : await resolve(request, 'citizen'));
    if (!session) throw unauthenticated();
    if (session.subjectType === 'citizen') {
      request.principal = { kind: 'citizen', id: session.subjectId, sessionId: session.id };
      return;
    }
    const principal = await staff.loadPrincipal(session.subjectId, session.id);
    if (!principal) throw unauthenticated('This staff account is no longer active.');
    request.principal = principal;
  }

  return { citizen, staff: staffWith(), staffWith, any };
}

export type AuthGuards = ReturnType<typeof createAuthGuards>;

export function citizenOf(request: FastifyRequest): CitizenPrincipal {
  const p = request.principal;
  if (p?.kind !== 'citizen') throw unauthenticated();
  return p;
}

export function staffOf(request: FastifyRequest): StaffPrincipal {
  const p = request.principal;
  if (p?.kind !== 'staff') throw unauthenticated();
  return p;
}
