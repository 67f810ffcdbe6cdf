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
  warned_at: Generated<string | null>;
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

export interface OfficesTable {
  id: Generated<number>;
  code: string;
  department_id: number;
  district_id: number;
  name: string;
  name_ur: string;
  name_ps: string;
  active: Generated<number>;
  created_at: string;
}

/** category (+ district, or any district when null) -> a fixed office, or the department's office in the complaint's district. */
export interface RoutingRulesTable {
  id: Generated<number>;
  category_id: number;
  district_id: number | null;
  department_id: number;
  office_id: number | null;
  created_at: string;
  updated_at: string;
}

export type ComplaintStatus =
  | 'submitted'
  | 'assigned'
  | 'in_progress'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'rejected';
export type ComplaintSource = 'app' | 'web' | 'open311' | 'sms' | 'staff';
export type CloseReason = 'satisfied' | 'no_feedback' | 'merged' | 'admin';
export type ActorType = 'citizen' | 'staff' | 'system' | 'api';

export interface ComplaintsTable {
  id: number;
  tracking_number: string;
  citizen_id: number | null;
  source: ComplaintSource;
  category_id: number;
  department_id: number;
  /** null: the provincial triage queue. */
  office_id: number | null;
  district_id: number;
  description: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
  accuracy_m: number | null;
  status: ComplaintStatus;
  escalation_level: Generated<number>;
  reopen_count: Generated<number>;
  support_count: Generated<number>;
  media_count: Generated<number>;
  due_at: string;
  reminded_at: string | null;
  escalated_at: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  close_reason: CloseReason | null;
  rejection_reason: string | null;
  merged_into_id: number | null;
  satisfied: number | null;
  rating: number | null;
  feedback_comment: string | null;
  feedback_at: string | null;
  consent_at: string;
  created_at: string;
  updated_at: string;
}

export type EventVisibility = 'public' | 'internal';

export interface ComplaintEventsTable {
  id: Generated<number>;
  complaint_id: number;
  type: string;
  visibility: EventVisibility;
  actor_type: ActorType;
  actor_id: number | null;
  from_status: ComplaintStatus | null;
  to_status: ComplaintStatus | null;
  office_id: number | null;
  message: string | null;
  /** JSON (text on SQLite, jsonb on PostgreSQL): read through parseJson. */
  data: unknown;
  created_at: string;
}

export type MediaKind = 'photo' | 'audio' | 'video';
export type MediaModeration = 'ok' | 'illegal' | 'irrelevant';

export interface MediaTable {
  id: Generated<number>;
  complaint_id: number | null;
  event_id: number | null;
  uploader_type: ActorType;
  uploader_id: number | null;
  kind: MediaKind;
  mime: string;
  bytes: number;
  sha256: string;
  storage_key: string;
  thumb_key: string | null;
  width: number | null;
  height: number | null;
  moderation: Generated<MediaModeration>;
  moderated_by: number | null;
  moderated_at: string | null;
  moderation_reason: string | null;
  created_at: string;
}

export interface ComplaintSupportersTable {
  complaint_id: number;
  citizen_id: number;
  created_at: string;
}

export interface IdempotencyKeysTable {
  /** Whose key it is, e.g. `citizen:42`: keys of different callers never collide. */
  owner: string;
  key: string;
  request_hash: string;
  state: 'pending' | 'done';
  status_code: number | null;
  response: string | null;
  created_at: string;
}

export interface InboxItemsTable {
  id: Generated<number>;
  citizen_id: number;
  kind: string;
  complaint_id: number | null;
  event_id: number | null;
  title: string;
  body: string | null;
  data: unknown;
  read_at: string | null;
  created_at: string;
}

export interface ComplaintCountsTable {
  /** 0 for the provincial triage queue. */
  office_id: number;
  department_id: number;
  status: ComplaintStatus;
  count: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  actor_type: ActorType;
  actor_id: number | null;
  action: string;
  entity_type: string;
  entity_id: string;
  /** Canonical JSON text, hashed as stored. */
  before: string | null;
  after: string | null;
  ip: string | null;
  created_at: string;
  prev_hash: string;
  hash: string;
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
  offices: OfficesTable;
  routing_rules: RoutingRulesTable;
  complaints: ComplaintsTable;
  complaint_events: ComplaintEventsTable;
  media: MediaTable;
  complaint_supporters: ComplaintSupportersTable;
  idempotency_keys: IdempotencyKeysTable;
  inbox_items: InboxItemsTable;
  complaint_counts: ComplaintCountsTable;
  audit_log: AuditLogTable;
}
