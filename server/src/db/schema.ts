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
  /** JSON list of questions (Open311 service attributes); null when it asks none. */
  attributes: Generated<string | null>;
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
  /** The Open311 client (API key name) that filed it. */
  source_name: Generated<string | null>;
  /** JSON contact of a reporter without an account (Open311): email, first_name, last_name, phone. */
  reporter: Generated<string | null>;
  /** JSON answers to the category's questions. */
  attributes: Generated<string | null>;
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

export interface PushSubscriptionsTable {
  id: Generated<number>;
  citizen_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string | null;
  created_at: string;
}

/** One row per (message, device) sent: a retried delivery job skips these. */
export interface PushDeliveriesTable {
  message_key: string;
  subscription_id: number;
  sent_at: string;
}

export interface PushFailuresTable {
  id: Generated<number>;
  message_key: string;
  subscription_id: number;
  citizen_id: number | null;
  /** The push service's origin (the endpoint's path identifies a device, so it is not kept). */
  push_service: string;
  status_code: number | null;
  error: string;
  /** 1 when the push service said the device is gone (404, 410) and it was removed. */
  removed: number;
  created_at: string;
}

export interface NotificationPreferencesTable {
  citizen_id: number;
  push: number;
  sms: number;
  email: number;
  updated_at: string;
}

export type AnnouncementSeverity = 'emergency' | 'general';

export interface AnnouncementsTable {
  id: Generated<number>;
  severity: AnnouncementSeverity;
  title_en: string | null;
  title_ur: string | null;
  title_ps: string | null;
  body_en: string | null;
  body_ur: string | null;
  body_ps: string | null;
  province_wide: number;
  send_sms: number;
  sms_cursor: Generated<number>;
  starts_at: string;
  expires_at: string;
  withdrawn_at: string | null;
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface AnnouncementDistrictsTable {
  announcement_id: number;
  district_id: number;
}

export interface AnnouncementReadsTable {
  announcement_id: number;
  citizen_id: number;
  read_at: string;
}

export type PollKind = 'single' | 'multiple';
export type PollResultsVisibility = 'live' | 'after_close';

export interface PollsTable {
  id: Generated<number>;
  question_en: string | null;
  question_ur: string | null;
  question_ps: string | null;
  kind: PollKind;
  province_wide: number;
  results: PollResultsVisibility;
  opens_at: string;
  closes_at: string;
  voters: Generated<number>;
  created_by: number;
  created_at: string;
  updated_at: string;
}

export interface PollOptionsTable {
  id: Generated<number>;
  poll_id: number;
  position: number;
  label_en: string | null;
  label_ur: string | null;
  label_ps: string | null;
  votes: Generated<number>;
}

export interface PollDistrictsTable {
  poll_id: number;
  district_id: number;
}

/** Who voted, never what. */
export interface PollVotersTable {
  poll_id: number;
  citizen_id: number;
}

/** What was voted per district, never by whom; option_id 0 counts the district's voters. */
export interface PollTalliesTable {
  poll_id: number;
  option_id: number;
  district_id: number;
  votes: number;
}

export type CommunicationAudience = 'citizen' | 'category' | 'district';

export interface CommunicationsTable {
  id: Generated<number>;
  audience: CommunicationAudience;
  audience_id: number;
  title_en: string | null;
  title_ur: string | null;
  title_ps: string | null;
  body_en: string | null;
  body_ur: string | null;
  body_ps: string | null;
  delivered: Generated<number>;
  cursor: Generated<number>;
  finished_at: string | null;
  created_by: number;
  created_at: string;
}

/** Dashboard counters per period (d, w, m) bucket, place and category; see modules/dashboards/rollup.ts. */
export interface RollupCounters {
  received: Generated<number>;
  resolved: Generated<number>;
  reopened: Generated<number>;
  closed_satisfied: Generated<number>;
  closed_no_feedback: Generated<number>;
  closed_other: Generated<number>;
  rejected: Generated<number>;
  sla_met: Generated<number>;
  sla_missed: Generated<number>;
  satisfied: Generated<number>;
  dissatisfied: Generated<number>;
  resolution_seconds: Generated<number>;
  h0: Generated<number>;
  h1: Generated<number>;
  h2: Generated<number>;
  h3: Generated<number>;
  h4: Generated<number>;
  h5: Generated<number>;
  h6: Generated<number>;
  h7: Generated<number>;
  h8: Generated<number>;
  h9: Generated<number>;
  h10: Generated<number>;
  h11: Generated<number>;
  h12: Generated<number>;
  h13: Generated<number>;
}

export interface RollupsTable extends RollupCounters {
  period: 'd' | 'w' | 'm';
  bucket: string;
  office_id: number;
  department_id: number;
  district_id: number;
  category_id: number;
}

export interface RollupsPlaceTable extends RollupCounters {
  period: 'd' | 'w' | 'm';
  bucket: string;
  office_id: number;
  department_id: number;
  district_id: number;
}

export interface RollupsDepartmentTable extends RollupCounters {
  period: 'd' | 'w' | 'm';
  bucket: string;
  department_id: number;
  category_id: number;
  /** 1 for complaints in the provincial triage queue (no office). */
  triage: number;
}

export interface RollupStaffTable extends RollupCounters {
  period: 'd' | 'w' | 'm';
  bucket: string;
  staff_id: number;
  office_id: number;
  department_id: number;
  district_id: number;
}

export interface RollupCurrentTable {
  office_id: number;
  department_id: number;
  district_id: number;
  category_id: number;
  status: ComplaintStatus;
  count: number;
}

/** Open complaints per place, category and the month (its first day, UTC) they fall due. */
export interface RollupOpenDueTable {
  due_month: string;
  office_id: number;
  department_id: number;
  district_id: number;
  category_id: number;
  count: number;
}

export interface HeatCellsTable {
  month: string;
  cell_lat: number;
  cell_lng: number;
  category_id: number;
  department_id: number;
  office_id: number;
  status: ComplaintStatus;
  count: number;
}

export interface PortalSettingsTable {
  key: string;
  value: string;
  updated_by: number | null;
  updated_at: string;
}

export interface ApiKeysTable {
  id: Generated<number>;
  name: string;
  key_hash: string;
  key_prefix: string;
  created_by: number | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
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
  push_subscriptions: PushSubscriptionsTable;
  push_deliveries: PushDeliveriesTable;
  push_failures: PushFailuresTable;
  notification_preferences: NotificationPreferencesTable;
  announcements: AnnouncementsTable;
  announcement_districts: AnnouncementDistrictsTable;
  announcement_reads: AnnouncementReadsTable;
  polls: PollsTable;
  poll_options: PollOptionsTable;
  poll_districts: PollDistrictsTable;
  poll_voters: PollVotersTable;
  poll_tallies: PollTalliesTable;
  communications: CommunicationsTable;
  rollups: RollupsTable;
  rollups_place: RollupsPlaceTable;
  rollups_department: RollupsDepartmentTable;
  rollup_staff: RollupStaffTable;
  rollup_current: RollupCurrentTable;
  rollup_open_due: RollupOpenDueTable;
  heat_cells: HeatCellsTable;
  portal_settings: PortalSettingsTable;
  api_keys: ApiKeysTable;
}
