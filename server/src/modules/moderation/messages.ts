import type { Language } from '../../db/schema.js';

/** What a citizen reads in the Message Box when an admin warns, blocks or unblocks them. */
export const SANCTION_TITLES: Record<'warning' | 'blocked' | 'unblocked', Record<Language, string>> = {
  warning: {
    en: 'Warning: material you uploaded breaks the portal\u2019s rules',
    ur: 'انتباہ: آپ کا اپ لوڈ کردہ مواد پورٹل کے قواعد کی خلاف ورزی ہے',
    ps: 'خبرداری: ستاسو پورته شوی مواد د پورټل له قواعدو سره سم نه دي',
  },
  blocked: {
    en: 'Your account can no longer file complaints',
    ur: 'آپ کا اکاؤنٹ اب شکایات درج نہیں کر سکتا',
    ps: 'ستاسو حساب نور شکایتونه نشي ثبتولای',
  },
  unblocked: {
    en: 'You can file complaints again',
    ur: 'آپ دوبارہ شکایات درج کر سکتے ہیں',
    ps: 'تاسو بیا شکایتونه ثبتولای شئ',
  },
};
