// The staff API as the console uses it: typed shapes of the answers and one function per call.
// Requests carry the staff session cookie; those that change something echo the CSRF token from the
// staff's readable cookie (the shared client does both).
import { ApiError, createApiClient } from '../shared/api.js';

export { ApiError };

export type Role = 'admin' | 'supervisor' | 'officer';
export type Status =
  | 'submitted'
  | 'assigned'
  | 'in_progress'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'rejected';
export const STATUSES: readonly Status[] = [
  'submitted',
  'assigned',
  'in_progress',
  'reopened',
  'resolved',
  'closed',
  'rejected',
];

export interface Named {
  id: number;
  code: string;
  name: string;
  nameUr: string;
  namePs: string;
}

export interface StaffUser {
  id: number;
  login: string;
  name: string;
  role: Role;
  departmentId: number | null;
  districtIds: number[];
}

export interface QueueItem {
  id: number;
  trackingNumber: string;
  status: Status;
  category: Named;
  district: Named;
  office: Named | null;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
  supportCount: number;
  mediaCount: number;
  createdAt: string;
  excerpt: string;
}

export interface Queue {
  items: QueueItem[];
  nextCursor: string | null;
  counts: Record<Status, number>;
}

export interface QueueFilters {
  status?: Status[];
  category?: number;
  district?: number;
  from?: string;
  to?: string;
  overdue?: boolean;
  triage?: boolean;
  q?: string;
}

export interface MediaItem {
  id: number;
  kind: 'photo' | 'audio' | 'video';
  mime: string;
  url: string;
  thumbUrl: string | null;
  eventId?: number | null;
  moderation?: 'ok' | 'illegal' | 'irrelevant';
  width?: number | null;
  height?: number | null;
}

