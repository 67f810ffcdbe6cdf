import { describe, expect, it } from 'vitest';
import type { CitizenPrincipal, StaffPrincipal } from '../../http/auth.js';
import { policies } from '../complaints/policies.js';

const citizen: CitizenPrincipal = { kind: 'citizen', id: 1, sessionId: 1 };
const staff = (role: StaffPrincipal['role']): StaffPrincipal => ({
  kind: 'staff',
  id: 9,
  role,
  departmentId: role === 'admin' ? null : 3,
  districtIds: [],
  sessionId: 1,
});

describe('broadcast policies', () => {
  const rules = [
    policies.canManageAnnouncements,
    policies.canManagePolls,
    policies.canSendCommunications,
    policies.canViewDeliveryFailures,
  ];
  const cases: [string, CitizenPrincipal | StaffPrincipal, boolean][] = [
    ['admin', staff('admin'), true],
    ['supervisor', staff('supervisor'), false],
    ['officer', staff('officer'), false],
    ['citizen', citizen, false],
  ];
  for (const rule of rules) {
    for (const [who, principal, allowed] of cases) {
      it(`${rule.name}: ${who} ${allowed ? 'may' : 'may not'}`, () => {
        expect(rule(principal)).toBe(allowed);
      });
    }
  }
});
