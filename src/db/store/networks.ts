// Store: networks.
import type { Inventory } from '../inventory.js';

/** A network row; net_id is its VLAN, allocated 1 when the VLAN came from the pool. */
export interface NetworkRow { id: number; label: string; owner_id: number | null; net_id: number; allocated: number }

/** The network named `label`, or undefined. */
export function networkByLabel(inv: Inventory, label: string): NetworkRow | undefined {
  return inv.get<NetworkRow>('SELECT * FROM network WHERE label = ?', label);
}

// added by store-inv
// (allNetworks and allAccessGrants as store-net wrote them: the bench's reference server uses them too.)

/** Every network's id, label and VLAN, by label. */
export function allNetworks(inv: Inventory): Array<{ id: number; label: string; net_id: number }> {
  return inv.all<{ id: number; label: string; net_id: number }>('SELECT id, label, net_id FROM network ORDER BY label');
}

/** One entry of an access list: a network's id and the label of a project on it. */
export interface AccessGrantRow { network_id: number; project: string }

/** Every access-list entry of every network, by project label. */
export function allAccessGrants(inv: Inventory): AccessGrantRow[] {
  return inv.all<AccessGrantRow>('SELECT a.network_id, p.label AS project FROM network_access a JOIN project p ON p.id = a.project_id ORDER BY p.label');
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
