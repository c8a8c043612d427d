// Nodes, their NICs and metadata.
import { BadArgumentError, BlockedError, NotFoundError } from '../errors.js';
import { validateFields } from '../drivers/fields.js';
import { obmDriverFor, obmTypeName } from '../drivers/obm/type-names.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustNic, mustNode } from './lookup.js';
import { currentCall, resumeCall } from './audit.js';
import { nodeConsoleKey } from './consoles.js';
import {
  addNic, addNode, allNodes, cabledNicsOfNode, deleteNic as removeNic, deleteNode as removeNode, deleteNodeMetadata, freeNodes,
  metadataOfNode, nicOfNode, nodeAndProject, nodeByLabel, nodeHasNics, setNodeMetadata,
} from '../db/store/nodes.js';
import { attachmentsOfNode } from '../db/store/attachments.js';

/** The body of node_register, as validated at the edge. */
export type NodeRegistration =
  | { obm: { type: string } & Record<string, unknown>; metadata?: Record<string, unknown> }
  | { obmd: { uri: string; admin_token: string }; metadata?: Record<string, unknown> };

/** Register a node with an in-process OBM or an external obmd (admin). */
export function registerNode(core: Core, p: Principal, label: string, body: NodeRegistration): void {
  requireAdmin(p);
  let obmType: string | null = null, obmConfig: string | null = null, obmdUri: string | null = null, obmdToken: string | null = null;
  if ('obm' in body) {
    const { type, ...fields } = body.obm;
    const name = obmTypeName(type);
    const driver = obmDriverFor(core.obmDrivers, type);
    if (!driver) throw new BadArgumentError(`"${type}" is not a valid OBM type (enabled: ${Object.keys(core.obmDrivers).join(', ') || 'none'})`);
    obmType = name;
    obmConfig = JSON.stringify(validateFields(`OBM ${name}`, driver.fields, fields));
  } else {
    let url: URL;
    try { url = new URL(body.obmd.uri); } catch { throw new BadArgumentError(`obmd uri "${body.obmd.uri}" is not a URL`); }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new BadArgumentError('obmd uri must be http or https');
    obmdUri = body.obmd.uri.replace(/\/+$/, '');
    obmdToken = body.obmd.admin_token;
  }
  core.inv.tx(() => {
    assertAbsent(nodeByLabel(core.inv, label), 'node', label);
    const id = addNode(core.inv, { label, obmType, obmConfig, obmdUri, obmdAdminToken: obmdToken });
    for (const [k, v] of Object.entries(body.metadata ?? {})) setNodeMetadata(core.inv, id, k, JSON.stringify(v));
  });
}

/** Delete a free node without nics (admin); an enabled obmd token is revoked first. */
export async function deleteNode(core: Core, p: Principal, label: string): Promise<void> {
  requireAdmin(p);
  const call = currentCall(core.inv);
  const check = () => {
    const node = mustNode(core.inv, label);
    if (node.project_id !== null) throw new BlockedError(`Node "${label}" is in a project; remove it from the project before deleting it`);
    if (nodeHasNics(core.inv, node.id)) throw new BlockedError(`Node "${label}" has nics; remove them before deleting it`);
    return node;
  };
  const node = core.inv.tx(check);
  if (node.obmd_uri && node.obm_enabled) await core.obmd.revokeToken(node);
  resumeCall(core.inv, call, () => core.inv.tx(() => {
    removeNode(core.inv, check().id);
  }));
  core.consoles.end(nodeConsoleKey(label));
}

/** Register a nic on a node (admin). */
export function registerNic(core: Core, p: Principal, nodeLabel: string, nicLabel: string, macaddr: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const node = mustNode(core.inv, nodeLabel);
    assertAbsent(nicOfNode(core.inv, node.id, nicLabel), 'nic', nicLabel);
    addNic(core.inv, node.id, nicLabel, macaddr);
  });
}

/** Delete a nic of a free node, with its cabling and action history (admin). */
export function deleteNic(core: Core, p: Principal, nodeLabel: string, nicLabel: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const node = mustNode(core.inv, nodeLabel);
    const nic = mustNic(core.inv, node, nicLabel);
    if (node.project_id !== null) throw new BlockedError(`Node "${nodeLabel}" is in a project; nics of such nodes cannot be deleted`);
    removeNic(core.inv, nic.id);
  });
}

/** Sorted node labels: free ones, or all (any authenticated user). */
export function listNodes(core: Core, _p: Principal, which: string): string[] {
  return which === 'free' ? freeNodes(core.inv) : allNodes(core.inv);
}

interface ShownNic { label: string; macaddr: string; networks: Record<string, string>; port?: string | null; switch?: string | null }

/** show_node: free node to anyone authenticated, else project access; cabling only for admins. */
export function showNode(core: Core, p: Principal, label: string) {
  const { inv } = core;
  const node = nodeAndProject(inv, label);
  if (!node) throw new NotFoundError(`node "${label}" does not exist`);
  if (node.project_id !== null) requireProjectAccess(p, node.project_id);
  const nics = cabledNicsOfNode(inv, node.id);
  const attachments = attachmentsOfNode(inv, node.id);
  // Labels are the users' own ("__proto__" too): fromEntries makes each one an own key.
  const metadata = Object.fromEntries(metadataOfNode(inv, node.id).map((m) => [m.label, m.value]));
  const shown: ShownNic[] = nics.map((n) => {
    const networks = Object.fromEntries(attachments.filter((a) => a.nic_id === n.id).map((a) => [a.channel, a.network]));
    const s: ShownNic = { label: n.label, macaddr: n.macaddr, networks };
    if (p.admin) { s.port = n.port; s.switch = n.switch; }
    return s;
  });
  return { name: label, project: node.project, nics: shown, metadata };
}

/** Set (insert or replace) a metadata value (admin). */
export function setMetadata(core: Core, p: Principal, nodeLabel: string, key: string, value: unknown): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const node = mustNode(core.inv, nodeLabel);
    setNodeMetadata(core.inv, node.id, key, JSON.stringify(value));
  });
}

/** Delete a metadata value (admin); 404 if absent. */
export function deleteMetadata(core: Core, p: Principal, nodeLabel: string, key: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const node = mustNode(core.inv, nodeLabel);
    if (!deleteNodeMetadata(core.inv, node.id, key)) throw new NotFoundError(`node "${nodeLabel}" has no metadata "${key}"`);
  });
}
