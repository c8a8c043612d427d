// Store: switches and their ports.
import type { Inventory } from '../inventory.js';

/** A switch row; host_key and the columns after it: see schema.sql (SSH host keys). */
export interface SwitchRow {
  id: number; label: string; type: string; config: string;
  host_key: string | null; host_key_origin: string | null; host_key_recorded_at: string | null; host_key_refused: string | null;
}
/** A port row. */
export interface PortRow { id: number; switch_id: number; label: string }

/** The switch named `label`, or undefined. */
export function switchByLabel(inv: Inventory, label: string): SwitchRow | undefined {
  return inv.get<SwitchRow>('SELECT * FROM switch WHERE label = ?', label);
}

/** The port named `label` of the switch, or undefined. */
export function portOfSwitch(inv: Inventory, switchId: number, label: string): PortRow | undefined {
  return inv.get<PortRow>('SELECT * FROM port WHERE switch_id = ? AND label = ?', switchId, label);
}
