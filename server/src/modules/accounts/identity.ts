import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Urdu/Persian (U+06F0..) and Arabic-Indic (U+0660..) digits to ASCII: phones' keyboards type either. */
export function toAsciiDigits(s: string): string {
  return s.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

// Text pasted from Urdu or Pashto carries invisible direction marks and zero-width joiners around the digits,
// and some keyboards type a Unicode hyphen or minus for the dash.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const DASHES = /[\u2010-\u2015\u2212\ufe63\uff0d]/g;

function clean(input: string): string {
  return toAsciiDigits(input).replace(INVISIBLE, '').replace(DASHES, '-').trim();
}

/** 13 digits, typed plain or as 12345-1234567-1, in any of the three digit scripts; anything else is null. */
export function parseCnic(input: string): string | null {
  const s = clean(input);
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
 * mobiles (+92 3xx). Numbers abroad (overseas Pakistanis) are accepted when they are mobiles there; where the
 * numbering plan cannot tell (the US and Canada) a fixed-line-or-mobile number is accepted too.
 */
export function normalizeMobile(input: string, defaultCountry: CountryCode = 'PK'): MobileResult {
  let s = clean(input).replace(/[\s\-().]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (!/^\+?\d{6,16}$/.test(s)) return { error: 'invalid' };
  // "3001234567" without the leading 0 is how many people type a Pakistani mobile.
  if (defaultCountry === 'PK' && /^3\d{9}$/.test(s)) s = `0${s}`;
  const phone = parsePhoneNumberFromString(s, defaultCountry);
  if (!phone?.isValid()) return { error: 'invalid' };
  const type = phone.getType();
  if (phone.countryCallingCode === '92') {
    return type === 'MOBILE' ? { e164: phone.number } : { error: 'not_mobile' };
  }
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE'
    ? { e164: phone.number }
    : { error: 'not_mobile' };
}

/** +92300*****67: the network prefix and the last two digits, for "we sent a code to ...". */
export function maskMobile(e164: string): string {
  return `${e164.slice(0, 6)}${'*'.repeat(Math.max(0, e164.length - 8))}${e164.slice(-2)}`;
}
