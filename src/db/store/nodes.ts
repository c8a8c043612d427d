// Store: nodes and their nics.
import type { Inventory } from '../inventory.js';

/** A node row (obm_enabled is 0 or 1). */
export interface NodeRow {
  id: number; label: string; project_id: number | null;
  obm_type: string | null; obm_config: string | null;
  obmd_uri: string | null; obmd_admin_token: string | null; obmd_node_token: string | null;
  obm_enabled: number;
}
/** A nic row; port_id: the switch port it is cabled to, or null. */
export interface NicRow { id: number; node_id: number; label: string; macaddr: string; port_id: number | null }

/** The node named `label`, or undefined. */
export function nodeByLabel(inv: Inventory, label: string): NodeRow | undefined {
  return inv.get<NodeRow>('SELECT * FROM node WHERE label = ?', label);
}

/** The nic named `label` of the node, or undefined. */
export function nicOfNode(inv: Inventory, nodeId: number, label: string): NicRow | undefined {
  return inv.get<NicRow>('SELECT * FROM nic WHERE node_id = ? AND label = ?', nodeId, label);
}
