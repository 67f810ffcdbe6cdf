/** What staff type into the search box, read as words and never as a query language. */
const WORD = /[\p{L}\p{N}]/u;

/**
 * An FTS5 MATCH expression of quoted strings, one per whitespace-separated piece of the user's text: inside
 * quotes FTS5 reads no operators (AND, NEAR, *, ^, column filters), so no input changes the query's meaning
 * or makes it fail. A tracking number such as KP-2026-000123 stays one phrase ("kp 2026 000123"). Pieces
 * without a letter or digit would be empty phrases and are dropped; null when nothing searchable is left.
 */
export function ftsMatchExpression(text: string): string | null {
  const pieces = text
    .normalize('NFKC')
    .split(/\s+/u)
    .filter((p) => WORD.test(p))
    .slice(0, 16);
  if (pieces.length === 0) return null;
  return pieces.map((p) => `"${p.replaceAll('"', '""')}"`).join(' ');
}

const TRACKING = /^[A-Za-z]{1,6}-\d{4}-\d{6,}$/;

/** A whole tracking number is looked up by its unique index instead of the text index. */
export function asTrackingNumber(text: string): string | null {
  const t = text.trim();
  return TRACKING.test(t) ? t.toUpperCase() : null;
}
