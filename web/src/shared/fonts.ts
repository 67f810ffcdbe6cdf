// The Naskh face for Urdu and Pashto (its Arabic subset covers Pashto's ټ ځ ډ ړ ږ ښ ګ ڼ ې). Imported
// lazily, so English readers never download it; only the woff2 files, which every supported browser reads.
import regular from '@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-400-normal.woff2?url';
import bold from '@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-700-normal.woff2?url';

const ARABIC_RANGE =
  'U+0600-06FF, U+0750-077F, U+0870-088E, U+0890-0891, U+0898-08E1, U+08E3-08FF, U+200C-200E, U+2010-2011, U+204F, U+2E41, U+FB50-FDFF, U+FE70-FE74, U+FE76-FEFC';

let loaded = false;

export function loadNaskh(): void {
  if (loaded || typeof FontFace === 'undefined') return;
  loaded = true;
  for (const [url, weight] of [
    [regular, '400'],
    [bold, '700'],
  ] as const) {
    const face = new FontFace('Noto Naskh Arabic', `url(${url}) format('woff2')`, {
      weight,
      display: 'swap',
      unicodeRange: ARABIC_RANGE,
    });
    document.fonts.add(face);
    face.load().catch(() => {
      // Offline before the font was ever cached: the system's Arabic font stands in.
    });
  }
}
