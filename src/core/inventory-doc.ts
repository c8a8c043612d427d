// The inventory document (docs/inventory-document.md): its shape, read from a parsed YAML or JSON
// value into typed entries, with every problem found listed by its path in the document. Only the
// shape is checked here (types, unknown keys, names, MACs, duplicates, secret file references);
// what the single-object operations check (driver fields, port names, net_id rules, what exists
// already) is left to them (src/core/inventory-import.ts calls them).
import { ApiError } from '../errors.js';
import { checkLabel } from './labels.js';
import type { FieldSpec } from '../drivers/fields.js';
import { ownValue } from '../drivers/fields.js';
import { switchDriverFor } from '../drivers/switch/type-names.js';
import { obmDriverFor } from '../drivers/obm/type-names.js';

/** One problem of a document: where (e.g. `nodes[3].nics[0].macaddr`) and what. */
export interface DocumentProblem { path: string; message: string }

/** A driver-backed object's type and field values, secrets read from their files included. */
export interface DriverFields {
  type: string;
  fields: Record<string, unknown>;
  /** The secret fields the document gave (through `<field>_file`). */
  secrets: string[];
}

/** A switch of the document with its ports. */
export interface SwitchEntry extends DriverFields { name: string; path: string; ports: string[] }

/** A nic of the document, with the switch port it is cabled to (or none). */
export interface NicEntry { name: string; path: string; macaddr: string; cable: { switch: string; port: string } | null }

/** How a node's OBM is managed: an in-process driver, or an external obmd. */
export type NodeManagement = { obm: DriverFields } | { obmd: { uri: string; adminToken: string | null } };

/** A node of the document. */
export interface NodeEntry {
  name: string; path: string; management: NodeManagement; metadata: Array<[string, unknown]>; nics: NicEntry[];
}

/** A network of the document: owner ("admin" or a project), net_id (null: from the VLAN pool), access list. */
export interface NetworkEntry { name: string; path: string; owner: string; netId: number | null; access: string[] }

/** A document as typed entries, in document order. */
export interface InventoryDocument {
  projects: Array<{ name: string; path: string }>;
  switches: SwitchEntry[];
  nodes: NodeEntry[];
  networks: NetworkEntry[];
}

/** The secrets the client read from the files a document names, by file name, and why others could not be read. */
export interface SecretFiles {
  values: Readonly<Record<string, unknown>>;
  unreadable: Readonly<Record<string, unknown>>;
}

/** The version of the document format this daemon reads and writes. */
export const DOCUMENT_VERSION = 1;

/** The suffix of a key that names the file holding a secret field (`password_file`). */
export const SECRET_FILE_SUFFIX = '_file';

/** What the reader needs to know about the drivers: their fields, to tell secrets from the rest. */
export interface DriverSpecs {
  switchDrivers: Readonly<Record<string, { fields: Record<string, FieldSpec> }>>;
  obmDrivers: Readonly<Record<string, { fields: Record<string, FieldSpec> }>>;
}

/** `base.key`, or `base["odd key"]` for a key that is not a plain word. */
export function pathOf(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const plain = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : null;
  if (base === '') return plain ?? JSON.stringify(key);
  return plain === null ? `${base}[${JSON.stringify(key)}]` : `${base}.${plain}`;
}

/** A MAC address: six octets separated by ':' or '-', or three groups of four hex digits separated by '.'. */
export function isMacAddress(text: string): boolean {
  return /^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(text) || /^[0-9a-f]{4}(\.[0-9a-f]{4}){2}$/i.test(text);
}

type Obj = Record<string, unknown>;

/** Walks a document, collecting problems instead of stopping at the first. */
class Reader {
  readonly problems: DocumentProblem[] = [];
  constructor(private readonly drivers: DriverSpecs, private readonly secrets: SecretFiles) {}

  fail(path: string, message: string): null {
    this.problems.push({ path, message });
    return null;
  }

