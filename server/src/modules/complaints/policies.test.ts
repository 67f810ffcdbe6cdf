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

  it('leaves departments, categories and password resets to admins; supervisors list staff too', () => {
    const who = [
      [citizen(1), false, false],
      [staff('officer', PHE, [PESHAWAR]), false, false],
      [staff('supervisor', PHE, []), false, true],
      [staff('admin', null, []), true, true],
    ] as const;
    for (const [principal, admin, list] of who) {
      expect(policies.canManageReferenceData(principal)).toBe(admin);
      expect(policies.canResetStaffPasswords(principal)).toBe(admin);
      expect(policies.canListStaffAccounts(principal)).toBe(list);
    }
  });

  it('lets supervisors manage only officers of their department within their districts', () => {
    const officerIn = (departmentId: number, districtIds: number[]) => ({
      role: 'officer' as const,
      departmentId,
      districtIds,
    });
    const cases: [
      string,
      CitizenPrincipal | StaffPrincipal,
      Parameters<typeof policies.canManageStaffAccount>[1],
      boolean,
    ][] = [
      [
        'admin, any account',
        staff('admin', null, []),
        { role: 'admin', departmentId: null, districtIds: [] },
        true,
      ],
      [
        'supervisor of all districts, an officer anywhere',
        staff('supervisor', PHE, []),
        officerIn(PHE, [SWAT]),
        true,
      ],
      [
        'supervisor, an officer in their district',
        staff('supervisor', PHE, [PESHAWAR]),
        officerIn(PHE, [PESHAWAR]),
        true,
      ],
      [
        'supervisor, an officer partly outside',
        staff('supervisor', PHE, [PESHAWAR]),
        officerIn(PHE, [PESHAWAR, SWAT]),
        false,
      ],
      [
        'supervisor, an officer without districts',
        staff('supervisor', PHE, [PESHAWAR]),
        officerIn(PHE, []),
        false,
      ],
      [
        'supervisor, an officer of another department',
        staff('supervisor', PHE, []),
        officerIn(ROADS, [PESHAWAR]),
        false,
      ],
      [
        'supervisor, a supervisor',
        staff('supervisor', PHE, []),
        { role: 'supervisor', departmentId: PHE, districtIds: [] },
        false,
      ],
      [
        'supervisor, an admin',
        staff('supervisor', PHE, []),
        { role: 'admin', departmentId: null, districtIds: [] },
        false,
      ],
      ['officer, an officer', staff('officer', PHE, [PESHAWAR]), officerIn(PHE, [PESHAWAR]), false],
      ['citizen', citizen(1), officerIn(PHE, [PESHAWAR]), false],
    ];
    for (const [what, principal, account, allowed] of cases) {
      expect(policies.canManageStaffAccount(principal, account), what).toBe(allowed);
    }
  });
});
