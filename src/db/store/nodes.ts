// Store: nodes, their nics and their metadata.
import type { Inventory } from '../inventory.js';

/** A node row; obm_config is the driver's fields as JSON, obmd_* are set for a node behind obmd. */
export interface NodeRow {
  id: number; label: string; project_id: number | null;
  obm_type: string | null; obm_config: string | null;
  obmd_uri: string | null; obmd_admin_token: string | null; obmd_node_token: string | null;
  obm_enabled: boolean;
}
/** A nic row; port_id: the switch port it is cabled to, or null. */
export interface NicRow { id: number; node_id: number; label: string; macaddr: string; port_id: number | null }

/** How a node is stored: SQLite has no booleans. */
type StoredNode = Omit<NodeRow, 'obm_enabled'> & { obm_enabled: number };

/** The node named `label`, or undefined. */
export function nodeByLabel(inv: Inventory, label: string): NodeRow | undefined {
  const r = inv.get<StoredNode>('SELECT * FROM node WHERE label = ?', label);
  return r && { ...r, obm_enabled: r.obm_enabled === 1 };
}

/** What a new node is: its OBM is either an in-process driver (type and config) or an obmd (uri and admin token). */
export interface NewNode {
  label: string; obmType: string | null; obmConfig: string | null; obmdUri: string | null; obmdAdminToken: string | null;
}

/** Add a node (OBM disabled, in no project); returns its id. */
export function addNode(inv: Inventory, n: NewNode): number {
  const { lastInsertRowid } = inv.run('INSERT INTO node (label, obm_type, obm_config, obmd_uri, obmd_admin_token) VALUES (?, ?, ?, ?, ?)',
    n.label, n.obmType, n.obmConfig, n.obmdUri, n.obmdAdminToken);
  return Number(lastInsertRowid);
}

/** Delete the node and its metadata (its nics must be gone: the foreign key refuses otherwise). */
export function deleteNode(inv: Inventory, nodeId: number): void {
  inv.run('DELETE FROM node_metadata WHERE node_id = ?', nodeId);
  inv.run('DELETE FROM node WHERE id = ?', nodeId);
}

/** Labels of the nodes in no project, sorted. */
export function freeNodes(inv: Inventory): string[] {
  return inv.column<string>('SELECT label FROM node WHERE project_id IS NULL ORDER BY label');
}

/** Labels of all nodes, sorted. */
export function allNodes(inv: Inventory): string[] {
  return inv.column<string>('SELECT label FROM node ORDER BY label');
}

/** Labels of the project's nodes in registration order. */
export function nodesOfProject(inv: Inventory, projectId: number): string[] {
  return inv.column<string>('SELECT label FROM node WHERE project_id = ? ORDER BY id', projectId);
}

/** Whether any node is in the project. */
export function projectHasNodes(inv: Inventory, projectId: number): boolean {
  return inv.get('SELECT 1 FROM node WHERE project_id = ?', projectId) !== undefined;
}

/** Put the node into the project, or (null) free it. */
export function setNodeProject(inv: Inventory, nodeId: number, projectId: number | null): void {
  inv.run('UPDATE node SET project_id = ? WHERE id = ?', projectId, nodeId);
}

/** Enable or disable the OBM of a node with an in-process driver. */
export function setNodeObmEnabled(inv: Inventory, nodeId: number, enabled: boolean): void {
  inv.run('UPDATE node SET obm_enabled = ? WHERE id = ?', enabled ? 1 : 0, nodeId);
}

/** Replace the driver fields (JSON text) of a node with an in-process OBM driver. */
export function setNodeObmConfig(inv: Inventory, nodeId: number, config: string): void {
  inv.run('UPDATE node SET obm_config = ? WHERE id = ?', config, nodeId);
}

/** Enable the OBM of a node behind obmd, keeping the node token obmd gave. */
export function enableObmdNode(inv: Inventory, nodeId: number, nodeToken: string): void {
  inv.run('UPDATE node SET obm_enabled = 1, obmd_node_token = ? WHERE id = ?', nodeToken, nodeId);
}

/** Disable the OBM of a node behind obmd and forget its node token. */
export function disableObmdNode(inv: Inventory, nodeId: number): void {
  inv.run('UPDATE node SET obm_enabled = 0, obmd_node_token = NULL WHERE id = ?', nodeId);
}

/** A node as show_node names it: its id, project id and project label (null when free). */
export interface NodeAndProject { id: number; project_id: number | null; project: string | null }

/** The node named `label` with its project's label, or undefined. */
export function nodeAndProject(inv: Inventory, label: string): NodeAndProject | undefined {
  return inv.get<NodeAndProject>(
    'SELECT n.id, n.project_id, p.label AS project FROM node n LEFT JOIN project p ON p.id = n.project_id WHERE n.label = ?', label);
}

/** The nic named `label` of the node, or undefined. */
export function nicOfNode(inv: Inventory, nodeId: number, label: string): NicRow | undefined {
  return inv.get<NicRow>('SELECT * FROM nic WHERE node_id = ? AND label = ?', nodeId, label);
}

/** Whether the node has any nic. */
export function nodeHasNics(inv: Inventory, nodeId: number): boolean {
  return inv.get('SELECT 1 FROM nic WHERE node_id = ?', nodeId) !== undefined;
}

/** A nic with the labels of the port and switch it is cabled to (null when uncabled). */
export interface CabledNic { id: number; label: string; macaddr: string; port: string | null; switch: string | null }

/** The node's nics in registration order, with their cabling. */
export function cabledNicsOfNode(inv: Inventory, nodeId: number): CabledNic[] {
  return inv.all<CabledNic>(
    `SELECT nic.id, nic.label, nic.macaddr, port.label AS port, switch.label AS switch
       FROM nic LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch ON switch.id = port.switch_id
      WHERE nic.node_id = ? ORDER BY nic.id`, nodeId);
}

/** Add a nic (uncabled) to the node; returns its id. */
export function addNic(inv: Inventory, nodeId: number, label: string, macaddr: string): number {
  return Number(inv.run('INSERT INTO nic (node_id, label, macaddr) VALUES (?, ?, ?)', nodeId, label, macaddr).lastInsertRowid);
}

/** Delete the nic with its attachments and its networking-action history. */
export function deleteNic(inv: Inventory, nicId: number): void {
  inv.run('DELETE FROM attachment WHERE nic_id = ?', nicId);
  inv.run('DELETE FROM networking_action WHERE nic_id = ?', nicId);
  inv.run('DELETE FROM nic WHERE id = ?', nicId);
}

/** One metadata entry; value is the JSON text of the value set. */
export interface NodeMetadata { label: string; value: string }

/** The node's metadata in the order the keys were first set. */
export function metadataOfNode(inv: Inventory, nodeId: number): NodeMetadata[] {
  return inv.all<NodeMetadata>('SELECT label, value FROM node_metadata WHERE node_id = ? ORDER BY id', nodeId);
}

/** Set the node's metadata `key` to `json` (a JSON text), replacing its value if the key exists. */
export function setNodeMetadata(inv: Inventory, nodeId: number, key: string, json: string): void {
  inv.run('INSERT INTO node_metadata (node_id, label, value) VALUES (?, ?, ?) ON CONFLICT (node_id, label) DO UPDATE SET value = excluded.value',
    nodeId, key, json);
}

/** Delete the node's metadata `key`; false when there was none. */
export function deleteNodeMetadata(inv: Inventory, nodeId: number, key: string): boolean {
  return inv.run('DELETE FROM node_metadata WHERE node_id = ? AND label = ?', nodeId, key).changes > 0;
}
