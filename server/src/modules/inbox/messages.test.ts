import { describe, expect, it } from 'vitest';
import { EVENT_TITLES, eventTitle } from './messages.js';

const LANGUAGES = ['en', 'ur', 'ps'] as const;
const TN = 'KP-2026-000123';
// Letters only Pashto writes, and letters only Urdu writes: a title in the wrong one is the other language.
const PASHTO_ONLY = /[ټځډړږښګڼې]/;
const URDU_ONLY = /[ہےںٹڈڑگ]/;
const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

describe('Message Box titles', () => {
  it('has an entry for every public complaint event, and a fallback', () => {
    for (const type of [
      'submitted',
      'assigned',
      'forwarded',
      'in_progress',
      'reply',
      'resolved',
      'reopened',
      'closed',
      'rejected',
      'escalated',
      'merged',
      'supported_resolved',
      'updated',
    ]) {
      expect(Object.keys(EVENT_TITLES), type).toContain(type);
    }
  });

  it('has every entry in English, Urdu and Pashto, each naming the tracking number', () => {
    for (const [type, titles] of Object.entries(EVENT_TITLES)) {
      for (const lang of LANGUAGES) {
        const title = eventTitle({ type, toStatus: null }, lang, TN);
        expect(title, `${type}.${lang}`).toContain(TN);
        expect(title, `${type}.${lang}`).not.toContain('{');
        expect(titles[lang].trim(), `${type}.${lang}`).toBe(titles[lang]);
      }
      expect(titles.en, type).not.toMatch(ARABIC_SCRIPT);
      expect(titles.ur, type).toMatch(ARABIC_SCRIPT);
      expect(titles.ps, type).toMatch(ARABIC_SCRIPT);
      expect(titles.ur, `${type}.ur uses Pashto letters`).not.toMatch(PASHTO_ONLY);
      expect(titles.ps, `${type}.ps uses Urdu letters`).not.toMatch(URDU_ONLY);
      expect(titles.ps, type).not.toBe(titles.ur);
    }
    // Pashto as Pashto is written, not Urdu or Persian spelling.
    const pashto = Object.values(EVENT_TITLES)
      .map((t) => t.ps)
      .join(' ');
    for (const letter of ['ړ', 'ږ', 'ځ', 'ې']) expect(pashto).toContain(letter);
  });

  it('picks the title by event type, then by the new status, then the fallback', () => {
    expect(eventTitle({ type: 'resolved', toStatus: 'resolved' }, 'en', TN)).toBe(
      `Complaint ${TN} was resolved: please confirm`,
    );
    // Supporters are told of the resolution, not asked to confirm it.
    expect(eventTitle({ type: 'supported_resolved', toStatus: 'resolved' }, 'en', TN)).toBe(
      `A complaint you supported (${TN}) was resolved`,
    );
    expect(eventTitle({ type: 'merged', toStatus: 'closed' }, 'en', TN)).toContain('joined');
    expect(eventTitle({ type: 'status_fixed', toStatus: 'closed' }, 'ur', TN)).toBe(
      EVENT_TITLES.closed.ur.replace('{tn}', TN),
    );
    expect(eventTitle({ type: 'media_added', toStatus: null }, 'ps', TN)).toBe(
      EVENT_TITLES.updated.ps.replace('{tn}', TN),
    );
    // Inherited object keys are not event types.
    expect(eventTitle({ type: 'constructor', toStatus: null }, 'en', TN)).toBe(
      EVENT_TITLES.updated.en.replace('{tn}', TN),
    );
  });
});
