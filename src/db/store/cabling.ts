// Store: what learning the cabling from a switch's MAC table reads: every
// nic with its MAC address and where it is cabled, and each port of one
// switch with the nic on it and whether that nic is on a network.
import type { Inventory } from '../inventory.js';

/** A nic, its node, its MAC address as registered, and the switch and port it is cabled to (null: none). */
export interface NicCablingRow { nic_id: number; node: string; nic: string; macaddr: string; switch: string | null; port: string | null }

/** A registered port of a switch, the nic cabled to it (nulls: none), and how many networks that nic is on (pending actions included). */
export interface PortCablingRow { port_id: number; port: string; nic_id: number | null; node: string | null; nic: string | null; networks: number }

/** Every nic of every node with its cabling, by node then nic label. */
export function nicCabling(inv: Inventory): NicCablingRow[] {
  return inv.all<NicCablingRow>(
    `SELECT nic.id AS nic_id, node.label AS node, nic.label AS nic, nic.macaddr, switch.label AS switch, port.label AS port
       FROM nic JOIN node ON node.id = nic.node_id
       LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch ON switch.id = port.switch_id
      ORDER BY node.label, nic.label`);
}

/** The registered ports of a switch with their nics, by port label; `networks` counts attachments and pending actions. */
export function portCabling(inv: Inventory, switchId: number): PortCablingRow[] {
  return inv.all<PortCablingRow>(
    `SELECT port.id AS port_id, port.label AS port, nic.id AS nic_id, node.label AS node, nic.label AS nic,
            CASE WHEN nic.id IS NULL THEN 0 ELSE
              (SELECT COUNT(*) FROM attachment WHERE attachment.nic_id = nic.id)
              + (SELECT COUNT(*) FROM networking_action a WHERE a.nic_id = nic.id AND a.status = 'PENDING') END AS networks
       FROM port LEFT JOIN nic ON nic.port_id = port.id LEFT JOIN node ON node.id = nic.node_id
      WHERE port.switch_id = ?
      ORDER BY port.label`, switchId);
}
