// Languages for both apps: English, Urdu and Pashto. English is bundled; the others load when chosen.
// The choice is kept on the device and sets <html lang dir>, so the layout (CSS logical properties)
// mirrors for the right-to-left languages.
import i18next, { type i18n as I18n, type TOptions } from 'i18next';

export type Lang = 'en' | 'ur' | 'ps';
export type Resources = { [key: string]: string | Resources };

export const LANGUAGES: readonly { code: Lang; name: string; dir: 'ltr' | 'rtl' }[] = [
  { code: 'en', name: 'English', dir: 'ltr' },
  { code: 'ur', name: 'اردو', dir: 'rtl' },
  { code: 'ps', name: 'پښتو', dir: 'rtl' },
];

export const isLang = (value: unknown): value is Lang => value === 'en' || value === 'ur' || value === 'ps';
export const dirOf = (lang: Lang) => (lang === 'en' ? 'ltr' : 'rtl');

export interface Translator {
  readonly i18n: I18n;
  t(key: string, options?: TOptions): string;
  /** The language chosen on this device, or null before the first choice. */
  stored(): Lang | null;
  current(): Lang;
  change(lang: Lang): Promise<void>;
  onChange(listener: (lang: Lang) => void): () => void;
}

export async function createTranslator(opts: {
  storageKey: string;
  en: Resources;
  load: (lang: Exclude<Lang, 'en'>) => Promise<Resources>;
}): Promise<Translator> {
  const i18n = i18next.createInstance();
  const read = (): Lang | null => {
    try {
      const v = localStorage.getItem(opts.storageKey);
      return isLang(v) ? v : null;
    } catch {
      return null;
    }
  };
  await i18n.init({
    lng: 'en',
    fallbackLng: 'en',
    resources: { en: { translation: opts.en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });

  const listeners = new Set<(lang: Lang) => void>();
  const apply = async (lang: Lang) => {
    if (lang !== 'en' && !i18n.hasResourceBundle(lang, 'translation')) {
      i18n.addResourceBundle(lang, 'translation', await opts.load(lang));
    }
    if (lang !== 'en') (await import('./fonts.js')).loadNaskh();
    await i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
    document.documentElement.dir = dirOf(lang);
  };
  const first = read();
  if (first && first !== 'en') await apply(first);

  return {
    i18n,
    t: (key, options) => i18n.t(key, options) as string,
    stored: read,
    current: () => (isLang(i18n.language) ? i18n.language : 'en'),
    async change(lang) {
      await apply(lang);
      try {
        localStorage.setItem(opts.storageKey, lang);
      } catch {
        // Storage refused: the choice holds until the page closes.
      }
      for (const listener of listeners) listener(lang);
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Digits as typed on Urdu (Extended Arabic-Indic) or Arabic (Arabic-Indic) keyboards become ASCII. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String((d.charCodeAt(0) & 0xf) % 10));
}

/** Numbers and dates in the reader's language, with Latin digits where the government's forms use them. */
export function formatDate(iso: string, lang: Lang, withTime = false): string {
  const locale = lang === 'en' ? 'en-PK' : `${lang}-PK`;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    ...(withTime ? { timeStyle: 'short' } : {}),
    numberingSystem: 'latn',
  }).format(new Date(iso));
}
