import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { formatCnic, maskCnic, maskMobile, normalizeMobile, parseCnic, toAsciiDigits } from './identity.js';

const URDU = '۰۱۲۳۴۵۶۷۸۹';
const ARABIC = '٠١٢٣٤٥٦٧٨٩';
const toScript = (ascii: string, script: string) => ascii.replace(/\d/g, (d) => script[Number(d)]!);

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const cnicDigits = digits(13);
// Pakistani mobile prefixes from the numbering plan: 30x-32x, 34x, 37x, 33x (not 338), 355, 364.
const pkMobile = fc
  .tuple(fc.constantFrom('300', '301', '315', '321', '333', '345', '355', '364', '370'), digits(7))
  .map(([prefix, rest]) => `${prefix}${rest}`);

describe('toAsciiDigits', () => {
  it('maps both Arabic-script digit sets to ASCII', () => {
    expect(toAsciiDigits(URDU)).toBe('0123456789');
    expect(toAsciiDigits(ARABIC)).toBe('0123456789');
    expect(toAsciiDigits('کوڈ ۱۲۳ abc ٤٥')).toBe('کوڈ 123 abc 45');
  });

  it('is the inverse of writing ASCII digits in either script, and idempotent', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(URDU, ARABIC), (s, script) => {
        const once = toAsciiDigits(toScript(s, script));
        expect(once).toBe(toAsciiDigits(s));
        expect(toAsciiDigits(once)).toBe(once);
      }),
    );
  });

  it('leaves text without those digits alone', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/[\u0660-\u0669\u06f0-\u06f9]/.test(s));
        expect(toAsciiDigits(s)).toBe(s);
      }),
    );
  });
});

describe('parseCnic', () => {
  it('accepts the forms people type', () => {
    expect(parseCnic('1730112345673')).toBe('1730112345673');
    expect(parseCnic('17301-1234567-3')).toBe('1730112345673');
    expect(parseCnic('  17301-1234567-3 \n')).toBe('1730112345673');
    expect(parseCnic('۱۷۳۰۱-۱۲۳۴۵۶۷-۳')).toBe('1730112345673');
    expect(parseCnic('١٧٣٠١١٢٣٤٥٦٧٣')).toBe('1730112345673');
    // Pasted from right-to-left text, or typed with a Unicode hyphen.
    expect(parseCnic('\u200f17301-1234567-3\u200e')).toBe('1730112345673');
    expect(parseCnic('17301\u20101234567\u20133')).toBe('1730112345673');
  });

  it('refuses everything else', () => {
    for (const bad of [
      '',
      '173011234567',
      '17301123456733',
      '17301-1234567-33',
      '1730-11234567-3',
      '17301-123456-73',
      '173011234567-3',
      '17301--1234567-3',
      '-1730112345673',
      '17301-1234567-3-',
      '17301 1234567 3',
      '1730112345 673',
      '17301-1234567-X',
      'abcde-fghijkl-m',
      '+1730112345673',
      '1730112345673.0',
      '１７３０１１２３４５６７３',
    ]) {
      expect(parseCnic(bad), bad).toBeNull();
    }
  });

  it('reads 13 digits in every accepted form, in every script', () => {
    fc.assert(
      fc.property(
        cnicDigits,
        fc.boolean(),
        fc.constantFrom('0123456789', URDU, ARABIC),
        fc.constantFrom('', ' ', '\t '),
        (d, dashed, script, pad) => {
          const typed = toScript(dashed ? formatCnic(d) : d, script);
          expect(parseCnic(`${pad}${typed}${pad}`)).toBe(d);
        },
      ),
    );
  });

  it('refuses any other number of digits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 30 }).filter((d) => d.length !== 13),
        (d) => {
          expect(parseCnic(d)).toBeNull();
        },
      ),
    );
  });

  it('refuses a dash anywhere but after the 5th and 12th digits', () => {
    fc.assert(
      fc.property(cnicDigits, fc.integer({ min: 0, max: 13 }), (d, at) => {
        fc.pre(at !== 5 && at !== 12);
        expect(parseCnic(`${d.slice(0, at)}-${d.slice(at)}`)).toBeNull();
      }),
    );
  });
});

