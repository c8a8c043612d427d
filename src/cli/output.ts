// Human-readable output: aligned tables and "field: value" blocks; JSON for --json; and the
// formats of `-o json|yaml|csv|table` with `--columns` for scripts and spreadsheets.
import { stringify as yamlStringify } from 'yaml';

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

/** The formats of `-o`. */
export const OUTPUT_FORMATS = ['json', 'yaml', 'csv', 'table'] as const;
/** A format of `-o`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The format named `text`, or undefined if `-o` does not know it. */
export function outputFormat(text: string): OutputFormat | undefined {
  return OUTPUT_FORMATS.find((f) => f === text);
}

/** A command's answer as rows of named cells, for `-o csv|table` and `--columns`: the columns, in their default order. */
export interface Records<T> {
  columns: readonly string[];
  rows: (data: T) => Record<string, string>[];
}

/**
 * The columns `--columns a,b,c` names, checked against those a command has; all of them when not given.
 * Returns an error message instead for an unknown or repeated name.
 */
export function chooseColumns(available: readonly string[], wanted: string | undefined): string[] | string {
  if (wanted === undefined) return [...available];
  const names = wanted.split(',').map((c) => c.trim());
  for (const [i, name] of names.entries()) {
    if (!available.includes(name)) return `unknown column "${name}" (columns: ${available.join(', ')})`;
    if (names.indexOf(name) !== i) return `column "${name}" given twice`;
  }
  return names;
}

/** YAML of the value, as the `yaml` package writes it (always ends in a newline). */
export function formatYaml(value: unknown): string {
  return yamlStringify(value);
}

function csvCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** RFC 4180 CSV: a header row of the column names, then the rows; cells with a comma, quote or newline are quoted. */
export function formatCsv(columns: readonly string[], rows: Record<string, string>[]): string {
  return [columns, ...rows.map((r) => columns.map((c) => r[c] ?? ''))].map((row) => row.map(csvCell).join(',') + '\r\n').join('');
}

/** Rows as `-o` asks: an aligned table, CSV, or JSON/YAML arrays of objects holding the chosen columns only. */
export function formatRecords(format: OutputFormat, columns: readonly string[], rows: Record<string, string>[]): string {
  const picked = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? ''])));
  switch (format) {
    case 'table': return formatTable([...columns], rows.map((r) => columns.map((c) => r[c] ?? '')));
    case 'csv': return formatCsv(columns, rows);
    case 'json': return formatJson(picked);
    case 'yaml': return formatYaml(picked);
  }
}
