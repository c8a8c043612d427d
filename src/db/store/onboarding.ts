// Store: what onboarding a switch reads and writes (issue 15): the ports an
// import left unmanaged for the admin to decide, the cabling of a switch's
// ports as an import sees it, and networks by VLAN id.
import type { Inventory } from '../inventory.js';

/** A port an import left for the admin: its label, since when, what the switch carried and why it was not adopted. */
export interface UnmanagedPortRow { port: string; since: string; found: string; reason: string }

/** Mark the port unmanaged (or update its mark): haas must neither park nor repair it until cleared. */
export function markPortUnmanaged(inv: Inventory, portId: number, since: string, found: string, reason: string): void {
  inv.run('INSERT OR REPLACE INTO unmanaged_port (port_id, since, found, reason) VALUES (?, ?, ?, ?)', portId, since, found, reason);
}

/** Clear the port's unmanaged mark; returns whether it had one. */
export function clearPortUnmanaged(inv: Inventory, portId: number): boolean {
  return inv.run('DELETE FROM unmanaged_port WHERE port_id = ?', portId).changes > 0;
}

/** Whether the port is unmanaged (an import left it for the admin to decide). */
export function portIsUnmanaged(inv: Inventory, portId: number): boolean {
  return inv.get<{ one: number }>('SELECT 1 AS one FROM unmanaged_port WHERE port_id = ?', portId) !== undefined;
}

/** The unmanaged ports of the switch, by port label. */
export function unmanagedPortsOfSwitch(inv: Inventory, switchId: number): UnmanagedPortRow[] {
  return inv.all<UnmanagedPortRow>(
    `SELECT p.label AS port, u.since, u.found, u.reason FROM unmanaged_port u JOIN port p ON p.id = u.port_id
      WHERE p.switch_id = ? ORDER BY p.label`, switchId);
}

/**
 * A registered port as an import sees it: the nic cabled to it (if any), that nic's node and the
 * node's project, how many attachments the nic has and whether it has a PENDING action.
 */
export interface ImportPortRow {
  port_id: number; port: string;
  nic_id: number | null; nic: string | null; node: string | null;
  project_id: number | null; project: string | null;
  attachments: number; pending: boolean;
}

/** Every registered port of the switch with its cabling (see ImportPortRow), by port label. */
export function importPortsOfSwitch(inv: Inventory, switchId: number): ImportPortRow[] {
  return inv.all<Omit<ImportPortRow, 'pending'> & { pending: number }>(
    `SELECT p.id AS port_id, p.label AS port, nic.id AS nic_id, nic.label AS nic, node.label AS node,
            node.project_id, pr.label AS project,
            (SELECT count(*) FROM attachment a WHERE a.nic_id = nic.id) AS attachments,
            EXISTS (SELECT 1 FROM networking_action na WHERE na.nic_id = nic.id AND na.status = 'PENDING') AS pending
       FROM port p LEFT JOIN nic ON nic.port_id = p.id LEFT JOIN node ON node.id = nic.node_id
       LEFT JOIN project pr ON pr.id = node.project_id
      WHERE p.switch_id = ? ORDER BY p.label`, switchId)
    .map((r) => ({ ...r, pending: r.pending === 1 }));
}

/** A network as adoption needs it: id, label, VLAN and the projects on its access list (none: public). */
export interface VlanNetworkRow { id: number; label: string; net_id: number; access: number[] }

/** Every network by its VLAN id, each with its access list. */
export function networksByVlan(inv: Inventory): Map<number, VlanNetworkRow> {
  const rows = inv.all<{ id: number; label: string; net_id: number; project_id: number | null }>(
    'SELECT n.id, n.label, n.net_id, a.project_id FROM network n LEFT JOIN network_access a ON a.network_id = n.id ORDER BY n.id, a.id');
  const out = new Map<number, VlanNetworkRow>();
  for (const r of rows) {
    let net = out.get(r.net_id);
    if (!net) out.set(r.net_id, (net = { id: r.id, label: r.label, net_id: r.net_id, access: [] }));
    if (r.project_id !== null) net.access.push(r.project_id);
  }
  return out;
}