describe('formatCnic and maskCnic', () => {
  it('formats and masks', () => {
    expect(formatCnic('1730112345673')).toBe('17301-1234567-3');
    expect(maskCnic('1730112345673')).toBe('17301-*******-3');
  });

  it('masking hides the seven middle digits and keeps the shape', () => {
    fc.assert(
      fc.property(cnicDigits, (d) => {
        const masked = maskCnic(d);
        expect(masked).toMatch(/^\d{5}-\*{7}-\d$/);
        expect(masked.slice(0, 5)).toBe(d.slice(0, 5));
        expect(masked.endsWith(d[12]!)).toBe(true);
        expect(parseCnic(formatCnic(d))).toBe(d);
      }),
    );
  });
});

describe('normalizeMobile', () => {
  it('reads a Pakistani mobile however it is typed', () => {
    for (const typed of [
      '03001234567',
      '3001234567',
      '+923001234567',
      '00923001234567',
      '923001234567',
      '0300 1234567',
      '0300-1234567',
      '+92 300 123 4567',
      '+92-300-1234567',
      '(0300) 1234567',
      ' 0092 300 1234567 ',
      '۰۳۰۰۱۲۳۴۵۶۷',
      '٠٣٠٠-١٢٣٤٥٦٧',
      '\u200e+92 300 1234567\u200f',
    ]) {
      expect(normalizeMobile(typed), typed).toEqual({ e164: '+923001234567' });
    }
  });

  it('accepts overseas mobiles', () => {
    expect(normalizeMobile('+44 7911 123456')).toEqual({ e164: '+447911123456' });
    expect(normalizeMobile('00971 50 123 4567')).toEqual({ e164: '+971501234567' });
    expect(normalizeMobile('+966 50 123 4567')).toEqual({ e164: '+966501234567' });
    // North American numbers cannot be told apart: fixed-line-or-mobile is enough.
    expect(normalizeMobile('+1 201 555 0123')).toEqual({ e164: '+12015550123' });
  });

  it('refuses Pakistani landlines and other non-mobiles', () => {
    expect(normalizeMobile('021 35123456')).toEqual({ error: 'not_mobile' });
    expect(normalizeMobile('+92 51 2345678')).toEqual({ error: 'not_mobile' });
    expect(normalizeMobile('0800 12345')).toEqual({ error: 'not_mobile' });
    expect(normalizeMobile('+44 20 7946 0958')).toEqual({ error: 'not_mobile' });
    expect(normalizeMobile('+1 800 555 0199')).toEqual({ error: 'not_mobile' });
  });

  it('refuses what is not a phone number', () => {
    for (const bad of [
      '',
      '   ',
      '0300123456',
      '030012345678',
      '+923001234',
      '0300-CALL-ME',
      '03001234567 ext 5',
      '+92 300 1234567; DROP',
      '1234',
      '+',
      '+44 7700 900123',
      '9'.repeat(40),
    ]) {
      expect(normalizeMobile(bad), bad).toEqual({ error: 'invalid' });
    }
  });

  it('gives one E.164 for every way of typing a Pakistani mobile', () => {
    fc.assert(
      fc.property(
        pkMobile,
        fc.constantFrom('0', '', '+92', '0092', '92', '+92 ', '+92-'),
        fc.constantFrom('0123456789', URDU, ARABIC),
        (n, prefix, script) => {
          const typed = toScript(`${prefix}${n.slice(0, 3)} ${n.slice(3)}`, script);
          expect(normalizeMobile(typed)).toEqual({ e164: `+92${n}` });
        },
      ),
    );
  });

  it('never throws and answers E.164 or an error for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789+- ()') })), (s) => {
        const r = normalizeMobile(s);
        if ('e164' in r) expect(r.e164).toMatch(/^\+[1-9]\d{6,14}$/);
        else expect(['invalid', 'not_mobile']).toContain(r.error);
      }),
    );
  });
});

describe('maskMobile', () => {
  it('keeps the network prefix and the last two digits', () => {
    expect(maskMobile('+923001234567')).toBe('+92300*****67');
    expect(maskMobile('+447911123456')).toBe('+44791*****56');
  });
});
