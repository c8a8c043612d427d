// Store: networks, their VLANs and their access lists (no rows = public).
import type { Inventory } from '../inventory.js';

/** A network; net_id is its VLAN, allocated whether the VLAN came from the pool (and returns to it). */
export interface NetworkRow { id: number; label: string; owner_id: number | null; net_id: number; allocated: boolean }

/** The network named `label`, or undefined. */
export function networkByLabel(inv: Inventory, label: string): NetworkRow | undefined {
  const row = inv.get<Omit<NetworkRow, 'allocated'> & { allocated: number }>(
    'SELECT id, label, owner_id, net_id, allocated FROM network WHERE label = ?', label);
  return row && { ...row, allocated: row.allocated === 1 };
}

/** Whether some network uses the VLAN. */
export function vlanInUse(inv: Inventory, vlan: number): boolean {
  return inv.get('SELECT 1 FROM network WHERE net_id = ?', vlan) !== undefined;
}

/** The VLANs of networks between `from` and `to` (inclusive), ascending. */
export function vlansInUseBetween(inv: Inventory, from: number, to: number): number[] {
  return inv.column<number>('SELECT net_id FROM network WHERE net_id BETWEEN ? AND ? ORDER BY net_id', from, to);
}

/** What a new network is made of (ownerId null: owned by the admins). */
export interface NewNetwork { label: string; ownerId: number | null; vlan: number; allocated: boolean }

/** Insert a network; returns its id. The label and the VLAN must be free (UNIQUE). */
export function addNetwork(inv: Inventory, n: NewNetwork): number {
  return Number(inv.run('INSERT INTO network (label, owner_id, net_id, allocated) VALUES (?, ?, ?, ?)',
    n.label, n.ownerId, n.vlan, n.allocated ? 1 : 0).lastInsertRowid);
}

/** Delete a network and its access list (its attachments, hnics and pending actions must be gone: foreign keys). */
export function removeNetwork(inv: Inventory, networkId: number): void {
  inv.run('DELETE FROM network_access WHERE network_id = ?', networkId);
  inv.run('DELETE FROM network WHERE id = ?', networkId);
}

/** Every network's id, label and VLAN, by label. */
export function allNetworks(inv: Inventory): Array<{ id: number; label: string; net_id: number }> {
  return inv.all<{ id: number; label: string; net_id: number }>('SELECT id, label, net_id FROM network ORDER BY label');
}

/** Put a project on a network's access list (once: UNIQUE). */
export function grantNetworkAccess(inv: Inventory, networkId: number, projectId: number): void {
  inv.run('INSERT INTO network_access (network_id, project_id) VALUES (?, ?)', networkId, projectId);
}

/** Take a project off a network's access list (nothing if it is not on it). */
export function revokeNetworkAccess(inv: Inventory, networkId: number, projectId: number): void {
  inv.run('DELETE FROM network_access WHERE network_id = ? AND project_id = ?', networkId, projectId);
}

/** Whether the project is on the network's access list. */
export function hasNetworkAccess(inv: Inventory, networkId: number, projectId: number): boolean {
  return inv.get('SELECT 1 FROM network_access WHERE network_id = ? AND project_id = ?', networkId, projectId) !== undefined;
}

/** The ids of the projects on the network's access list, in grant order (empty: public). */
export function accessProjectIds(inv: Inventory, networkId: number): number[] {
  return inv.column<number>('SELECT project_id FROM network_access WHERE network_id = ? ORDER BY id', networkId);
}

/** The labels of the projects on the network's access list, in grant order. */
export function accessProjectLabels(inv: Inventory, networkId: number): string[] {
  return inv.column<string>('SELECT p.label FROM network_access a JOIN project p ON p.id = a.project_id WHERE a.network_id = ? ORDER BY a.id', networkId);
}

/** One entry of an access list: a network's id and the label of a project on it. */
export interface AccessGrantRow { network_id: number; project: string }

/** Every access-list entry of every network, by project label. */
export function allAccessGrants(inv: Inventory): AccessGrantRow[] {
  return inv.all<AccessGrantRow>('SELECT a.network_id, p.label AS project FROM network_access a JOIN project p ON p.id = a.project_id ORDER BY p.label');
}

/** A network's VLAN with its owner and one project on its access list (project_id null: the network is public). */
export interface VlanGrantRow { net_id: number; owner_id: number | null; project_id: number | null }

/** Every network's VLAN once per project on its access list (once with project_id null when public). */
export function vlanGrants(inv: Inventory): VlanGrantRow[] {
  return inv.all<VlanGrantRow>('SELECT net.net_id, net.owner_id, a.project_id FROM network net LEFT JOIN network_access a ON a.network_id = net.id');
}

/** Whether the project owns any network. */
export function projectOwnsNetworks(inv: Inventory, projectId: number): boolean {
  return inv.get('SELECT 1 FROM network WHERE owner_id = ?', projectId) !== undefined;
}

/** Whether the project is on any network's access list. */
export function projectOnAccessLists(inv: Inventory, projectId: number): boolean {
  return inv.get('SELECT 1 FROM network_access WHERE project_id = ?', projectId) !== undefined;
}

/** Labels of the networks whose access list holds the project, sorted. */
export function networksAccessibleBy(inv: Inventory, projectId: number): string[] {
  return inv.column<string>(
    'SELECT n.label FROM network n JOIN network_access a ON a.network_id = n.id WHERE a.project_id = ? ORDER BY n.label', projectId);
}
