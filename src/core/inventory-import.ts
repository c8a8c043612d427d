// `haas import`: a whole lab's inventory from one document (docs/inventory-document.md), applied
// in one transaction through the same core operations the single-object routes call, so that the
// same rules hold (names, driver fields, port names, net_id and VLAN pool rules, quotas). Import
// only adds: what the document omits stays; an object that exists is left as it is, or updated
// where that is safe (a node's OBM fields while its OBM is disabled, metadata values, grants on a
// network's access list); anything else that differs is a problem. Every problem is listed and
// nothing is applied while there is one; a dry run applies and rolls back, so it finds the
// problems a real run would.
import { ApiError, BadArgumentError } from '../errors.js';
import { storedFields, validateFields } from '../drivers/fields.js';
import { obmDriverFor, obmTypeName } from '../drivers/obm/type-names.js';
import { switchTypeName } from '../drivers/switch/type-names.js';
import { withoutCredentials } from '../uri-credentials.js';
import { requireAdmin } from './authz.js';
import { currentCall } from './audit.js';
import type { Core, Principal } from './context.js';
import { projectLabelOf } from './lookup.js';
import { createProject } from './projects.js';
import { connectNic, driverOf, registerPort, registerSwitch } from './switches.js';
import { registerNic, registerNode, setMetadata } from './nodes.js';
import { createNetwork, grantAccess } from './networks.js';
import {
  readInventoryDocument, type DocumentProblem, type DriverFields, type InventoryDocument, type NetworkEntry, type NodeEntry,
  type SecretFiles, type SwitchEntry,
} from './inventory-doc.js';
import { projectByLabel } from '../db/store/projects.js';
import { portOfSwitch, switchByLabel } from '../db/store/switches.js';
import { metadataOfNode, nicOfNode, nodeByLabel, setNodeObmConfig, type NodeRow } from '../db/store/nodes.js';
import { accessProjectLabels, networkByLabel } from '../db/store/networks.js';

/** What an import does to one object. */
export type ChangeAction = 'create' | 'update' | 'unchanged';

/** The kinds of object a document describes. */
export type ObjectKind = 'project' | 'switch' | 'port' | 'node' | 'metadata' | 'nic' | 'cable' | 'network' | 'access';

/** One line of an import's diff; `fields`: what an update changes (names only, never a value). */
export interface InventoryChange { action: ChangeAction; kind: ObjectKind; name: string; fields?: string[] }

/** POST /inventory/import's answer: the diff, and whether it was applied. */
export interface ImportReport {
  dry_run: boolean;
  applied: boolean;
  counts: Record<ChangeAction, number>;
  changes: InventoryChange[];
}

/** An import request as validated at the edge. */
export interface ImportRequest {
  document: unknown;
  secrets: SecretFiles;
  dryRun: boolean;
  /** The document's file name as the client knows it, to start each problem with (null: none). */
  source: string | null;
}

/** Thrown inside the transaction to roll it back (a dry run, or problems found). */
class RollBack extends Error {}

/** Collects the diff and the problems while the transaction runs. */
class Importer {
  readonly changes: InventoryChange[] = [];
  readonly problems: DocumentProblem[] = [];
  /** Objects that could not be made: what hangs on them is skipped rather than reported again. */
  readonly failed = new Set<string>();
  constructor(readonly core: Core, readonly p: Principal) {}

  note(action: ChangeAction, kind: ObjectKind, name: string, fields?: string[]): void {
    this.changes.push(fields ? { action, kind, name, fields } : { action, kind, name });
  }

  fail(path: string, message: string): false {
    this.problems.push({ path, message });
    return false;
  }

  /** Run one core operation; its refusal (an API error below 500) becomes a problem at `path`. */
  attempt(path: string, op: () => void): boolean {
    try {
      op();
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status < 500) return this.fail(path, e.message);
      throw e;
    }
  }

  /** `attempt`, noting a created object when it succeeds and remembering a failed one. */
  create(path: string, kind: ObjectKind, name: string, op: () => void): boolean {
    if (this.attempt(path, op)) { this.note('create', kind, name); return true; }
    this.failed.add(`${kind} ${name}`);
    return false;
  }

  isFailed(kind: ObjectKind, name: string): boolean { return this.failed.has(`${kind} ${name}`); }
}

