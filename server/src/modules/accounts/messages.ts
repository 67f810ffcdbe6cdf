import type { Language } from '../../db/schema.js';

// Short enough for one SMS segment in English; Urdu and Pashto go as Unicode (70 characters a segment).
const VERIFY: Record<Language, (code: string, minutes: number) => string> = {
  en: (code, m) => `Citizen Portal code: ${code}. Valid ${m} min. Do not share it with anyone.`,
  ur: (code, m) => `سٹیزن پورٹل کوڈ: ${code}۔ ${m} منٹ کے لیے۔ کسی کو نہ بتائیں۔`,
  ps: (code, m) => `د سیټیزن پورټل کوډ: ${code}. ${m} دقیقې. هېچا ته یې مه وایاست.`,
};

const RESET: Record<Language, (code: string, minutes: number) => string> = {
  en: (code, m) => `Citizen Portal password reset code: ${code}. Valid ${m} min. Do not share it.`,
  ur: (code, m) => `سٹیزن پورٹل پاس ورڈ کوڈ: ${code}۔ ${m} منٹ کے لیے۔ کسی کو نہ بتائیں۔`,
  ps: (code, m) => `د سیټیزن پورټل پاسورډ کوډ: ${code}. ${m} دقیقې. هېچا ته یې مه وایاست.`,
};

const EMAIL_SUBJECT: Record<Language, string> = {
  en: 'Your Citizen Portal code',
  ur: 'آپ کا سٹیزن پورٹل کوڈ',
  ps: 'ستاسو د سیټیزن پورټل کوډ',
};

export function verificationCodeText(lang: Language, code: string, minutes: number): string {
  return VERIFY[lang](code, minutes);
}

export function passwordResetCodeText(lang: Language, code: string, minutes: number): string {
  return RESET[lang](code, minutes);
}

export function verificationEmail(
  lang: Language,
  code: string,
  minutes: number,
): { subject: string; text: string } {
  return {
    subject: EMAIL_SUBJECT[lang],
    text: `${VERIFY[lang](code, minutes)}\n\n${
      lang === 'en'
        ? 'You asked for this code on the Citizen Portal. If you did not, ignore this email.'
        : lang === 'ur'
          ? 'آپ نے یہ کوڈ سٹیزن پورٹل پر مانگا تھا۔ اگر آپ نے نہیں مانگا تو اس ای میل کو نظر انداز کریں۔'
          : 'تاسو دا کوډ په سیټیزن پورټل کې غوښتی و. که مو نه وي غوښتی، دا برېښنالیک پرېږدئ.'
    }`,
  };
}
