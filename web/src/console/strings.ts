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
  'nav.communications': 'Messages to citizens',
  'nav.polls': 'Polls',
  'nav.citizens': 'Citizens',
  'nav.audit': 'Audit log',
  'nav.staff': 'Staff',
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
  'complaint.filedThrough': 'Filed through {{source}} by {{client}}',
  'complaint.filedThroughUnnamed': 'Filed through {{source}}',
  'complaint.reporter': 'Reporter (given by the client)',
  'complaint.reporterName': 'Name',
  'complaint.reporterEmail': 'Email',
  'complaint.reporterPhone': 'Phone',
  'source.open311': 'Open311',
  'source.sms': 'SMS',
  'source.staff': 'the office (staff)',
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
  'common.save': 'Save',
  'common.cancel': 'Cancel',
  'common.edit': 'Edit',
  'common.choose': 'Choose…',
  'common.yes': 'Yes',
  'common.no': 'No',
  'common.more': 'More',
  'common.code': 'Code',
  'common.codeHint': 'Unique; lowercase letters, digits, dots or dashes. It cannot be changed later.',
  'common.nameEn': 'Name (English)',
  'common.nameUr': 'Name (Urdu)',
  'common.namePs': 'Name (Pashto)',
  'common.department': 'Department',
  'common.active': 'Active',
  'common.multiHint': 'Ctrl-click (or Cmd-click) to choose several.',
  'reference.title': 'Departments & categories',
  'reference.intro':
    'SLA: the days an office has to resolve a complaint of the category before it is overdue. A new SLA counts for complaints filed from then on.',
  'reference.introAdmin':
    'Inactive categories are no longer offered to citizens (nor to Open311 clients); complaints already filed keep theirs.',
  'reference.noCategories': 'No categories.',
  'reference.category': 'Category',
  'reference.sla': 'SLA (days)',
  'reference.offered': 'Offered to citizens',
  'reference.inactive': 'inactive',
  'reference.newDepartment': 'Add a department',
  'reference.addDepartment': 'Add department',
  'reference.departmentAdded': 'Department “{{name}}” added.',
  'reference.editDepartment': 'Edit department {{name}}',
  'reference.departmentListed': 'Listed for citizens',
  'reference.departmentSaved': 'Department “{{name}}” saved.',
  'reference.newCategory': 'Add a category',
  'reference.addCategory': 'Add category',
  'reference.categoryAdded': 'Category “{{name}}” added.',
  'reference.editCategory': 'Edit category {{name}}',
  'reference.categorySaved': 'Category “{{name}}” saved.',
  'reference.group': 'Group',
  'reference.noGroup': 'None (a top-level category or group)',
  'reference.groupHint': 'A category sits at the top or inside a group of the same department.',
  'reference.slaDays': 'SLA (days to resolve)',
  'reference.slaHint': 'From 1 to 365 days.',
  'reference.keywords': 'Search words',
  'reference.keywordsHint':
    'Other words citizens may search for it by, in any language or spelling, separated by commas (pani, nalka, نلکا).',
  'reference.offeredCheck': 'Offered to citizens',
  'reference.groupWithdraws':
    'Withdrawing a group withdraws the categories inside it; moving it to another department moves them too.',
  'communications.title': 'Messages to citizens',
  'communications.intro':
    'A message reaches the Message Box of each citizen in the audience, in their language. One citizen receives it at once; a category or a district is delivered in the background.',
  'communications.new': 'Write a message',
  'communications.audience': 'Send to',
  'communications.toOneCitizen': 'One citizen',
  'communications.toAllOfCategory': 'Complainants of a category',
  'communications.toAllOfDistrict': 'Citizens of a district',
  'citizens.id': 'Citizen id',
  'citizens.idHint': 'As shown on a complaint’s complainant card, or chosen from a search.',
  'citizens.find': 'Find a citizen',
  'citizens.findHint': 'CNIC, mobile number, #id or part of the name.',
  'citizens.findButton': 'Find',
  'citizens.noneFound': 'No citizen found.',
  'citizens.citizen': 'Citizen',
  'citizens.mobile': 'Mobile',
  'citizens.status': 'Status',
  'citizens.choose': 'Choose',
  'citizens.chooseOne': 'Choose citizen {{id}}, {{name}}',
  'citizens.chosen': 'Chosen: {{name}} (#{{id}}, {{mobile}})',
  'communications.category': 'Category',
  'communications.categoryHint': 'Everyone who filed a complaint of this category or of one inside it.',
  'communications.district': 'District',
  'communications.languageHint': 'Write at least one title; a citizen reads their language, else English.',
  'communications.titleIn': 'Title ({{language}})',
  'communications.bodyIn': 'Message ({{language}})',
  'communications.send': 'Send message',
  'communications.delivered': 'Message {{id}} sent: delivered to {{count}}.',
  'communications.queued': 'Message {{id}} queued: it is delivered to the audience in the background.',
  'communications.sent': 'Messages sent',
  'communications.empty': 'No messages sent yet.',
  'communications.message': 'Message',
  'communications.to': 'Audience',
  'communications.author': 'Written by',
  'communications.date': 'Sent',
  'communications.delivery': 'Delivery',
  'communications.toCitizen': 'Citizen #{{id}}',
  'communications.toCategory': 'Complainants of {{name}}',
  'communications.toDistrict': 'Citizens of {{name}}',
  'communications.done': 'Delivered to {{count}}',
  'communications.inProgress': 'Delivering: {{count}} so far',
  'staff.title': 'Staff accounts',
  'staff.introAdmin':
    'Admins manage every account. Deactivating an account, or changing its role, department or districts, signs it out everywhere.',
  'staff.introSupervisor':
    'You manage the officers of your department in your districts. Deactivating an officer, or changing their districts, signs them out everywhere.',
  'staff.login': 'Login',
  'staff.loginHint': '3 to 64 letters, digits, dots, dashes or @.',
  'staff.name': 'Full name',
  'staff.password': 'Password',
  'staff.passwordHint': 'At least 8 characters; not a common password.',
  'staff.role': 'Role',
  'staff.roles.admin': 'Admin',
  'staff.roles.supervisor': 'Supervisor',
  'staff.roles.officer': 'Officer',
  'staff.districts': 'Districts',
  'staff.districtsHint': 'Officers work in one or more districts; a supervisor with none covers them all.',
  'staff.allDistricts': 'All',
  'staff.status': 'Status',
  'staff.active': 'Active',
  'staff.inactive': 'Deactivated',
  'staff.new': 'New staff account',
  'staff.create': 'Create account',
  'staff.created': 'Account “{{login}}” created. Give its holder the password in person.',
  'staff.edit': 'Edit {{login}}',
  'staff.editHeading': 'Edit {{login}}',
  'staff.saved': 'Account “{{login}}” saved.',
  'staff.deactivate': 'Deactivate {{login}}',
  'staff.reactivate': 'Reactivate {{login}}',
  'staff.deactivateConfirm': 'Deactivate {{login}}? They are signed out at once and cannot sign in again.',
  'staff.deactivated': 'Account “{{login}}” deactivated.',
  'staff.reactivated': 'Account “{{login}}” reactivated.',
  'staff.deactivateButton': 'Deactivate',
  'staff.reactivateButton': 'Reactivate',
  'staff.resetPassword': 'Reset password of {{login}}',
  'staff.resetButton': 'Reset password',
  'staff.resetHeading': 'New password for {{login}}',
  'staff.newPassword': 'New password',
  'staff.setPassword': 'Set password',
  'staff.passwordSet': 'New password set for “{{login}}”; their sessions ended.',
  'staff.you': '(you)',
  'staff.actions': 'Actions',
  'staff.empty': 'No staff accounts yet.',
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

/** The text of a key; `{{name}}` placeholders are filled from `values`. */
export function t(key: MessageKey, values?: Record<string, string | number>): string {
  if (translator) return translator.t(key, values);
  const text: string = en[key];
  return values ? text.replace(/\{\{(\w+)\}\}/g, (m, name: string) => String(values[name] ?? m)) : text;
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