/** Field names whose values differ; a secret the document does not give is left as it is. */
function differingFields(given: DriverFields, values: Record<string, unknown>, stored: Record<string, unknown>, secretFields: string[]): string[] {
  const keys = new Set([...Object.keys(values), ...Object.keys(stored)]);
  return [...keys].filter((k) => !(secretFields.includes(k) && !given.secrets.includes(k))
    && JSON.stringify(values[k]) !== JSON.stringify(stored[k])).sort();
}

function secretFieldsOf(spec: Record<string, { secret?: boolean }>): string[] {
  return Object.entries(spec).filter(([, f]) => f.secret).map(([k]) => k);
}

function importSwitch(im: Importer, s: SwitchEntry): void {
  const { core, p } = im;
  const sw = switchByLabel(core.inv, s.name);
  if (!sw) {
    im.create(s.path, 'switch', s.name, () => registerSwitch(core, p, s.name, { ...s.fields, type: s.type }));
  } else if (switchTypeName(s.type) !== sw.type) {
    im.fail(s.path, `switch "${s.name}" is of type ${sw.type} in the inventory; import does not change a switch's type`);
    im.failed.add(`switch ${s.name}`);
  } else {
    im.attempt(s.path, () => {
      const driver = driverOf(core, sw);
      const values = validateFields(`switch type ${sw.type}`, driver.fields, s.fields);
      const differ = differingFields(s, values, storedFields(sw.config), secretFieldsOf(driver.fields));
      if (differ.length > 0) {
        throw new BadArgumentError(`switch "${s.name}" differs from the inventory in ${differ.join(', ')}; `
          + 'import does not change a registered switch (delete it and register it again)');
      }
      im.note('unchanged', 'switch', s.name);
    });
  }
  if (im.isFailed('switch', s.name)) return;
  s.ports.forEach((port, i) => {
    const name = `${s.name} ${port}`;
    if (sw && portOfSwitch(core.inv, sw.id, port)) im.note('unchanged', 'port', name);
    else im.create(`${s.path}.ports[${i}]`, 'port', name, () => registerPort(core, p, s.name, port));
  });
}

/** Compare an existing node's OBM with the document's; update its fields where that is safe. */
function importExistingNode(im: Importer, n: NodeEntry, node: NodeRow): void {
  const { core } = im;
  const m = n.management;
  if ('obmd' in m) {
    const same = node.obmd_uri !== null && withoutCredentials(node.obmd_uri) === withoutCredentials(m.obmd.uri.replace(/\/+$/, ''))
      && (m.obmd.adminToken === null || m.obmd.adminToken === node.obmd_admin_token);
    if (same) im.note('unchanged', 'node', n.name);
    else im.fail(n.path, `node "${n.name}" is managed ${node.obmd_uri ? 'by another obmd or token' : `by the OBM driver ${node.obm_type}`} in the inventory; import does not change that`);
    return;
  }
  const { obm } = m;
  if (node.obm_type === null || node.obm_config === null || obmTypeName(obm.type) !== node.obm_type) {
    im.fail(`${n.path}.obm.type`, `node "${n.name}" is managed ${node.obm_type ? `by the OBM driver ${node.obm_type}` : 'by obmd'} in the inventory; import does not change a node's OBM type`);
    return;
  }
  const driver = obmDriverFor(core.obmDrivers, obm.type);
  if (!driver) { im.fail(`${n.path}.obm.type`, `the OBM driver "${node.obm_type}" of node "${n.name}" is not enabled in this daemon`); return; }
  im.attempt(`${n.path}.obm`, () => {
    const stored = storedFields(node.obm_config!);
    const values = validateFields(`OBM ${node.obm_type}`, driver.fields, obm.fields);
    const differ = differingFields(obm, values, stored, secretFieldsOf(driver.fields));
    if (differ.length === 0) { im.note('unchanged', 'node', n.name); return; }
    if (node.obm_enabled) throw new BadArgumentError(`the OBM fields ${differ.join(', ')} of node "${n.name}" differ, and its OBM is enabled; disable it first`);
    // Secrets the document leaves out keep their stored values.
    const kept = Object.fromEntries(secretFieldsOf(driver.fields).filter((k) => !obm.secrets.includes(k) && stored[k] !== undefined).map((k) => [k, stored[k]]));
    setNodeObmConfig(core.inv, node.id, JSON.stringify({ ...values, ...kept }));
    im.note('update', 'node', n.name, differ.map((f) => `obm.${f}`));
  });
}

