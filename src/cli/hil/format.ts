// What HIL's CLI prints, the way it prints it: PrettyTable boxes (hil/cli/helper.py's make_table)
// and Python's json.dumps (its --json answers and the headnode commands' raw bodies).

/** A PrettyTable-style box: centred headers, left-aligned cells, multi-line cells spread over lines. */
export function prettyTable(headers: string[], rows: string[][]): string {
  const split = (cell: string) => cell.split('\n');
  const widths = headers.map((h, col) => Math.max(h.length, ...rows.map((r) => Math.max(...split(r[col] ?? '').map((l) => l.length)))));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
  const centre = (text: string, w: number) => {
    const left = Math.floor((w - text.length) / 2);
    return ' '.repeat(left) + text + ' '.repeat(w - text.length - left);
  };
  let out = rule + '| ' + headers.map((h, col) => centre(h, widths[col] ?? 0)).join(' | ') + ' |\n' + rule;
  for (const row of rows) {
    const lines = headers.map((_, col) => split(row[col] ?? ''));
    const height = Math.max(1, ...lines.map((l) => l.length));
    for (let i = 0; i < height; i++) {
      out += '| ' + lines.map((l, col) => (l[i] ?? '').padEnd(widths[col] ?? 0)).join(' | ') + ' |\n';
    }
  }
  return out + rule;
}

/** hil.cli.helper.make_table: a one-column table's header counts its rows ("Free Nodes (3)"). */
export function makeTable(headers: string[], rows: string[][]): string {
  const shown = headers.length === 1 ? [`${headers[0]} (${rows.length})`] : headers;
  return prettyTable(shown, rows);
}

/** JSON as Python's json.dumps writes it by default: ", " and ": " separators, non-ASCII escaped. */
export function pyJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return '[' + value.map(pyJson).join(', ') + ']';
  if (typeof value === 'object') {
    return '{' + Object.entries(value).map(([k, v]) => `${pyString(k)}: ${pyJson(v)}`).join(', ') + '}';
  }
  if (typeof value === 'string') return pyString(value);
  return JSON.stringify(value);
}

function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
}
