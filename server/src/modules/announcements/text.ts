import type { Language } from '../../db/schema.js';
import { invalid } from '../../errors.js';

/** A text the government writes in up to three languages; at least one is required. */
export type Localized = Partial<Record<Language, string>>;

export const LANGUAGES: readonly Language[] = ['en', 'ur', 'ps'];

/** The citizen's own language when written, else English, Urdu, Pashto in that order. */
export function pick(texts: Texts, language: Language): string | null {
  const l = pickLanguage(texts, language);
  return l ? texts[l] : null;
}

export type Texts = { en: string | null; ur: string | null; ps: string | null };

export function pickLanguage(texts: Texts, language: Language): Language | null {
  return [language, ...LANGUAGES].find((l) => texts[l]) ?? null;
}

/** Trims each text and drops empty ones; refuses when none is left. */
export function localized(field: string, value: Localized | undefined, required: boolean): Localized {
  const out: Localized = {};
  for (const l of LANGUAGES) {
    const v = value?.[l]?.trim();
    if (v) out[l] = v;
  }
  if (required && Object.keys(out).length === 0) {
    throw invalid('validation_failed', 'Write it in at least one of English, Urdu or Pashto.', {
      [field]: 'At least one of en, ur, ps.',
    });
  }
  return out;
}

export function columns<P extends string>(prefix: P, t: Localized) {
  return {
    [`${prefix}_en`]: t.en ?? null,
    [`${prefix}_ur`]: t.ur ?? null,
    [`${prefix}_ps`]: t.ps ?? null,
  } as Record<`${P}_${Language}`, string | null>;
}

export function fromColumns<P extends string>(prefix: P, row: Record<string, unknown>) {
  const get = (l: Language) => (row[`${prefix}_${l}`] as string | null) ?? null;
  return { en: get('en'), ur: get('ur'), ps: get('ps') };
}

/** Parses an ISO timestamp from a request; refuses anything else by name. */
export function instant(field: string, value: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    throw invalid('validation_failed', 'A date and time is not valid.', {
      [field]: 'Expected an ISO 8601 date and time, like 2026-12-01T09:00:00Z.',
    });
  }
  return d;
}