  object(path: string, v: unknown): Obj | null {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.fail(path, `must be a mapping (key: value), not ${kindOf(v)}`);
    return v as Obj;
  }

  /** The object, after listing its unknown keys and missing required ones (`open`: any other key is the caller's). */
  record(path: string, v: unknown, required: string[], optional: string[], open = false): Obj | null {
    const o = this.object(path, v);
    if (!o) return null;
    if (!open) {
      for (const key of Object.keys(o)) {
        if (!required.includes(key) && !optional.includes(key)) this.fail(pathOf(path, key), `unknown key (expected ${[...required, ...optional].join(', ')})`);
      }
    }
    for (const key of required) if (!Object.hasOwn(o, key)) this.fail(pathOf(path, key), 'missing');
    return o;
  }

  list(path: string, v: unknown): unknown[] | null {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(path, `must be a list, not ${kindOf(v)}`);
    return v;
  }

  string(path: string, v: unknown): string | null {
    if (typeof v !== 'string') return this.fail(path, `must be a string, not ${kindOf(v)}`);
    return v;
  }

  /** A name by the API's rule; a port's name is its driver's to check (it may hold "/"): only not empty here. */
  label(path: string, v: unknown, what: string): string | null {
    const s = this.string(path, v);
    if (s === null) return null;
    if (what === 'port') return s === '' ? this.fail(path, 'a port name must not be empty') : s;
    try { return checkLabel(what, s); } catch (e) { return this.fail(path, e instanceof ApiError ? e.message : String(e)); }
  }

  /** Labels of a list, each at most once (duplicates are problems). */
  labels(path: string, v: unknown, what: string): string[] {
    const out: string[] = [];
    (this.list(path, v) ?? []).forEach((item, i) => {
      const l = this.label(pathOf(path, i), item, what);
      if (l === null) return;
      if (out.includes(l)) this.fail(pathOf(path, i), `${what} "${l}" is listed twice`);
      else out.push(l);
    });
    return out;
  }

  /**
   * A driver's type and fields from an open mapping: `type`, then fields; a secret field only as
   * `<field>_file`, whose secret the client sent. `skip`: the mapping's own keys that are not fields.
   */
  driverFields(path: string, o: Obj, kind: 'switch' | 'OBM', skip: string[]): DriverFields | null {
    const type = this.string(pathOf(path, 'type'), o.type);
    if (type === null) return null;
    const drivers = kind === 'switch' ? this.drivers.switchDrivers : this.drivers.obmDrivers;
    const driver = kind === 'switch' ? switchDriverFor(drivers, type) : obmDriverFor(drivers, type);
    const fields: Obj = {};
    const secrets: string[] = [];
    let ok = true;
    for (const [key, value] of Object.entries(o)) {
      if (key === 'type' || skip.includes(key)) continue;
      const at = pathOf(path, key);
      const spec = driver ? ownValue(driver.fields, key) : undefined;
      if (spec?.secret) {
        ok = false;
        this.fail(at, `a secret is never written in the document: name the file that holds it with "${key}${SECRET_FILE_SUFFIX}"`);
        continue;
      }
      const field = key.endsWith(SECRET_FILE_SUFFIX) ? key.slice(0, -SECRET_FILE_SUFFIX.length) : null;
      const fieldSpec = field !== null && driver ? ownValue(driver.fields, field) : undefined;
      if (field === null || (driver && !fieldSpec)) { fields[key] = value; continue; }
      if (fieldSpec && !fieldSpec.secret) { ok = false; this.fail(at, `"${field}" is not a secret field of ${kind} type ${type}: write it as "${field}" directly`); continue; }
      const secret = this.secretOf(at, value);
      if (secret === null) { ok = false; continue; }
      fields[field] = secret;
      secrets.push(field);
    }
    return ok ? { type, fields, secrets } : null;
  }

