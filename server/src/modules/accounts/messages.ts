import type { Language } from '../../db/schema.js';

type CodeText = (code: string, minutes: number) => string;

// Each starts with the portal's name, so that the phone's preview shows who sent it. Gateways bill by the
// segment: English is GSM text (160 characters a segment), Urdu and Pashto go as Unicode (70 a segment, 67 when
// split). Every verification code fits one segment; a reset code, with its "ignore this" line, two.
const minutesEn = (m: number) => `${m} minute${m === 1 ? '' : 's'}`;
// "for N minutes" takes the oblique case in Pashto.
const minutesPs = (m: number) => (m === 1 ? '1 دقیقې' : `${m} دقیقو`);

const VERIFY: Record<Language, CodeText> = {
  en: (code, m) =>
    `Citizen Portal: your code is ${code}. Valid for ${minutesEn(m)}. Do not share it with anyone.`,
  ur: (code, m) => `سٹیزن پورٹل: آپ کا کوڈ ${code} ہے۔ ${m} منٹ کے لیے۔ کسی کو نہ بتائیں۔`,
  ps: (code, m) =>
    `سیټیزن پورټل: ستاسو کوډ ${code} دی. ${m === 1 ? '1 دقیقه' : `${m} دقیقې`}. هېچا ته یې مه ورکوئ.`,
};

const RESET: Record<Language, CodeText> = {
  en: (code, m) =>
    `Citizen Portal: your password reset code is ${code}. Valid for ${minutesEn(m)}. Do not share it. ` +
    'If you did not ask for it, ignore this.',
  ur: (code, m) =>
    `سٹیزن پورٹل: پاس ورڈ بدلنے کا کوڈ ${code} ہے۔ ${m} منٹ کے لیے کارآمد۔ کسی کو نہ بتائیں۔ ` +
    'اگر آپ نے نہیں مانگا تو نظر انداز کریں۔',
  ps: (code, m) =>
    `سیټیزن پورټل: د پاسورډ بدلولو کوډ ${code} دی. د ${minutesPs(m)} لپاره دی. هېچا ته یې مه ورکوئ. ` +
    'که مو نه وي غوښتی، پام مه کوئ.',
};

const EMAIL_SUBJECT: Record<Language, string> = {
  en: 'Your Citizen Portal code',
  ur: 'آپ کا سٹیزن پورٹل کوڈ',
  ps: 'ستاسو د سیټیزن پورټل کوډ',
};

const EMAIL_FOOTER: Record<Language, string> = {
  en: 'You asked for this code on the Citizen Portal. If you did not, ignore this email.',
  ur: 'آپ نے یہ کوڈ سٹیزن پورٹل پر مانگا تھا۔ اگر آپ نے نہیں مانگا تو اس ای میل کو نظر انداز کریں۔',
  ps: 'تاسو دا کوډ په سیټیزن پورټل کې غوښتی و. که مو نه وي غوښتی، دا برېښنالیک پرېږدئ.',
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
  return { subject: EMAIL_SUBJECT[lang], text: `${VERIFY[lang](code, minutes)}\n\n${EMAIL_FOOTER[lang]}` };
}
