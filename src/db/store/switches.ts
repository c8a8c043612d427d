// Store: switches, their ports, the cabling of nics to ports, and the
// switches' SSH host keys.
import type { Inventory } from '../inventory.js';

/** A switch row; host_key and the columns after it: see schema.sql (SSH host keys). */
export interface SwitchRow {
  id: number; label: string; type: string; config: string;
  host_key: string | null; host_key_origin: 'first-use' | 'admin' | null; host_key_recorded_at: string | null; host_key_refused: string | null;
}
/** A port row. */
export interface PortRow { id: number; switch_id: number; label: string }

/** The switch named `label`, or undefined. */
export function switchByLabel(inv: Inventory, label: string): SwitchRow | undefined {
  return inv.get<SwitchRow>('SELECT * FROM switch WHERE label = ?', label);
}

/** The switch with this id if it still has this label (not deleted and registered again), or undefined. */
export function switchByIdAndLabel(inv: Inventory, id: number, label: string): SwitchRow | undefined {
  return inv.get<SwitchRow>('SELECT * FROM switch WHERE id = ? AND label = ?', id, label);
}

/** Every switch, by label. */
export function allSwitches(inv: Inventory): SwitchRow[] {
  return inv.all<SwitchRow>('SELECT * FROM switch ORDER BY label');
}

/** Every switch's label, sorted. */
export function switchLabels(inv: Inventory): string[] {
  return inv.column<string>('SELECT label FROM switch ORDER BY label');
}

/** The switches the node's nics are cabled to, by label. */
export function switchesOfNode(inv: Inventory, nodeId: number): SwitchRow[] {
  return inv.all<SwitchRow>(
    `SELECT DISTINCT switch.* FROM switch JOIN port ON port.switch_id = switch.id JOIN nic ON nic.port_id = port.id
      WHERE nic.node_id = ? ORDER BY switch.label`, nodeId);
}

/** Insert a switch of the driver `type` (short name) with its driver fields as JSON text; the label must be free (UNIQUE). */
export function addSwitch(inv: Inventory, label: string, type: string, config: string): void {
  inv.run('INSERT INTO switch (label, type, config) VALUES (?, ?, ?)', label, type, config);
}

/** Delete a switch (it must have no ports: foreign key). */
export function removeSwitch(inv: Inventory, switchId: number): void {
  inv.run('DELETE FROM switch WHERE id = ?', switchId);
}

/** The port named `label` of the switch, or undefined. */
export function portOfSwitch(inv: Inventory, switchId: number, label: string): PortRow | undefined {
  return inv.get<PortRow>('SELECT * FROM port WHERE switch_id = ? AND label = ?', switchId, label);
}

/** Whether the switch has ports. */
export function switchHasPorts(inv: Inventory, switchId: number): boolean {
  return inv.get('SELECT 1 FROM port WHERE switch_id = ?', switchId) !== undefined;
}

/** The labels of the switch's ports, in registration order. */
export function portLabelsOfSwitch(inv: Inventory, switchId: number): string[] {
  return inv.column<string>('SELECT label FROM port WHERE switch_id = ? ORDER BY id', switchId);
}

/** How many ports the switch has. */
export function portCountOfSwitch(inv: Inventory, switchId: number): number {
  return inv.get<{ n: number }>('SELECT count(*) AS n FROM port WHERE switch_id = ?', switchId)?.n ?? 0;
}

/** Insert a port of the switch; its label must be free on that switch (UNIQUE). */
export function addPort(inv: Inventory, switchId: number, label: string): void {
  inv.run('INSERT INTO port (switch_id, label) VALUES (?, ?)', switchId, label);
}

/** Delete a port (no nic may be cabled to it: foreign key). */
export function removePort(inv: Inventory, portId: number): void {
  inv.run('DELETE FROM port WHERE id = ?', portId);
}

/** The driver type (short name) of the switch the port belongs to, or undefined when there is no such port. */
export function switchTypeOfPort(inv: Inventory, portId: number): string | undefined {
  return inv.get<{ type: string }>('SELECT s.type FROM port p JOIN switch s ON s.id = p.switch_id WHERE p.id = ?', portId)?.type;
}

/** The nic cabled to a port: its id and label, its node's label and project (null: a free node). */
export interface CabledNicRow { id: number; label: string; node: string; project_id: number | null }

/** The nic cabled to the port, or undefined. */
export function nicOnPort(inv: Inventory, portId: number): CabledNicRow | undefined {
  return inv.get<CabledNicRow>(
    'SELECT nic.id, nic.label, node.label AS node, node.project_id FROM nic JOIN node ON node.id = nic.node_id WHERE nic.port_id = ?', portId);
}

/** Record that the nic is cabled to the port (one nic per port: UNIQUE). */
export function cableNic(inv: Inventory, nicId: number, portId: number): void {
  inv.run('UPDATE nic SET port_id = ? WHERE id = ?', portId, nicId);
}

/** Record that the nic is cabled to no port. */
export function uncableNic(inv: Inventory, nicId: number): void {
  inv.run('UPDATE nic SET port_id = NULL WHERE id = ?', nicId);
}

/** Record the host key an admin gave (or accepted) for the switch, at `at`, and forget any refused key. */
export function setHostKeyByAdmin(inv: Inventory, switchId: number, fingerprint: string, at: string): void {
  inv.run(`UPDATE switch SET host_key = ?, host_key_origin = 'admin', host_key_recorded_at = ?, host_key_refused = NULL WHERE id = ?`,
    fingerprint, at, switchId);
}

/** Record the switch's first host key, at `at`, unless one is on record; whether it was recorded. */
export function recordFirstHostKey(inv: Inventory, switchId: number, fingerprint: string, at: string): boolean {
  return inv.run(`UPDATE switch SET host_key = ?, host_key_origin = 'first-use', host_key_recorded_at = ? WHERE id = ? AND host_key IS NULL`,
    fingerprint, at, switchId).changes > 0;
}

/** Note the last host key the switch presented and that was refused. */
export function recordRefusedHostKey(inv: Inventory, switchId: number, fingerprint: string): void {
  inv.run('UPDATE switch SET host_key_refused = ? WHERE id = ?', fingerprint, switchId);
}

/** The switch's label and the host key on record (null: none yet), or undefined when there is no such switch. */
export function hostKeyOf(inv: Inventory, switchId: number): Pick<SwitchRow, 'label' | 'host_key'> | undefined {
  return inv.get<Pick<SwitchRow, 'label' | 'host_key'>>('SELECT label, host_key FROM switch WHERE id = ?', switchId);
}
