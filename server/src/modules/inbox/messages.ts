import type { Language } from '../../db/schema.js';

/**
 * Message Box titles per complaint event, in the citizen's language; `{tn}` is the tracking number.
 * Urdu and Pashto are written for people, not transliterated.
 */
export const EVENT_TITLES: Record<string, Record<Language, string>> = {
  submitted: {
    en: 'Complaint {tn} was received',
    ur: 'شکایت {tn} موصول ہو گئی',
    ps: 'شکایت {tn} ترلاسه شوه',
  },
  assigned: {
    en: 'Complaint {tn} was sent to the office that can act on it',
    ur: 'شکایت {tn} متعلقہ دفتر کو بھیج دی گئی',
    ps: 'شکایت {tn} اړوند دفتر ته ولیږل شوه',
  },
  forwarded: {
    en: 'Complaint {tn} was forwarded to another office',
    ur: 'شکایت {tn} دوسرے دفتر کو بھیج دی گئی',
    ps: 'شکایت {tn} بل دفتر ته ولیږل شوه',
  },
  in_progress: {
    en: 'Work has started on complaint {tn}',
    ur: 'شکایت {tn} پر کام شروع ہو گیا',
    ps: 'پر شکایت {tn} کار پیل شو',
  },
  reply: {
    en: 'New message about complaint {tn}',
    ur: 'شکایت {tn} کے بارے میں نیا پیغام',
    ps: 'د شکایت {tn} په اړه نوی پیغام',
  },
  resolved: {
    en: 'Complaint {tn} was resolved: please confirm',
    ur: 'شکایت {tn} حل کر دی گئی: براہ کرم تصدیق کریں',
    ps: 'شکایت {tn} حل شوه: مهرباني وکړئ تایید یې کړئ',
  },
  reopened: {
    en: 'Complaint {tn} was reopened',
    ur: 'شکایت {tn} دوبارہ کھول دی گئی',
    ps: 'شکایت {tn} بیا پرانیستل شوه',
  },
  closed: {
    en: 'Complaint {tn} was closed',
    ur: 'شکایت {tn} بند کر دی گئی',
    ps: 'شکایت {tn} وتړل شوه',
  },
  rejected: {
    en: 'Complaint {tn} was not accepted',
    ur: 'شکایت {tn} قبول نہیں کی گئی',
    ps: 'شکایت {tn} ونه منل شوه',
  },
  escalated: {
    en: 'Complaint {tn} was escalated to a senior officer',
    ur: 'شکایت {tn} اعلیٰ افسر کو بھیج دی گئی',
    ps: 'شکایت {tn} لوړ پوړي افسر ته ولیږل شوه',
  },
  merged: {
    en: 'Complaint {tn} was joined with the same complaint by others',
    ur: 'شکایت {tn} دوسروں کی اسی شکایت کے ساتھ ملا دی گئی',
    ps: 'شکایت {tn} د نورو له ورته شکایت سره یوځای شوه',
  },
  supported_resolved: {
    en: 'A complaint you supported ({tn}) was resolved',
    ur: 'جس شکایت ({tn}) کی آپ نے تائید کی تھی وہ حل ہو گئی',
    ps: 'هغه شکایت ({tn}) چې تاسو ملاتړ کړی و حل شو',
  },
  updated: {
    en: 'Complaint {tn} was updated',
    ur: 'شکایت {tn} میں تبدیلی ہوئی',
    ps: 'شکایت {tn} کې بدلون راغی',
  },
};

export function eventTitle(type: string, language: Language, trackingNumber: string): string {
  const entry = EVENT_TITLES[type] ?? EVENT_TITLES.updated!;
  return entry[language].replace('{tn}', trackingNumber);
}
