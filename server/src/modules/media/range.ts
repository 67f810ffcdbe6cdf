/** An inclusive byte range within a file of known size. */
export interface ResolvedRange {
  start: number;
  end: number;
}

/**
 * Reads an HTTP Range header (RFC 9110 §14) against a file's size. Phones' audio and video players seek
 * with "bytes=N-", "bytes=N-M" and "bytes=-N".
 * - null: serve the whole file (no header, another unit, or several ranges, which a server may ignore);
 * - 'unsatisfiable': answer 416 (a malformed single range, or one that starts past the end);
 * - otherwise the range, its end clamped to the last byte.
 */
export function resolveRange(
  header: string | undefined,
  size: number,
): ResolvedRange | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return null;
  const spec = m[1]!.trim();
  if (spec.includes(',')) return null;
  const parts = /^(\d{0,15})\s*-\s*(\d{0,15})$/.exec(spec);
  if (!parts || (parts[1] === '' && parts[2] === '')) return 'unsatisfiable';
  const last = size - 1;
  if (parts[1] === '') {
    const suffix = Number(parts[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(size - suffix, 0), end: last };
  }
  const start = Number(parts[1]);
  const end = parts[2] === '' ? last : Number(parts[2]);
  if (end < start || start > last) return 'unsatisfiable';
  return { start, end: Math.min(end, last) };
}
