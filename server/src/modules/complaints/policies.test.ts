import { describe, expect, it } from 'vitest';
import type { CitizenPrincipal, StaffPrincipal } from '../../http/auth.js';
import { type ComplaintPlace, policies } from './policies.js';

const PHE = 3;
const ROADS = 4;
const PESHAWAR = 10;
const SWAT = 11;

const place: ComplaintPlace = { citizenId: 1, departmentId: PHE, officeId: 100, officeDistrictId: PESHAWAR };
const triage: ComplaintPlace = { citizenId: 1, departmentId: PHE, officeId: null, officeDistrictId: null };

const citizen = (id: number): CitizenPrincipal => ({ kind: 'citizen', id, sessionId: 1 });
const staff = (
  role: StaffPrincipal['role'],
  departmentId: number | null,
  districtIds: number[],
): StaffPrincipal => ({
  kind: 'staff',
  id: 9,
  role,
  departmentId,
  districtIds,
  sessionId: 1,
});

describe('complaint policies', () => {
  const cases: [string, CitizenPrincipal | StaffPrincipal, ComplaintPlace, boolean][] = [
    ['the complainant', citizen(1), place, true],
    ['another citizen', citizen(2), place, false],
    ['officer of the department in the district', staff('officer', PHE, [PESHAWAR]), place, true],
    ['officer of the department in another district', staff('officer', PHE, [SWAT]), place, false],
    ['officer of another department in the district', staff('officer', ROADS, [PESHAWAR]), place, false],
    ['officer without districts', staff('officer', PHE, []), place, false],
    ['supervisor of the department, all districts', staff('supervisor', PHE, []), place, true],
    ['supervisor of the department, other districts', staff('supervisor', PHE, [SWAT]), place, false],
    ['supervisor of another department', staff('supervisor', ROADS, []), place, false],
    ['admin', staff('admin', null, []), place, true],
    ['officer on a triage complaint', staff('officer', PHE, [PESHAWAR]), triage, false],
    ['supervisor on a triage complaint', staff('supervisor', PHE, []), triage, false],
    ['admin on a triage complaint', staff('admin', null, []), triage, true],
  ];

  for (const [who, principal, where, allowed] of cases) {
    it(`${allowed ? 'lets' : 'stops'} ${who}`, () => {
      expect(policies.canViewComplaint(principal, where)).toBe(allowed);
      expect(policies.canOpenMedia(principal, where, 'ok')).toBe(allowed);
      if (principal.kind === 'staff') {
        expect(policies.canWorkComplaint(principal, where)).toBe(allowed);
        expect(policies.canSeeComplainant(principal, where)).toBe(allowed);
        expect(policies.canSeeInternalEvents(principal, where)).toBe(allowed);
        expect(policies.canModerateMedia(principal, where)).toBe(allowed);
      } else {
        // Citizens never work complaints, see internal notes or the complainant's identity through staff views.
        expect(policies.canWorkComplaint(principal, where)).toBe(false);
        expect(policies.canSeeInternalEvents(principal, where)).toBe(false);
        expect(policies.canRespondAsComplainant(principal, where)).toBe(allowed);
      }
    });
  }

  it('shows hidden media to admins only', () => {
    for (const verdict of ['illegal', 'irrelevant'] as const) {
      expect(policies.canOpenMedia(citizen(1), place, verdict)).toBe(false);
      expect(policies.canOpenMedia(staff('officer', PHE, [PESHAWAR]), place, verdict)).toBe(false);
      expect(policies.canOpenMedia(staff('supervisor', PHE, []), place, verdict)).toBe(false);
      expect(policies.canOpenMedia(staff('admin', null, []), place, verdict)).toBe(true);
    }
  });

  it('leaves sanctions and routing to admins', () => {
    expect(policies.canSanctionCitizens(staff('admin', null, []))).toBe(true);
    expect(policies.canSanctionCitizens(staff('supervisor', PHE, []))).toBe(false);
    expect(policies.canSanctionCitizens(citizen(1))).toBe(false);
    expect(policies.canEditRouting(staff('admin', null, []))).toBe(true);
    expect(policies.canEditRouting(staff('officer', PHE, [PESHAWAR]))).toBe(false);
  });

  it('gives every staff member dashboards, and the public page switch and API keys to admins only', () => {
    const who = [
      [citizen(1), false, false],
      [staff('officer', PHE, [PESHAWAR]), true, false],
      [staff('supervisor', PHE, []), true, false],
      [staff('admin', null, []), true, true],
    ] as const;
    for (const [principal, dashboards, admin] of who) {
      expect(policies.canViewDashboards(principal)).toBe(dashboards);
      expect(policies.canManagePublicPage(principal)).toBe(admin);
      expect(policies.canManageApiKeys(principal)).toBe(admin);
    }
  });
});
