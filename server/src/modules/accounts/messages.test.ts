import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { Language } from '../../db/schema.js';
import { passwordResetCodeText, verificationCodeText, verificationEmail } from './messages.js';

const LANGUAGES: Language[] = ['en', 'ur', 'ps'];
const NAME: Record<Language, string> = { en: 'Citizen Portal', ur: 'سٹیزن پورٹل', ps: 'سیټیزن پورټل' };

// The GSM 03.38 default alphabet, and the extension characters that cost two septets each.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** Septets in GSM 7-bit encoding, or null when the text needs Unicode. */
function gsmLength(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) n += 1;
    else if (GSM_EXTENDED.includes(ch)) n += 2;
    else return null;
  }
  return n;
}

const code = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 });
const minutes = fc.integer({ min: 1, max: 60 });

describe('SMS code texts', () => {
  it('carry the code and start with the portal name in every language', () => {
    fc.assert(
      fc.property(code, minutes, fc.constantFrom(...LANGUAGES), (c, m, lang) => {
        for (const text of [verificationCodeText(lang, c, m), passwordResetCodeText(lang, c, m)]) {
          expect(text.startsWith(NAME[lang])).toBe(true);
          expect(text).toContain(c);
          expect(text).toContain(String(m));
          // Exactly one six-digit run, so that phones offer the right number to copy.
          expect(text.match(/(?<!\d)\d{6}(?!\d)/g)).toEqual([c]);
        }
      }),
    );
  });

  it('say not to share the code', () => {
    expect(verificationCodeText('en', '123456', 5)).toMatch(/do not share/i);
    expect(passwordResetCodeText('en', '123456', 5)).toMatch(/do not share/i);
    expect(verificationCodeText('ur', '123456', 5)).toContain('کسی کو نہ بتائیں');
    expect(passwordResetCodeText('ur', '123456', 5)).toContain('کسی کو نہ بتائیں');
    expect(verificationCodeText('ps', '123456', 5)).toContain('هېچا ته یې مه ورکوئ');
    expect(passwordResetCodeText('ps', '123456', 5)).toContain('هېچا ته یې مه ورکوئ');
  });

  it('English fits one 160-character GSM segment', () => {
    fc.assert(
      fc.property(code, minutes, (c, m) => {
        for (const text of [verificationCodeText('en', c, m), passwordResetCodeText('en', c, m)]) {
          const septets = gsmLength(text);
          expect(septets, text).not.toBeNull();
          expect(septets!).toBeLessThanOrEqual(160);
        }
      }),
    );
    expect(verificationCodeText('en', '123456', 1)).toContain('1 minute.');
    expect(verificationCodeText('en', '123456', 5)).toContain('5 minutes.');
  });

  it('Urdu and Pashto fit one Unicode segment for a verification code, two for a reset', () => {
    fc.assert(
      fc.property(code, minutes, fc.constantFrom<Language>('ur', 'ps'), (c, m, lang) => {
        // Every character is in the Basic Multilingual Plane, so UTF-16 length is the UCS-2 count gateways bill.
        expect(verificationCodeText(lang, c, m).length).toBeLessThanOrEqual(70);
        expect(passwordResetCodeText(lang, c, m).length).toBeLessThanOrEqual(2 * 67);
      }),
    );
  });
});

describe('verificationEmail', () => {
  it('has a subject and a text carrying the code in every language', () => {
    for (const lang of LANGUAGES) {
      const mail = verificationEmail(lang, '482910', 5);
      expect(mail.subject).toContain(NAME[lang]);
      expect(mail.text.startsWith(NAME[lang])).toBe(true);
      expect(mail.text).toContain('482910');
      expect(mail.subject).not.toContain('482910');
    }
  });
});
