import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { ps } from './ps.js';
import { ur } from './ur.js';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of leaves(value, `${prefix + key}.`)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

// The types make every language carry every key; this checks what types cannot see inside the texts.
describe('the citizen app in Urdu and Pashto', () => {
  const english = leaves(en as Tree);
  for (const [name, tree] of [
    ['Urdu', ur],
    ['Pashto', ps],
  ] as const) {
    const translated = leaves(tree as Tree);
    it(`keeps every {{placeholder}} of the English text in ${name}`, () => {
      for (const [key, text] of translated) {
        const base = english.get(key) ?? english.get(key.replace(/_(zero|one|two|few|many|other)$/, ''));
        if (base !== undefined) expect(placeholders(text), key).toEqual(placeholders(base));
      }
    });
  }
});
