import type { MediaModeration, StaffRole } from '../../db/schema.js';
import type { Principal, StaffPrincipal } from '../../http/auth.js';

/**
 * Who may do what with a complaint, in one place: routes and services ask here, and
 * policies.db.test.ts checks every route against this matrix.
 *
 * - A citizen sees and acts on their own complaints only; never another's complaint, media or identity.
 * - An officer covers the complaints whose current office is of their department in one of their districts.
 * - A supervisor covers their department in their districts, or in every district when they have none.
 * - Admins (the Performance Management Cell) cover everything, including the provincial triage queue.
 */
export interface ComplaintPlace {
  citizenId: number | null;
  departmentId: number;
  officeId: number | null;
  /** The district of the current office; null in triage. */
  officeDistrictId: number | null;
}

export function staffCovers(staff: StaffPrincipal, place: ComplaintPlace): boolean {
  if (staff.role === 'admin') return true;
  if (place.officeId === null || place.officeDistrictId === null) return false;
  if (staff.departmentId === null || staff.departmentId !== place.departmentId) return false;
  if (staff.role === 'supervisor' && staff.districtIds.length === 0) return true;
  return staff.districtIds.includes(place.officeDistrictId);
}

export const policies = {
  canViewComplaint(p: Principal, place: ComplaintPlace): boolean {
    if (p.kind === 'citizen') return place.citizenId === p.id;
    return staffCovers(p, place);
  },

  /** Name, mobile and CNIC-derived identity of the complainant: staff in scope only. */
  canSeeComplainant(p: Principal, place: ComplaintPlace): boolean {
    return p.kind === 'staff' && staffCovers(p, place);
  },

  /** start, forward, resolve, reject, note, reply, merge. */
  canWorkComplaint(p: Principal, place: ComplaintPlace): boolean {
    return p.kind === 'staff' && staffCovers(p, place);
  },

  /** Feedback, answers in the Message Box, and supporting are the complainant's (support: anyone verified). */
  canRespondAsComplainant(p: Principal, place: ComplaintPlace): boolean {
    return p.kind === 'citizen' && place.citizenId === p.id;
  },

  /** Media flagged illegal or irrelevant is hidden from everyone but admins. */
  canOpenMedia(p: Principal, place: ComplaintPlace, moderation: MediaModeration): boolean {
    if (moderation !== 'ok') return p.kind === 'staff' && p.role === 'admin';
    return policies.canViewComplaint(p, place);
  },

  canModerateMedia(p: Principal, place: ComplaintPlace): boolean {
    return p.kind === 'staff' && staffCovers(p, place);
  },

  /** Internal notes never reach a citizen. */
  canSeeInternalEvents(p: Principal, place: ComplaintPlace): boolean {
    return p.kind === 'staff' && staffCovers(p, place);
  },

  canSanctionCitizens(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  canEditRouting(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  /** Announcements, polls, messages to many citizens and push delivery failures are the admins' (the PMC). */
  canManageAnnouncements(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  canManagePolls(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  canSendCommunications(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  canViewDeliveryFailures(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  /** Every staff member sees the dashboards of what they cover (the scope is the dashboard service's). */
  canViewDashboards(p: Principal): boolean {
    return p.kind === 'staff';
  },

  /** Switching the public transparency page on or off, and Open311 API keys, are the admins'. */
  canManagePublicPage(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  canManageApiKeys(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  /** Departments and complaint categories (names, SLA, which are offered to citizens). */
  canManageReferenceData(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },

  /** The staff list: admins see every account, supervisors their own department's. */
  canListStaffAccounts(p: Principal): boolean {
    return p.kind === 'staff' && (p.role === 'admin' || p.role === 'supervisor');
  },

  /**
   * Creating or changing a staff account, judged on the account as it is and as it would become: admins
   * manage every account; a supervisor only officers of their own department whose districts all lie within
   * the supervisor's own (any district when the supervisor has none).
   */
  canManageStaffAccount(p: Principal, account: StaffAccountScope): boolean {
    if (p.kind !== 'staff') return false;
    if (p.role === 'admin') return true;
    if (p.role !== 'supervisor' || p.departmentId === null) return false;
    if (account.role !== 'officer' || account.departmentId !== p.departmentId) return false;
    if (p.districtIds.length === 0) return true;
    return account.districtIds.length > 0 && account.districtIds.every((d) => p.districtIds.includes(d));
  },

  /** Setting another person's password is the admins' alone. */
  canResetStaffPasswords(p: Principal): boolean {
    return p.kind === 'staff' && p.role === 'admin';
  },
};

export interface StaffAccountScope {
  role: StaffRole;
  departmentId: number | null;
  districtIds: number[];
}
