import { useEffect, useState } from 'preact/hooks';
import { createTranslator, type Lang, type Translator } from '../shared/i18n.js';
import { en } from './locales/en.js';

let translator: Translator;

/** Loads the stored language before the first render, so a right-to-left reader never sees a flash. */
export async function setUpI18n(): Promise<Translator> {
  translator = await createTranslator({
    storageKey: 'cp.lang',
    en,
    load: async (lang) =>
      lang === 'ur' ? (await import('./locales/ur.js')).ur : (await import('./locales/ps.js')).ps,
  });
  return translator;
}

export const t = (key: string, options?: Record<string, unknown>) => translator.t(key, options);
export const i18n = () => translator;

/** Re-renders the caller when the language changes; returns the current one. */
export function useLang(): Lang {
  // A counter, not the language: choosing the language already shown (English at first start) must
  // still re-render the caller.
  const [, setChanges] = useState(0);
  useEffect(() => translator.onChange(() => setChanges((n) => n + 1)), []);
  return translator.current();
}
