import type { Generated } from 'kysely';

// Row types of every table, as both engines return them: ids and counts as numbers, timestamps as ISO
// strings, flags as 0/1, JSON as text (SQLite) or an object (PostgreSQL) read through parseJson.

export interface DivisionsTable {
  id: Generated<number>;
  code: string;
  name: string;
  name_ur: string;
  name_ps: string;
}

export interface DistrictsTable {
  id: Generated<number>;
  code: string;
  name: string;
  name_ur: string;
  name_ps: string;
  division_id: number;
  hq_lat: number;
  hq_lng: number;
  aliases: string;
  active: Generated<number>;
}

export interface DistrictBoundariesTable {
  id: Generated<number>;
  district_id: number;
  /** GeoJSON polygons ([outer, ...holes] rings of [lng, lat]) as JSON. */
  polygons: string;
  min_lat: number;
  min_lng: number;
  max_lat: number;
  max_lng: number;
  source: string;
  imported_at: string;
}

export interface DepartmentsTable {
  id: Generated<number>;
  code: string;
  name: string;
  name_ur: string;
  name_ps: string;
  active: Generated<number>;
}

export interface CategoriesTable {
  id: Generated<number>;
  code: string;
  department_id: number;
  parent_id: number | null;
  name: string;
  name_ur: string;
  name_ps: string;
  sla_days: number;
  keywords: string;
  active: Generated<number>;
  sort: number;
}

export type CitizenStatus = 'pending' | 'active' | 'blocked';
export type Language = 'en' | 'ur' | 'ps';

export interface CitizensTable {
  id: Generated<number>;
  name: string;
  cnic_hash: string;
  cnic_enc: string;
  mobile: string;
  email: string | null;
  district_id: number;
  password_hash: string;
  language: Language;
  status: CitizenStatus;
  verified_at: string | null;
  blocked_at: string | null;
  blocked_reason: string | null;
  warnings: Generated<number>;
  created_at: string;
  updated_at: string;
}

export type OtpPurpose = 'verify' | 'reset';
export type OtpChannel = 'sms' | 'email';

export interface OtpCodesTable {
  id: Generated<number>;
  citizen_id: number;
  purpose: OtpPurpose;
  code_hash: string;
  attempts: Generated<number>;
  expires_at: string;
  consumed_at: string | null;
  created_at: string;
}

/** One row per code sent: the resend cooldown and the daily and hourly caps count these. */
export interface OtpSendsTable {
  id: Generated<number>;
  citizen_id: number;
  mobile: string;
  purpose: OtpPurpose;
  channel: OtpChannel;
  ip: string;
  created_at: string;
}

export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed';

export interface SmsMessagesTable {
  id: Generated<number>;
  reference: string;
  to_number: string;
  purpose: string;
  /** Encrypted until sent, then cleared: a code never rests in the database as readable text. */
  body_enc: string | null;
  status: SmsStatus;
  provider: string | null;
  provider_message_id: string | null;
  error: string | null;
  attempts: Generated<number>;
  created_at: string;
  updated_at: string;
}

export type StaffRole = 'admin' | 'supervisor' | 'officer';

export interface StaffTable {
  id: Generated<number>;
  login: string;
  name: string;
  password_hash: string;
  role: StaffRole;
  department_id: number | null;
  active: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface StaffDistrictsTable {
  staff_id: number;
  district_id: number;
}

export type SessionSubject = 'citizen' | 'staff';

export interface SessionsTable {
  id: Generated<number>;
  token_hash: string;
  subject_type: SessionSubject;
  subject_id: number;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Fixed-window counters for throttles that must hold across nodes (logins, code requests). */
export interface ThrottlesTable {
  key: string;
  count: number;
  window_start: string;
  blocked_until: string | null;
}

export type JobState = 'pending' | 'active' | 'completed' | 'dead';

/** The embedded engine's queue; PostgreSQL uses pg-boss's own tables. */
export interface JobsTable {
  id: Generated<number>;
  queue: string;
  payload: string;
  state: JobState;
  attempts: Generated<number>;
  max_attempts: number;
  backoff_seconds: number;
  run_at: string;
  locked_until: string | null;
  last_error: string | null;
  singleton_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface DB {
  divisions: DivisionsTable;
  districts: DistrictsTable;
  district_boundaries: DistrictBoundariesTable;
  departments: DepartmentsTable;
  categories: CategoriesTable;
  citizens: CitizensTable;
  otp_codes: OtpCodesTable;
  otp_sends: OtpSendsTable;
  sms_messages: SmsMessagesTable;
  staff: StaffTable;
  staff_districts: StaffDistrictsTable;
  sessions: SessionsTable;
  throttles: ThrottlesTable;
  jobs: JobsTable;
}
