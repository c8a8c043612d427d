// Store: networking actions (the queue the worker applies).
import type { Inventory } from '../inventory.js';

/** Whether the nic has a PENDING networking action. */
export function nicHasPendingAction(inv: Inventory, nicId: number): boolean {
  return inv.get("SELECT 1 FROM networking_action WHERE nic_id = ? AND status = 'PENDING'", nicId) !== undefined;
}

/** Whether any nic of the node has a PENDING networking action. */
export function nodeHasPendingAction(inv: Inventory, nodeId: number): boolean {
  return inv.get(`SELECT 1 FROM networking_action a JOIN nic ON nic.id = a.nic_id
                   WHERE nic.node_id = ? AND a.status = 'PENDING'`, nodeId) !== undefined;
}

/** Whether a PENDING networking action puts a nic on the network. */
export function networkHasPendingAction(inv: Inventory, networkId: number): boolean {
  return inv.get("SELECT 1 FROM networking_action WHERE new_network_id = ? AND status = 'PENDING'", networkId) !== undefined;
}
