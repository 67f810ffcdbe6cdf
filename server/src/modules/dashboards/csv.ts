/**
 * CSV (RFC 4180) of flat rows. A cell that a spreadsheet would read as a formula (=, +, -, @, tab, CR) is
 * prefixed with an apostrophe, so an exported complaint cannot run anything on the reader's machine.
 */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    let text = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Nested objects flattened to dotted keys (key.name, category.code) for a table's columns. */
export function flatten(row: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, name));
    else out[name] = v;
  }
  return out;
}

export function csvOf(rows: Record<string, unknown>[], skip: string[] = []): string {
  const flat = rows.map((r) => flatten(r));
  const columns: string[] = [];
  for (const r of flat)
    for (const k of Object.keys(r))
      if (!columns.includes(k) && !skip.some((s) => k.startsWith(s))) columns.push(k);
  return toCsv(columns, flat);
}