  /** The secret the client read from the file named at `path`. */
  secretOf(path: string, file: unknown): string | null {
    const name = this.string(path, file);
    if (name === null) return null;
    const why = ownValue(this.secrets.unreadable, name);
    if (why !== undefined) return this.fail(path, `cannot read the secret file ${name}: ${String(why)}`);
    const value = ownValue(this.secrets.values, name);
    if (typeof value !== 'string') return this.fail(path, `the secret file ${name} was not sent with the document`);
    if (value === '') return this.fail(path, `the secret file ${name} is empty`);
    return value;
  }
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v} (${JSON.stringify(v).slice(0, 40)})`;
}

/** Names that must be unique among a list's entries: a problem at each repeat. */
function unique<T extends { name: string; path: string }>(r: Reader, what: string, entries: T[]): T[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    if (seen.has(e.name)) { r.fail(e.path, `${what} "${e.name}" appears twice in the document`); return false; }
    seen.add(e.name);
    return true;
  });
}

function readSwitch(r: Reader, path: string, v: unknown): SwitchEntry | null {
  const o = r.record(path, v, ['name', 'type'], [], true);
  if (!o) return null;
  const name = r.label(pathOf(path, 'name'), o.name, 'switch');
  const ports = r.labels(pathOf(path, 'ports'), o.ports, 'port');
  const driver = r.driverFields(path, o, 'switch', ['name', 'ports']);
  return name === null || driver === null ? null : { name, path, ports, ...driver };
}

function readNic(r: Reader, path: string, v: unknown): NicEntry | null {
  const o = r.record(path, v, ['name', 'macaddr'], ['switch', 'port']);
  if (!o) return null;
  const name = r.label(pathOf(path, 'name'), o.name, 'nic');
  let macaddr = r.string(pathOf(path, 'macaddr'), o.macaddr);
  if (macaddr !== null && !isMacAddress(macaddr)) macaddr = r.fail(pathOf(path, 'macaddr'), `not a MAC address: "${macaddr.slice(0, 40)}"`);
  let cable: NicEntry['cable'] = null;
  if (Object.hasOwn(o, 'switch') !== Object.hasOwn(o, 'port')) {
    r.fail(path, 'give both "switch" and "port" (the port the nic is cabled to), or neither');
  } else if (Object.hasOwn(o, 'switch')) {
    const sw = r.label(pathOf(path, 'switch'), o.switch, 'switch');
    const port = r.label(pathOf(path, 'port'), o.port, 'port');
    if (sw !== null && port !== null) cable = { switch: sw, port };
  }
  return name === null || macaddr === null ? null : { name, path, macaddr, cable };
}

function readManagement(r: Reader, path: string, o: Obj): NodeManagement | null {
  if (Object.hasOwn(o, 'obm') === Object.hasOwn(o, 'obmd')) return r.fail(path, 'give exactly one of "obm" and "obmd"');
  if (Object.hasOwn(o, 'obm')) {
    const at = pathOf(path, 'obm');
    const obm = r.record(at, o.obm, ['type'], [], true);
    const fields = obm && r.driverFields(at, obm, 'OBM', []);
    return fields ? { obm: fields } : null;
  }
  const at = pathOf(path, 'obmd');
  const obmd = r.record(at, o.obmd, ['uri'], [`admin_token${SECRET_FILE_SUFFIX}`]);
  if (!obmd) return null;
  const uri = r.string(pathOf(at, 'uri'), obmd.uri);
  const tokenKey = `admin_token${SECRET_FILE_SUFFIX}`;
  const adminToken = Object.hasOwn(obmd, tokenKey) ? r.secretOf(pathOf(at, tokenKey), obmd[tokenKey]) : null;
  if (uri === null || (Object.hasOwn(obmd, tokenKey) && adminToken === null)) return null;
  return { obmd: { uri, adminToken } };
}

function readNode(r: Reader, path: string, v: unknown): NodeEntry | null {
  const o = r.record(path, v, ['name'], ['obm', 'obmd', 'metadata', 'nics']);
  if (!o) return null;
  const name = r.label(pathOf(path, 'name'), o.name, 'node');
  const management = readManagement(r, path, o);
  const metadata: Array<[string, unknown]> = [];
  const mdPath = pathOf(path, 'metadata');
  const md = o.metadata === undefined || o.metadata === null ? {} : r.object(mdPath, o.metadata);
  for (const [key, value] of Object.entries(md ?? {})) {
    if (r.label(pathOf(mdPath, key), key, 'metadata') !== null) metadata.push([key, value]);
  }
  const nicsPath = pathOf(path, 'nics');
  const nics = unique(r, 'nic', (r.list(nicsPath, o.nics) ?? [])
    .map((n, i) => readNic(r, pathOf(nicsPath, i), n)).filter((n): n is NicEntry => n !== null));
  return name === null || management === null || md === null ? null : { name, path, management, metadata, nics };
}

function readNetwork(r: Reader, path: string, v: unknown): NetworkEntry | null {
  const o = r.record(path, v, ['name', 'owner'], ['net_id', 'access']);
  if (!o) return null;
  const name = r.label(pathOf(path, 'name'), o.name, 'network');
  const owner = r.label(pathOf(path, 'owner'), o.owner, 'project');
  let netId: number | null = null;
  if (o.net_id !== undefined && o.net_id !== null) {
    if (typeof o.net_id === 'number' && Number.isInteger(o.net_id)) netId = o.net_id;
    else return r.fail(pathOf(path, 'net_id'), `must be a whole number (a VLAN id), not ${kindOf(o.net_id)}`);
  }
  const access = r.labels(pathOf(path, 'access'), o.access, 'project');
  return name === null || owner === null ? null : { name, path, owner, netId, access };
}

/** Each item of the top-level list `key` read by `read`; problems are collected, unreadable items left out. */
function entries<T>(r: Reader, doc: Obj, key: string, read: (r: Reader, path: string, v: unknown) => T | null): T[] {
  return (r.list(key, doc[key]) ?? []).map((v, i) => read(r, pathOf(key, i), v)).filter((e): e is T => e !== null);
}

/**
 * Read a parsed document into typed entries. `problems` lists every problem found; the entries
 * hold what could be read (an entry with a problem is left out), so later checks can add theirs.
 */
export function readInventoryDocument(value: unknown, drivers: DriverSpecs, secrets: SecretFiles): { doc: InventoryDocument; problems: DocumentProblem[] } {
  const r = new Reader(drivers, secrets);
  const doc: InventoryDocument = { projects: [], switches: [], nodes: [], networks: [] };
  const o = r.record('', value, [], ['version', 'projects', 'switches', 'nodes', 'networks']);
  if (!o) return { doc, problems: r.problems };
  if (o.version !== undefined && o.version !== DOCUMENT_VERSION) r.fail('version', `this daemon reads version ${DOCUMENT_VERSION} documents`);
  doc.projects = unique(r, 'project', entries(r, o, 'projects', (rd, path, v) => {
    const name = rd.label(path, v, 'project');
    return name === null ? null : { name, path };
  }));
  doc.switches = unique(r, 'switch', entries(r, o, 'switches', readSwitch));
  doc.nodes = unique(r, 'node', entries(r, o, 'nodes', readNode));
  doc.networks = unique(r, 'network', entries(r, o, 'networks', readNetwork));
  const cabled = new Map<string, string>();
  for (const nic of doc.nodes.flatMap((n) => n.nics)) {
    if (!nic.cable) continue;
    const key = JSON.stringify([nic.cable.switch, nic.cable.port]);
    const other = cabled.get(key);
    if (other === undefined) { cabled.set(key, nic.path); continue; }
    r.fail(nic.path, `port "${nic.cable.port}" of switch "${nic.cable.switch}" is cabled to ${other} too`);
    nic.cable = null;
  }
  return { doc, problems: r.problems };
}
