import { describe, expect, it } from 'vitest';
import { asTrackingNumber, ftsMatchExpression } from './search.js';

describe('search text', () => {
  it('quotes every word, so FTS5 operators and syntax are read as words', () => {
    expect(ftsMatchExpression('broken pipe')).toBe('"broken" "pipe"');
    expect(ftsMatchExpression('a OR b NEAR(c)')).toBe('"a" "OR" "b" "NEAR(c)"');
    expect(ftsMatchExpression('say "hello"')).toBe('"say" """hello"""');
    expect(ftsMatchExpression('pipe* ^x col:y')).toBe('"pipe*" "^x" "col:y"');
    expect(ftsMatchExpression('  KP-2026-000123 ')).toBe('"KP-2026-000123"');
    expect(ftsMatchExpression('پانی نہیں')).toBe('"پانی" "نہیں"');
  });

  it('drops pieces without a letter or digit; nothing searchable is null', () => {
    expect(ftsMatchExpression('* " ( ) -')).toBeNull();
    expect(ftsMatchExpression('   ')).toBeNull();
    expect(ftsMatchExpression('pipe * "')).toBe('"pipe"');
  });

  it('keeps at most 16 words', () => {
    expect(
      ftsMatchExpression(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))!.split(' '),
    ).toHaveLength(16);
  });

  it('recognises a whole tracking number', () => {
    expect(asTrackingNumber(' kp-2026-000123 ')).toBe('KP-2026-000123');
    expect(asTrackingNumber('KP-2026-1234567')).toBe('KP-2026-1234567');
    expect(asTrackingNumber('KP-2026-000123 water')).toBeNull();
    expect(asTrackingNumber('2026-000123')).toBeNull();
  });
});