export interface TimelineEntry {
  id: number;
  type: string;
  actor: string;
  fromStatus: string | null;
  status: string | null;
  office: Named | null;
  message: string | null;
  internal: boolean;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface Complaint {
  id: number;
  trackingNumber: string;
  status: Status;
  source: string;
  category: Named & { slaDays: number };
  department: Named;
  district: Named;
  office: Named | null;
  description: string;
  address: string | null;
  location: { lat: number; lng: number; accuracyM: number | null } | null;
  dueAt: string;
  overdue: boolean;
  escalationLevel: number;
  reopenCount: number;
  supportCount: number;
  mediaCount: number;
  resolvedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  rejectionReason: string | null;
  mergedIntoId: number | null;
  feedback: { satisfied: boolean; rating: number | null; comment: string | null; at: string } | null;
  createdAt: string;
  /** The Open311 client (API key name) that filed it. */
  sourceName: string | null;
  complainant: { id: number; name: string; mobile: string } | null;
  /** The contact an Open311 client gave for its reporter (staff in scope only). */
  reporter: { name: string | null; email: string | null; phone: string | null } | null;
  timeline: TimelineEntry[];
  media: MediaItem[];
  duplicates: {
    id: number;
    trackingNumber: string;
    status: Status;
    distanceM: number;
    supportCount: number;
    office: Named | null;
    createdAt: string;
  }[];
  forwarding: {
    eventId: number;
    at: string;
    actor: string;
    from: Named | null;
    to: Named | null;
    reason: string | null;
  }[];
}

export type ActionType = 'start' | 'forward' | 'resolve' | 'reject' | 'note' | 'reply' | 'merge';
export interface Action {
  type: ActionType;
  message?: string;
  reason?: string;
  officeId?: number;
  departmentId?: number;
  duplicateOf?: number;
  into?: number;
}
export const REJECT_REASONS = ['irrelevant', 'illegal', 'duplicate', 'outside_jurisdiction'] as const;

export interface District extends Named {
  division: { code: string; name: string };
  hq: { lat: number; lng: number };
}
export type Department = Named;
export interface Category extends Named {
  departmentId: number;
  parentId: number | null;
  slaDays: number;
  keywords: string[];
}

/** Departments and categories as admins see them: the inactive ones too. */
export interface StaffDepartment extends Department {
  active: boolean;
}
export interface StaffCategory extends Category {
  active: boolean;
}
export interface NewCategory {
  code: string;
  departmentId: number;
  parentId: number | null;
  name: string;
  nameUr: string;
  namePs: string;
  slaDays: number;
  keywords?: string[];
}

export interface StaffAccount extends StaffUser {
  active: boolean;
}
export interface NewStaffAccount {
  login: string;
  name: string;
  password: string;
  role: Role;
  departmentId: number | null;
  districtIds: number[];
}
export type StaffAccountChange = Partial<
  Pick<StaffAccount, 'name' | 'role' | 'departmentId' | 'districtIds' | 'active'>
>;

export interface Office extends Omit<Named, 'nameUr' | 'namePs'> {
  departmentId: number;
  districtId: number;
  nameUr: string;
  namePs: string;
  active: boolean;
}

export interface RoutingRule {
  id: number;
  categoryId: number;
  districtId: number | null;
  departmentId: number;
  officeId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: number;
  actor: { type: string; id: number | null };
  action: string;
  entity: { type: string; id: string };
  before: unknown;
  after: unknown;
  ip: string | null;
  createdAt: string;
  prevHash: string;
  hash: string;
}

export interface AuditVerdict {
  ok: boolean;
  checked: number;
  firstBroken?: { id: number; reason: string };
}

export interface BlockedCitizen {
  id: number;
  name: string;
  districtId: number;
  warnings: number;
  blockedAt: string | null;
  blockedReason: string | null;
}

export interface FoundCitizen {
  id: number;
  name: string;
  cnic: string;
  mobile: string;
  districtId: number;
  status: string;
  createdAt: string;
}

export interface Sanctioned {
  id: number;
  status: string;
  warnings: number;
  blockedAt: string | null;
  blockedReason: string | null;
}

const client = createApiClient({ csrfCookie: 'cp_staff_csrf' });
let onSignedOut: (() => void) | null = null;

/** Called when the server no longer knows the session (expired, revoked), so the console can ask to sign in. */
export function whenSignedOut(handler: () => void) {
  onSignedOut = handler;
}

async function request<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  try {
    return await client.request<T>(path, { method, body });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && !path.startsWith('/staff/auth/')) onSignedOut?.();
    throw err;
  }
}

function query(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Screens built on routes a server may not have yet: a 404 (or 405) means "not available here". */
export async function optional<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
}

