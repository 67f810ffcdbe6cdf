import { randomInt } from 'node:crypto';
import { latestCodeFor } from '../src/adapters/sms/outbox.js';
import type { TestPortal } from './portal.js';

let sequence = 0;

/** A CNIC and a mobile number no other test uses. */
export function uniqueIdentity() {
  sequence++;
  const n =
    `${process.pid % 1000}`.padStart(3, '0') +
    `${sequence}`.padStart(4, '0') +
    `${randomInt(0, 1_000_000)}`.padStart(6, '0');
  const cnic = `1${n.slice(0, 12)}`;
  const mobile = `+92300${`${randomInt(0, 10_000_000)}`.padStart(7, '0')}`;
  return { cnic, mobile };
}

export async function districtId(portal: TestPortal, code = 'peshawar'): Promise<number> {
  const d = (await portal.app.services.geo.listDistricts()).find((x) => x.code === code);
  if (!d) throw new Error(`no district ${code}`);
  return d.id;
}

export interface RegisteredCitizen {
  id: number;
  token: string;
  csrfToken: string;
  cnic: string;
  mobile: string;
  password: string;
}

export async function registerBody(portal: TestPortal, overrides: Record<string, unknown> = {}) {
  const { cnic, mobile } = uniqueIdentity();
  return {
    name: 'Amina Khan',
    cnic,
    mobile,
    district: await districtId(portal),
    email: `amina${sequence}@example.pk`,
    password: 'a-long-passphrase',
    language: 'en',
    ...overrides,
  };
}

/** Reads the newest code sent to a number from the SMS outbox (after the send job ran). */
export async function codeFor(portal: TestPortal, mobile: string): Promise<string> {
  await portal.drain();
  const code = await latestCodeFor(portal.outboxDir, mobile);
  if (!code) throw new Error(`no code was sent to ${mobile}`);
  return code;
}

/** A verified, logged-in citizen, made through the public routes. */
export async function buildCitizen(
  portal: TestPortal,
  overrides: Record<string, unknown> = {},
): Promise<RegisteredCitizen> {
  const body = await registerBody(portal, overrides);
  const reg = await portal.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: body });
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.body}`);
  const code = await codeFor(portal, body.mobile as string);
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/auth/verify',
    payload: { mobile: body.mobile, code },
  });
  if (res.statusCode !== 200) throw new Error(`verify failed: ${res.body}`);
  const session = res.json();
  return {
    id: session.user.id,
    token: session.token,
    csrfToken: session.csrfToken,
    cnic: body.cnic as string,
    mobile: body.mobile as string,
    password: body.password as string,
  };
}

export async function buildStaff(
  portal: TestPortal,
  input: { role: 'admin' | 'supervisor' | 'officer'; department?: string; districts?: string[] },
) {
  sequence++;
  const geo = portal.app.services.geo;
  const departments = await geo.departments();
  const districts = await geo.listDistricts();
  const login = `${input.role}${sequence}-${randomInt(0, 1e6)}`;
  const password = 'staff-passphrase-1';
  const dept = input.department ?? (input.role === 'admin' ? undefined : 'phe');
  const profile = await portal.app.services.staff.create({
    login,
    password,
    role: input.role,
    departmentId: dept ? departments.find((d) => d.code === dept)!.id : null,
    districtIds: (input.districts ?? (input.role === 'officer' ? ['peshawar'] : [])).map(
      (c) => districts.find((d) => d.code === c)!.id,
    ),
  });
  const res = await portal.app.inject({
    method: 'POST',
    url: '/api/v1/staff/auth/login',
    payload: { login, password },
  });
  if (res.statusCode !== 200) throw new Error(`staff login failed: ${res.body}`);
  return { ...profile, token: res.json().token as string, password };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
