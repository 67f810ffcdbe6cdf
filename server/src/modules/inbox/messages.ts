import type { ComplaintStatus, Language } from '../../db/schema.js';

/**
 * Message Box titles per complaint event, in the citizen's language; `{tn}` is the tracking number.
 * Urdu and Pashto are written for people, not transliterated: Pashto with its own letters (ړ ږ ځ ښ ګ ې),
 * Urdu with its own (ہ ے ں ٹ ڈ ڑ گ). `updated` is the fallback for an event type without its own entry.
 */
export const EVENT_TITLES = {
  submitted: {
    en: 'Complaint {tn} was received',
    ur: 'آپ کی شکایت {tn} موصول ہو گئی ہے',
    ps: 'ستاسو شکایت {tn} ترلاسه شو',
  },
  assigned: {
    en: 'Complaint {tn} was sent to the office that can act on it',
    ur: 'شکایت {tn} متعلقہ دفتر کو بھیج دی گئی ہے',
    ps: 'شکایت {tn} اړوند دفتر ته ولیږل شو',
  },
  forwarded: {
    en: 'Complaint {tn} was forwarded to another office',
    ur: 'شکایت {tn} دوسرے دفتر کو منتقل کر دی گئی ہے',
    ps: 'شکایت {tn} بل دفتر ته ولیږدول شو',
  },
  in_progress: {
    en: 'Work has started on complaint {tn}',
    ur: 'شکایت {tn} پر کام شروع ہو گیا ہے',
    ps: 'په شکایت {tn} کار پیل شو',
  },
  reply: {
    en: 'New message about complaint {tn}',
    ur: 'شکایت {tn} کے بارے میں نیا پیغام',
    ps: 'د شکایت {tn} په اړه نوی پیغام',
  },
  resolved: {
    en: 'Complaint {tn} was resolved: please confirm',
    ur: 'شکایت {tn} حل کر دی گئی ہے: براہ کرم تصدیق کریں',
    ps: 'شکایت {tn} حل شو: مهرباني وکړئ تایید یې کړئ',
  },
  reopened: {
    en: 'Complaint {tn} was reopened',
    ur: 'شکایت {tn} دوبارہ کھول دی گئی ہے',
    ps: 'شکایت {tn} بیا پرانیستل شو',
  },
  closed: {
    en: 'Complaint {tn} was closed',
    ur: 'شکایت {tn} بند کر دی گئی ہے',
    ps: 'شکایت {tn} وتړل شو',
  },
  rejected: {
    en: 'Complaint {tn} was not accepted',
    ur: 'شکایت {tn} قبول نہیں کی گئی',
    ps: 'شکایت {tn} ونه منل شو',
  },
  escalated: {
    en: 'Complaint {tn} was escalated to a senior officer',
    ur: 'شکایت {tn} اعلیٰ افسر کو بھیج دی گئی ہے',
    ps: 'شکایت {tn} لوړ پوړي چارواکي ته ولیږل شو',
  },
  merged: {
    en: 'Complaint {tn} was joined with the same complaint by others',
    ur: 'شکایت {tn} دوسرے شہریوں کی اسی شکایت کے ساتھ ملا دی گئی ہے',
    ps: 'شکایت {tn} د نورو خلکو له ورته شکایت سره یوځای شو',
  },
  supported_resolved: {
    en: 'A complaint you supported ({tn}) was resolved',
    ur: 'جس شکایت ({tn}) کی آپ نے تائید کی تھی وہ حل ہو گئی ہے',
    ps: 'هغه شکایت ({tn}) چې تاسو یې ملاتړ کړی و، حل شو',
  },
  updated: {
    en: 'There is news about complaint {tn}',
    ur: 'شکایت {tn} کے بارے میں نئی اطلاع',
    ps: 'د شکایت {tn} په اړه نوی خبر',
  },
} as const satisfies Record<string, Record<Language, string>>;

export type TitledEvent = keyof typeof EVENT_TITLES;

const isTitled = (t: string): t is TitledEvent => Object.hasOwn(EVENT_TITLES, t);

/**
 * The title for an event: by its type; else by the status it moved to (a `closed` by the deadline sweep
 * and one by an admin read alike); else the generic one.
 */
export function eventTitle(
  e: { type: string; toStatus: ComplaintStatus | null },
  language: Language,
  trackingNumber: string,
): string {
  const key = isTitled(e.type) ? e.type : e.toStatus && isTitled(e.toStatus) ? e.toStatus : 'updated';
  return EVENT_TITLES[key][language].replace('{tn}', trackingNumber);
}
