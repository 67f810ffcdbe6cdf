import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Urdu/Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII: phones' keyboards type either. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/** 13 digits, typed plain or as 12345-1234567-1, in any digit script; anything else is null. */
export function parseCnic(input: string): string | null {
  const s = toAsciiDigits(input).trim().replace(/\s+/g, '');
  if (/^\d{13}$/.test(s)) return s;
  const m = /^(\d{5})-(\d{7})-(\d)$/.exec(s);
  return m ? `${m[1]}${m[2]}${m[3]}` : null;
}

export function formatCnic(digits: string): string {
  return `${digits.slice(0, 5)}-${digits.slice(5, 12)}-${digits.slice(12)}`;
}

/** 17301-*******-3: enough for a person to recognise their own, not enough to use. */
export function maskCnic(digits: string): string {
  return `${digits.slice(0, 5)}-*******-${digits.slice(12)}`;
}

export type MobileResult = { e164: string } | { error: 'invalid' | 'not_mobile' };

/**
 * E.164 for a mobile number. Pakistani numbers may be typed as 0300..., 300..., +92..., 0092...; they must be
 * mobiles (+92 3xx). Numbers abroad (overseas Pakistanis) are accepted when valid mobiles there.
 */
export function normalizeMobile(input: string, defaultCountry: 'PK' = 'PK'): MobileResult {
  let s = toAsciiDigits(input)
    .trim()
    .replace(/[\s\-().]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!/^\+?\d{6,16}$/.test(s)) return { error: 'invalid' };
  // "3001234567" without the leading 0 is how many people type a Pakistani mobile.
  if (/^3\d{9}$/.test(s)) s = `0${s}`;
  const phone = parsePhoneNumberFromString(s, defaultCountry);
  if (!phone?.isValid()) return { error: 'invalid' };
  const type = phone.getType();
  if (phone.country === 'PK' || phone.countryCallingCode === '92') {
    return type === 'MOBILE' ? { e164: phone.number } : { error: 'not_mobile' };
  }
  if (
    type !== undefined &&
    type !== 'MOBILE' &&
    type !== 'FIXED_LINE_OR_MOBILE' &&
    type !== 'PERSONAL_NUMBER'
  ) {
    return { error: 'not_mobile' };
  }
  return { e164: phone.number };
}

export function maskMobile(e164: string): string {
  return `${e164.slice(0, 6)}${'*'.repeat(Math.max(0, e164.length - 8))}${e164.slice(-2)}`;
}
