// Human-readable output: aligned tables and "field: value" blocks; JSON for --json.

/** Columns aligned with two spaces; the header row is upper-cased. Trailing blanks are trimmed. */
export function formatTable(headers: string[], rows: string[][]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  return all.map((row) => row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  ').trimEnd() + '\n').join('');
}

/** `label:  value` lines with the values aligned. */
export function formatFields(fields: [string, string][]): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${(label + ':').padEnd(width)}  ${value}`.trimEnd() + '\n').join('');
}

/** One item per line (lists of labels): easy to read and to pipe. */
export function formatLines(items: string[]): string {
  return items.map((item) => item + '\n').join('');
}

/** Pretty JSON with a final newline. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** `a, b` for a non-empty list, else the placeholder. */
export function joinOr(items: string[] | null | undefined, placeholder: string): string {
  return items && items.length > 0 ? items.join(', ') : placeholder;
}