function importNode(im: Importer, n: NodeEntry): void {
  const { core, p } = im;
  const existing = nodeByLabel(core.inv, n.name);
  if (existing) {
    importExistingNode(im, n, existing);
  } else {
    const m = n.management;
    if ('obmd' in m && m.obmd.adminToken === null) {
      im.fail(`${n.path}.obmd`, `missing admin_token_file: a new node needs its obmd admin token`);
      return;
    }
    const registration = 'obm' in m
      ? { obm: { ...m.obm.fields, type: m.obm.type } }
      : { obmd: { uri: m.obmd.uri, admin_token: m.obmd.adminToken ?? '' } };
    if (!im.create(n.path, 'node', n.name, () => registerNode(core, p, n.name, registration))) return;
  }
  const node = nodeByLabel(core.inv, n.name)!;
  const stored = new Map(metadataOfNode(core.inv, node.id).map((md) => [md.label, md.value]));
  for (const [key, value] of n.metadata) {
    const name = `${n.name} ${key}`;
    const before = stored.get(key);
    if (before === JSON.stringify(value)) { im.note('unchanged', 'metadata', name); continue; }
    if (im.attempt(`${n.path}.metadata`, () => setMetadata(core, p, n.name, key, value))) im.note(before === undefined ? 'create' : 'update', 'metadata', name);
  }
  for (const nic of n.nics) {
    const name = `${n.name} ${nic.name}`;
    const row = nicOfNode(core.inv, node.id, nic.name);
    if (!row) {
      if (!im.create(nic.path, 'nic', name, () => registerNic(core, p, n.name, nic.name, nic.macaddr))) continue;
    } else if (macKey(row.macaddr) !== macKey(nic.macaddr)) {
      im.fail(`${nic.path}.macaddr`, `nic "${nic.name}" of node "${n.name}" has the MAC address ${row.macaddr} in the inventory; import does not change it`);
      continue;
    } else {
      im.note('unchanged', 'nic', name);
    }
    const cable = nic.cable;
    if (!cable || im.isFailed('switch', cable.switch) || im.isFailed('port', `${cable.switch} ${cable.port}`)) continue;
    const cableName = `${name} -> ${cable.switch} ${cable.port}`;
    const sw = switchByLabel(core.inv, cable.switch);
    const port = sw && portOfSwitch(core.inv, sw.id, cable.port);
    const portId = nicOfNode(core.inv, node.id, nic.name)!.port_id;
    if (port && portId === port.id) im.note('unchanged', 'cable', cableName);
    else im.create(nic.path, 'cable', cableName, () => connectNic(core, p, cable.switch, cable.port, n.name, nic.name));
  }
}

/** A MAC address compared without case or separators. */
function macKey(mac: string): string {
  return mac.toLowerCase().replace(/[:.-]/g, '');
}

