import { describe, expect, it } from 'vitest';
import { resolveRange } from './range.js';

describe('resolveRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    [' BYTES = 5 - 9 ', { start: 5, end: 9 }],
  ])('reads %j of a 1000-byte file', (header, range) => {
    expect(resolveRange(header, 1000)).toEqual(range);
  });

  it.each([
    'bytes=1000-',
    'bytes=5000-6000',
    'bytes=9-5',
    'bytes=-0',
    'bytes=-',
    'bytes=a-b',
    'bytes=1-2-3',
    'bytes=99999999999999999999-',
  ])('answers 416 to %j', (header) => {
    expect(resolveRange(header, 1000)).toBe('unsatisfiable');
  });

  it.each([undefined, 'items=0-10', 'bytes=0-1,5-9', 'nonsense'])(
    'serves the whole file for %j',
    (header) => {
      expect(resolveRange(header, 1000)).toBeNull();
    },
  );

  it('has no satisfiable range in an empty file', () => {
    expect(resolveRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(resolveRange('bytes=-10', 0)).toBe('unsatisfiable');
  });
});
