// Store: networks.
import type { Inventory } from '../inventory.js';

/** A network row; net_id is its VLAN, allocated 1 when the VLAN came from the pool. */
export interface NetworkRow { id: number; label: string; owner_id: number | null; net_id: number; allocated: number }

/** The network named `label`, or undefined. */
export function networkByLabel(inv: Inventory, label: string): NetworkRow | undefined {
  return inv.get<NetworkRow>('SELECT * FROM network WHERE label = ?', label);
}