function importNetwork(im: Importer, n: NetworkEntry): void {
  const { core, p } = im;
  if (n.owner !== 'admin' && im.isFailed('project', n.owner)) return;
  const ownerAccess = n.owner === 'admin' ? n.access : n.access.length === 0 ? [n.owner] : n.access;
  if (n.owner !== 'admin' && !ownerAccess.includes(n.owner)) {
    im.fail(`${n.path}.access`, `a project's network is always on its owner's access list: add "${n.owner}"`);
    return;
  }
  const net = networkByLabel(core.inv, n.name);
  let current: string[];
  if (!net) {
    const first = n.owner === 'admin' ? ownerAccess[0] ?? '' : n.owner;
    const netId = n.netId === null ? '' : String(n.netId);
    if (!im.create(n.path, 'network', n.name, () => createNetwork(core, p, n.name, n.owner, first, netId))) return;
    current = accessProjectLabels(core.inv, networkByLabel(core.inv, n.name)!.id);
    for (const project of current) im.note('create', 'access', `${n.name} ${project}`);
  } else {
    const owner = net.owner_id === null ? 'admin' : projectLabelOf(core.inv, net.owner_id);
    const differ = [owner !== n.owner ? `owner (${owner})` : null, n.netId !== null && n.netId !== net.net_id ? `net_id (${net.net_id})` : null]
      .filter((d): d is string => d !== null);
    if (differ.length > 0) {
      im.fail(n.path, `network "${n.name}" differs from the inventory in ${differ.join(', ')}; import does not change a network's owner or net_id`);
      return;
    }
    current = accessProjectLabels(core.inv, net.id);
    if (current.length > 0 && ownerAccess.length === 0) {
      im.fail(`${n.path}.access`, `network "${n.name}" is open to ${current.join(', ')} only in the inventory; import never revokes access (haas network revoke-access)`);
      return;
    }
    if (current.length === 0 && ownerAccess.length > 0) {
      im.fail(`${n.path}.access`, `network "${n.name}" is public in the inventory; granting access to projects would make it private`);
      return;
    }
    im.note('unchanged', 'network', n.name);
    for (const project of current.filter((pr) => ownerAccess.includes(pr))) im.note('unchanged', 'access', `${n.name} ${project}`);
  }
  ownerAccess.forEach((project, i) => {
    if (current.includes(project) || im.isFailed('project', project)) return;
    im.create(`${n.path}.access[${i}]`, 'access', `${n.name} ${project}`, () => grantAccess(core, p, n.name, project));
  });
}

function apply(im: Importer, doc: InventoryDocument): void {
  for (const pr of doc.projects) {
    if (projectByLabel(im.core.inv, pr.name)) im.note('unchanged', 'project', pr.name);
    else im.create(pr.path, 'project', pr.name, () => createProject(im.core, im.p, pr.name));
  }
  for (const s of doc.switches) importSwitch(im, s);
  for (const n of doc.nodes) importNode(im, n);
  // Networks with a given net_id first: one taken from the pool must not take theirs.
  for (const n of doc.networks.filter((e) => e.netId !== null)) importNetwork(im, n);
  for (const n of doc.networks.filter((e) => e.netId === null)) importNetwork(im, n);
}

function countsOf(changes: InventoryChange[]): Record<ChangeAction, number> {
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}

/** The problems as one message: a line each, `source: path: problem`. */
function problemsMessage(source: string | null, problems: DocumentProblem[]): string {
  const prefix = source === null ? '' : `${source}: `;
  const lines = problems.map((pr) => `${prefix}${pr.path === '' ? '' : `${pr.path}: `}${pr.message}`);
  const n = problems.length;
  return [`${source ?? 'the document'} has ${n} problem${n === 1 ? '' : 's'}; nothing was imported:`, ...lines].join('\n');
}

/**
 * Import a document (admin): the diff, applied in one transaction unless `dryRun` (then rolled
 * back). A document with problems changes nothing: a BadArgumentError lists every problem. The
 * call's audit entry gets the counts; no secret appears in the report, the errors or the entry.
 */
export function importInventory(core: Core, p: Principal, req: ImportRequest): ImportReport {
  requireAdmin(p);
  const call = currentCall(core.inv);
  const { doc, problems } = readInventoryDocument(req.document, core, req.secrets);
  const im = new Importer(core, p);
  im.problems.push(...problems);
  let applied = false;
  try {
    core.inv.tx(() => {
      apply(im, doc);
      const counts = countsOf(im.changes);
      if (call) Object.assign(call.detail, { created: counts.create, updated: counts.update, unchanged: counts.unchanged, problems: im.problems.length });
      if (im.problems.length > 0 || req.dryRun) throw new RollBack();
      applied = true;
    });
  } catch (e) {
    if (!(e instanceof RollBack)) throw e;
  }
  if (im.problems.length > 0) throw new BadArgumentError(problemsMessage(req.source, im.problems));
  return { dry_run: req.dryRun, applied, counts: countsOf(im.changes), changes: im.changes };
}
