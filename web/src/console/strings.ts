import { createTranslator, type Resources, type Translator } from '../shared/i18n.js';
import type { Status } from './api.js';

// The console's English text in one place, through the shared translator, so Urdu (or Pashto) can be
// added as another table. Officers read English at a desk, so only this table is required for now.
export const en = {
  'login.title': 'Staff sign in',
  'login.login': 'Login',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'nav.queue': 'Queue',
  'nav.dashboards': 'Dashboards',
  'nav.reference': 'Categories',
  'nav.offices': 'Offices',
  'nav.routing': 'Routing',
  'nav.boundaries': 'Boundaries',
  'nav.announcements': 'Announcements',
  'nav.polls': 'Polls',
  'nav.citizens': 'Citizens',
  'nav.audit': 'Audit log',
  'nav.logout': 'Sign out',
  'status.submitted': 'Submitted',
  'status.assigned': 'Assigned',
  'status.in_progress': 'In progress',
  'status.resolved': 'Resolved',
  'status.closed': 'Closed',
  'status.reopened': 'Reopened',
  'status.rejected': 'Rejected',
  'queue.filters': 'Filters',
  'queue.search': 'Search',
  'queue.searchHint': 'Tracking number or words (press / to search)',
  'queue.category': 'Category',
  'queue.district': 'District',
  'queue.from': 'Filed from',
  'queue.to': 'Filed to',
  'queue.overdue': 'Overdue only',
  'queue.triage': 'Triage queue (no office)',
  'queue.all': 'All',
  'queue.apply': 'Apply filters',
  'queue.clear': 'Clear filters',
  'queue.more': 'More',
  'queue.empty': 'No complaints match these filters.',
  'queue.overdueBadge': 'Overdue',
  'queue.keys': 'j/k or ↑/↓ to move, Enter to open, / to search',
  'complaint.pick': 'Choose a complaint from the queue.',
  'complaint.back': 'Back to the queue',
  'complaint.due': 'Due',
  'complaint.filed': 'Filed',
  'complaint.media': 'Photos, audio and video',
  'complaint.noMedia': 'No media attached.',
  'complaint.map': 'Location',
  'complaint.noLocation': 'No GPS point was given.',
  'complaint.complainant': 'Complainant',
  'complaint.timeline': 'Public timeline',
  'complaint.internal': 'Internal notes and events',
  'complaint.noInternal': 'No internal notes yet.',
  'complaint.supporters': 'Supporters',
  'complaint.duplicates': 'Possible duplicates nearby',
  'complaint.noDuplicates': 'No open complaints of this category nearby.',
  'complaint.forwarding': 'Offices it passed through',
  'complaint.actions': 'Actions',
  'complaint.final': 'This complaint is final; only internal notes can be added.',
  'action.start': 'Start work',
  'action.forward': 'Forward',
  'action.resolve': 'Resolve',
  'action.reject': 'Reject',
  'action.note': 'Add note',
  'action.reply': 'Reply',
  'action.merge': 'Merge',
  'common.loading': 'Loading…',
  'common.notAvailable': 'Not available on this server.',
} as const;

export type MessageKey = keyof typeof en;

let translator: Translator | null = null;

/** Dotted keys ('nav.queue') become the nested tables i18next reads. */
function nested(flat: Record<string, string>): Resources {
  const out: Resources = {};
  for (const [key, value] of Object.entries(flat)) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      node = node[part] as Resources;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

export async function startTranslations(): Promise<void> {
  translator = await createTranslator({
    storageKey: 'portal.console.lang',
    en: nested(en),
    // No other table yet: every language falls back to English.
    load: async () => ({}),
  });
}

export function t(key: MessageKey): string {
  return translator ? translator.t(key) : en[key];
}

export function statusLabel(status: Status | string): string {
  return (en as Record<string, string>)[`status.${status}`] ?? status;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return dateOnly.format(new Date(iso));
}

export function plural(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}
