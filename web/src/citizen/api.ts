// The citizen's side of the portal API: the shapes the screens use and one function per call.
import { createApiClient } from '../shared/api.js';
import type { Lang } from '../shared/i18n.js';

export const api = createApiClient({ csrfCookie: 'cp_csrf' });

export type Status =
  | 'submitted'
  | 'assigned'
  | 'in_progress'
  | 'resolved'
  | 'closed'
  | 'reopened'
  | 'rejected';

export interface Named {
  id: number;
  code: string;
  name: string;
  nameUr: string;
  namePs: string;
}
export interface District extends Named {
  hq: { lat: number; lng: number };
}
export interface Category extends Named {
  departmentId: number;
  parentId: number | null;
  slaDays: number;
  keywords: string[];
}
export interface User {
  id: number;
  name: string;
  cnic: string;
  mobile: string;
  email: string | null;
  districtId: number;
  language: Lang;
  status: string;
  verifiedAt: string | null;
}
export interface Verification {
  channel: 'sms' | 'email';
  expiresAt: string;
  resendAvailableAt: string;
}
export interface Session {
  token: string;
  csrfToken: string;
  expiresAt: string;
  user: User;
}
export interface TimelineEntry {
  id: number;
  type: string;
  actor: string;
  fromStatus: string | null;
  status: string | null;
  office: Named | null;
  message: string | null;
  createdAt: string;
}
export interface MediaItem {
  id: number;
  kind: 'photo' | 'audio' | 'video';
  mime: string;
  url: string;
  thumbUrl: string | null;
}
export interface ComplaintSummary {
  id: number;
  trackingNumber: string;
  status: Status;
  category: Named;
  district: Named;
  office: Named | null;
  description: string;
  dueAt: string;
  overdue: boolean;
  supportCount: number;
  createdAt: string;
}
export interface Complaint extends ComplaintSummary {
  department: Named;
  address: string | null;
  location: { lat: number; lng: number; accuracyM: number | null } | null;
  resolvedAt: string | null;
  closedAt: string | null;
  rejectionReason: string | null;
  feedback: { satisfied: boolean; rating: number | null; comment: string | null } | null;
  timeline: TimelineEntry[];
  media: MediaItem[];
  canGiveFeedback: boolean;
}
export interface Filed {
  id: number;
  trackingNumber: string;
  status: Status;
  office: Named | null;
  dueAt: string;
}
export interface Nearby {
  id: number;
  trackingNumber: string;
  category: Named;
  status: Status;
  distanceM: number;
  supportCount: number;
  createdAt: string;
}
export interface InboxItem {
  id: number;
  kind: string;
  complaintId: number | null;
  trackingNumber: string | null;
  title: string;
  body: string;
  createdAt: string;
  readAt: string | null;
}
export interface Announcement {
  id: number;
  severity: 'emergency' | 'general';
  title: string;
  body: string;
  startsAt: string;
  expiresAt: string | null;
  readAt: string | null;
  banner: boolean;
}
export interface Poll {
  id: number;
  question: string;
  kind: 'single' | 'multiple';
  options: { id: number; label: string }[];
  opensAt: string;
  closesAt: string;
  state: 'scheduled' | 'open' | 'closed';
  voted: boolean;
  canVote: boolean;
  resultsVisible: boolean;
  results?: { voters: number; options: { optionId: number; votes: number; percent: number }[] } | null;
}
export interface NotificationPrefs {
  push: boolean;
  sms: boolean;
  email: boolean;
}

/** The name of a district, category, office... in the reader's language. */
export function nameIn(item: Pick<Named, 'name' | 'nameUr' | 'namePs'>, lang: Lang): string {
  return (lang === 'ur' ? item.nameUr : lang === 'ps' ? item.namePs : item.name) || item.name;
}