export const api = {
  async login(login: string, password: string): Promise<StaffUser> {
    const result = await request<{ user: StaffUser }>('POST', '/staff/auth/login', { login, password });
    return result.user;
  },
  logout: () => request<void>('POST', '/staff/auth/logout'),
  me: () => request<StaffUser>('GET', '/staff/me'),

  queue: (filters: QueueFilters, cursor?: string, limit = 25) =>
    request<Queue>('GET', `/staff/complaints${query({ ...filters, cursor, limit })}`),
  complaint: (id: number) => request<Complaint>('GET', `/staff/complaints/${id}`),
  act: (id: number, action: Action) =>
    request<{ status: Status; event: TimelineEntry }>('POST', `/staff/complaints/${id}/actions`, action),
  /** A resolution with evidence photos goes as multipart: the fields first, then the files in `media`. */
  resolveWithEvidence(id: number, message: string, photos: File[]) {
    const form = new FormData();
    form.append('type', 'resolve');
    form.append('message', message);
    for (const photo of photos) form.append('media', photo, photo.name);
    return request<{ status: Status; event: TimelineEntry }>('POST', `/staff/complaints/${id}/actions`, form);
  },
  moderateMedia: (id: number, verdict: 'ok' | 'illegal' | 'irrelevant', reason?: string) =>
    request<unknown>('POST', `/staff/media/${id}/moderation`, { verdict, reason }),

  districts: () => request<District[]>('GET', '/districts'),
  departments: () => request<Department[]>('GET', '/departments'),
  categories: () => request<Category[]>('GET', '/categories'),

  staffDepartments: () => request<{ items: StaffDepartment[] }>('GET', '/staff/departments'),
  createDepartment: (department: Omit<StaffDepartment, 'id' | 'active'>) =>
    request<StaffDepartment>('POST', '/staff/departments', department),
  updateDepartment: (
    id: number,
    patch: Partial<Pick<StaffDepartment, 'name' | 'nameUr' | 'namePs' | 'active'>>,
  ) => request<StaffDepartment>('PATCH', `/staff/departments/${id}`, patch),
  staffCategories: () => request<{ items: StaffCategory[] }>('GET', '/staff/categories'),
  createCategory: (category: NewCategory) => request<StaffCategory>('POST', '/staff/categories', category),
  updateCategory: (id: number, patch: Partial<Omit<NewCategory, 'code'>> & { active?: boolean }) =>
    request<StaffCategory>('PATCH', `/staff/categories/${id}`, patch),

  staffAccounts: (cursor?: string) =>
    request<{ items: StaffAccount[]; nextCursor: string | null }>(
      'GET',
      `/staff/accounts${query({ cursor, limit: 200 })}`,
    ),
  createStaffAccount: (account: NewStaffAccount) => request<StaffAccount>('POST', '/staff/accounts', account),
  updateStaffAccount: (id: number, change: StaffAccountChange) =>
    request<StaffAccount>('PATCH', `/staff/accounts/${id}`, change),
  resetStaffPassword: (id: number, password: string) =>
    request<void>('POST', `/staff/accounts/${id}/password`, { password }),

  offices: (filter: { department?: number; district?: number } = {}) =>
    request<{ items: Office[] }>('GET', `/staff/offices${query(filter)}`),
  createOffice: (office: Omit<Office, 'id' | 'active'>) => request<Office>('POST', '/staff/offices', office),
  updateOffice: (id: number, patch: Partial<Pick<Office, 'name' | 'nameUr' | 'namePs' | 'active'>>) =>
    request<Office>('PATCH', `/staff/offices/${id}`, patch),

  rules: (filter: { category?: number; district?: number } = {}) =>
    request<{ items: RoutingRule[] }>('GET', `/staff/routing-rules${query(filter)}`),
  createRule: (rule: Pick<RoutingRule, 'categoryId' | 'districtId' | 'departmentId' | 'officeId'>) =>
    request<RoutingRule>('POST', '/staff/routing-rules', rule),
  updateRule: (id: number, patch: Partial<Pick<RoutingRule, 'departmentId' | 'officeId' | 'districtId'>>) =>
    request<RoutingRule>('PATCH', `/staff/routing-rules/${id}`, patch),
  removeRule: (id: number) => request<void>('DELETE', `/staff/routing-rules/${id}`),

  audit: (filter: { entityType?: string; entityId?: string; cursor?: string }) =>
    request<{ items: AuditEntry[]; nextCursor: string | null }>('GET', `/staff/audit${query(filter)}`),
  verifyAudit: () => request<AuditVerdict>('GET', '/staff/audit/verify'),

  blocked: (cursor?: string) =>
    request<{ items: BlockedCitizen[]; nextCursor: string | null }>(
      'GET',
      `/staff/citizens/blocked${query({ cursor })}`,
    ),
  findCitizens: (q: string) => request<{ items: FoundCitizen[] }>('GET', `/staff/citizens${query({ q })}`),
  sanction: (citizenId: number, action: 'warn' | 'block' | 'unblock', reason: string) =>
    request<Sanctioned>('POST', `/staff/citizens/${citizenId}/${action}`, { reason }),

  /** For routes that other parts of the server add over time (announcements, polls, dashboards). */
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};
