// haas import / haas export: the lab's inventory as one YAML or JSON document
// (docs/inventory-document.md). The CLI parses the document and reads the secret files it names
// here, on the admin's machine; the daemon checks and applies it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, Option, UsageError } from 'clipanion';
import YAML from 'yaml';
import { CommandFailedError, DataCommand } from './base.js';
import { formatJson, formatTable } from './output.js';
import type { InventoryImportReport } from '../client/types.js';

/** The suffix of a document key that names a secret's file (`password_file`). */
const SECRET_FILE_SUFFIX = '_file';

/** The document in `text`, YAML or JSON (YAML reads both); every syntax error as `file:line:col: problem`. */
export function parseDocument(file: string, text: string): unknown {
  // JSON first: it is YAML too, but JSON.parse reads a large lab many times faster.
  try { return JSON.parse(text) as unknown; } catch { /* YAML, or an error YAML's parser locates */ }
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${file}:${line}:${col}: ${e.message.split('\n')[0]}`;
    });
    throw new CommandFailedError('DocumentError', [`${file} is not valid YAML or JSON:`, ...lines].join('\n'));
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

function objectOf(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : null;
}

/** The file names given by `*_file` keys where the document may name secrets: switches, node OBMs, obmd. */
export function secretFilesOf(document: unknown): string[] {
  const files = new Set<string>();
  const collect = (o: Record<string, unknown> | null) => {
    for (const [k, v] of Object.entries(o ?? {})) if (k.endsWith(SECRET_FILE_SUFFIX) && typeof v === 'string') files.add(v);
  };
  const doc = objectOf(document);
  for (const sw of Array.isArray(doc?.switches) ? doc.switches : []) collect(objectOf(sw));
  for (const node of Array.isArray(doc?.nodes) ? doc.nodes : []) {
    const n = objectOf(node);
    collect(objectOf(n?.obm));
    collect(objectOf(n?.obmd));
  }
  return [...files];
}

/** Read each secret file (relative names from the document's directory): the secrets, and why the others could not be read. */
function readSecretFiles(documentFile: string, files: string[]): { secrets: Record<string, string>; unreadable: Record<string, string> } {
  const secrets: Record<string, string> = {};
  const unreadable: Record<string, string> = {};
  for (const f of files) {
    try {
      secrets[f] = readFileSync(resolve(dirname(documentFile), f), 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      unreadable[f] = (e as NodeJS.ErrnoException).code ?? String(e);
    }
  }
  return { secrets, unreadable };
}

/** The diff as people read it: what is created or updated, then the counts. */
export function formatImportReport(file: string, r: InventoryImportReport): string {
  const rows = r.changes.filter((c) => c.action !== 'unchanged')
    .map((c) => [c.action, c.kind, c.fields ? `${c.name} (${c.fields.join(', ')})` : c.name]);
  const table = rows.length > 0 ? formatTable(['action', 'kind', 'object'], rows) : '';
  const { create, update, unchanged } = r.counts;
  const summary = r.dry_run ? `dry run of ${file}: ${create} to create, ${update} to update, ${unchanged} unchanged; nothing was changed`
    : create + update === 0 ? `${file}: nothing to change (${unchanged} unchanged)`
      : `imported ${file}: ${create} created, ${update} updated, ${unchanged} unchanged`;
  return table + summary + '\n';
}

class Import extends DataCommand {
  static override paths = [['import']];
  static override usage = Command.Usage({
    category: 'Inventory',
    description: 'Import a lab\'s inventory from a YAML or JSON document (admin)',
    details: `
      The document (docs/inventory-document.md) lists projects, switches with their ports, nodes with
      their OBM, metadata and nics (and the switch port each nic is cabled to), and networks with their
      net_id and access list. Secrets are never in the document: a \`password_file\` key names the file
      that holds one (relative to the document's directory); this command reads it and sends it to the
      daemon, and never prints it.

      Import only adds: objects the document leaves out stay. Objects that exist already are unchanged,
      or updated where that is safe (a node's OBM fields while its OBM is disabled, metadata values,
      projects added to a network's access list); any other difference is refused. The diff is printed
      and applied in one transaction; a document with errors changes nothing, and every error is listed
      with its path in the document. \`--dry-run\` prints the diff and changes nothing.
    `,
    examples: [
      ['Show what importing lab.yaml would change', '$0 import lab.yaml --dry-run'],
      ['Import it', '$0 import lab.yaml'],
    ],
  });
  file = Option.String({ name: 'FILE' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the diff only; change nothing' });
  async execute() {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    const document = parseDocument(this.file, text);
    const { secrets, unreadable } = readSecretFiles(this.file, secretFilesOf(document));
    const report = await this.api.inventoryImport({ document, secrets, unreadable, dry_run: this.dryRun, source: this.file });
    if (this.quiet && !this.json) return;
    this.show(report, (r) => formatImportReport(this.file, r));
  }
}

class Export extends DataCommand {
  static override paths = [['export']];
  static override usage = Command.Usage({
    category: 'Inventory',
    description: 'Print the inventory as a document haas import reads (admin)',
    details: `
      Projects, switches, ports, nodes (OBM, metadata, nics and cabling) and networks, sorted by name.
      Secrets are left out: to import the document into another daemon, add a \`<field>_file\` key for
      each (e.g. \`password_file\`). Users, reservations, leases and network attachments are running
      state and are not exported.
    `,
    examples: [
      ['Save the inventory as YAML', '$0 export > lab.yaml'],
      ['As JSON', '$0 export --format json'],
    ],
  });
  documentFormat = Option.String('--format', 'yaml', { description: 'yaml (default) or json' });
  async execute() {
    if (this.documentFormat !== 'yaml' && this.documentFormat !== 'json') throw new UsageError(`--format must be yaml or json, not "${this.documentFormat}"`);
    const doc = await this.api.inventoryExport();
    this.write(this.json || this.documentFormat === 'json' ? formatJson(doc) : toYaml(doc));
  }
}

/** The document as YAML, MAC addresses quoted (YAML 1.1 readers take 52:54:00:00:01:00 for a number). */
export function toYaml(doc: unknown): string {
  const yaml = new YAML.Document(doc);
  YAML.visit(yaml, {
    Pair(_key, pair) {
      if (YAML.isScalar(pair.key) && pair.key.value === 'macaddr' && YAML.isScalar(pair.value)) pair.value.type = 'QUOTE_DOUBLE';
    },
  });
  return yaml.toString();
}

/** The import and export commands. */
export const inventoryCommands = [Import, Export];
