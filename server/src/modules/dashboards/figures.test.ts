import { describe, expect, it } from 'vitest';
import { escapeXml, toXml } from '../open311/xml.js';
import { toCsv } from './csv.js';
import { histogramBucket, weekOf } from './rollup.js';
import { leagueScore, percentileHours, segmentsOf } from './service.js';

const days = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

describe('dashboard arithmetic', () => {
  it('cuts a range into whole months, whole weeks and edge days that cover it exactly once', () => {
    for (const [from, to] of [
      ['2026-01-01', '2027-01-01'],
      ['2025-11-13', '2026-11-30'],
      ['2026-03-05', '2026-03-06'],
      ['2026-02-23', '2026-03-09'],
      ['2024-02-27', '2024-03-31'],
    ] as const) {
      const segments = segmentsOf(from, to);
      let cursor: string = from;
      let covered = 0;
      for (const s of segments) {
        expect(s.from).toBe(cursor);
        if (s.period === 'm') expect(s.from.endsWith('-01') && s.to.endsWith('-01')).toBe(true);
        if (s.period === 'w') expect(weekOf(s.from)).toBe(s.from);
        covered += days(s.from, s.to);
        cursor = s.to;
      }
      expect(cursor).toBe(to);
      expect(covered).toBe(days(from, to));
    }
    // A year is a dozen month runs and a few edges, not 365 days.
    expect(segmentsOf('2025-11-13', '2026-11-30').length).toBeLessThanOrEqual(6);
  });

  it('weeks start on Monday', () => {
    expect(weekOf('2026-11-29')).toBe('2026-11-23'); // a Sunday
    expect(weekOf('2026-11-23')).toBe('2026-11-23');
  });

  it('reads the median and 90th percentile from the histogram', () => {
    expect(histogramBucket(30 * 60)).toBe(0);
    expect(histogramBucket(3 * 86_400)).toBe(6);
    expect(histogramBucket(100 * 86_400)).toBe(13);
    const hist = Array(14).fill(0);
    hist[3] = 10; // 12 to 24 hours
    expect(percentileHours(hist, 0.5)).toBe(18);
    expect(percentileHours(hist, 0.9)).toBe(22.8);
    expect(percentileHours(Array(14).fill(0), 0.5)).toBeNull();
    const slow = Array(14).fill(0);
    slow[13] = 1;
    expect(percentileHours(slow, 0.5)).toBe(1440);
  });

  it('scores the league by confirmed satisfaction and timeliness', () => {
    expect(
      leagueScore({ satisfied: 3, dissatisfied: 1, closed_no_feedback: 0, sla_met: 1, sla_missed: 1 }).score,
    ).toBe(65);
    expect(leagueScore({ sla_met: 1, sla_missed: 3 }).score).toBe(25);
    expect(leagueScore({}).score).toBeNull();
  });

  it('CSV quotes what needs quoting and defuses formulas', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          { a: 'x,y', b: '=HYPERLINK("http://evil")' },
          { a: 'line\nbreak', b: -3 },
        ],
      ),
    ).toBe('a,b\r\n"x,y","\'=HYPERLINK(""http://evil"")"\r\n"line\nbreak",-3\r\n');
  });

  it('XML escapes text and drops characters XML cannot carry', () => {
    expect(escapeXml('<a href="x">&\'\u0001')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(toXml('errors', [{ code: 400, description: 'a < b' }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>400</code><description>a &lt; b</description></error></errors>',
    );
  });
});
