// Store: attachments, a network on a nic on a channel ("vlan/native" or
// "vlan/<id>"). They change only when a networking action is DONE.
import type { Inventory } from '../inventory.js';

/** Attach the network to the nic on the channel, replacing whatever the nic had on that channel. */
export function putAttachment(inv: Inventory, nicId: number, networkId: number, channel: string): void {
  inv.run('INSERT OR REPLACE INTO attachment (nic_id, network_id, channel) VALUES (?, ?, ?)', nicId, networkId, channel);
}

/** Remove the nic's attachment on the channel (nothing if there is none). */
export function removeAttachment(inv: Inventory, nicId: number, channel: string): void {
  inv.run('DELETE FROM attachment WHERE nic_id = ? AND channel = ?', nicId, channel);
}

/** Remove every attachment of the nic. */
export function removeAttachmentsOfNic(inv: Inventory, nicId: number): void {
  inv.run('DELETE FROM attachment WHERE nic_id = ?', nicId);
}

/** The channel the network is attached on to the nic, or undefined when it is not attached to it. */
export function attachmentChannel(inv: Inventory, nicId: number, networkId: number): string | undefined {
  return inv.get<{ channel: string }>('SELECT channel FROM attachment WHERE nic_id = ? AND network_id = ?', nicId, networkId)?.channel;
}

/** The channels in use on the nic. */
export function channelsOfNic(inv: Inventory, nicId: number): string[] {
  return inv.column<string>('SELECT channel FROM attachment WHERE nic_id = ?', nicId);
}

/** An attachment of a nic: the channel and the network's label. */
export interface NicAttachmentRow { channel: string; network: string }

/** The nic's attachments, in the order they were made. */
export function attachmentsOfNic(inv: Inventory, nicId: number): NicAttachmentRow[] {
  return inv.all<NicAttachmentRow>(
    'SELECT a.channel, n.label AS network FROM attachment a JOIN network n ON n.id = a.network_id WHERE a.nic_id = ? ORDER BY a.id', nicId);
}

/** An attachment of a nic as VLANs: the channel and the network's VLAN. */
export interface NicVlanRow { channel: string; net_id: number }

/** The VLANs of the nic's attachments (what its port carries by the inventory). */
export function vlansOfNic(inv: Inventory, nicId: number): NicVlanRow[] {
  return inv.all<NicVlanRow>(
    'SELECT att.channel, net.net_id FROM attachment att JOIN network net ON net.id = att.network_id WHERE att.nic_id = ?', nicId);
}

/** Whether any nic is attached to the network. */
export function networkHasAttachments(inv: Inventory, networkId: number): boolean {
  return inv.get('SELECT 1 FROM attachment WHERE network_id = ?', networkId) !== undefined;
}

/** Whether a node of the project has a nic attached to the network. */
export function projectHasAttachments(inv: Inventory, networkId: number, projectId: number): boolean {
  return inv.get(`SELECT 1 FROM attachment a JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id
                   WHERE a.network_id = ? AND node.project_id = ?`, networkId, projectId) !== undefined;
}

/** A nic attached to a network: its node's label, its own, and its node's project (null: a free node). */
export interface NetworkNicRow { node: string; nic: string; project_id: number | null }

/** Every nic attached to the network, by node label then nic creation. */
export function nicsOnNetwork(inv: Inventory, networkId: number): NetworkNicRow[] {
  return inv.all<NetworkNicRow>(
    `SELECT node.label AS node, nic.label AS nic, node.project_id FROM attachment a
       JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id
      WHERE a.network_id = ? ORDER BY node.label, nic.id`, networkId);
}

/** An attachment to a network of a node in a project: node, nic, channel and the project's label and id. */
export interface NetworkAttachmentRow { node: string; nic: string; channel: string; project: string; project_id: number }

/** The network's attachments of nodes that are in a project, by node label then nic label. */
export function attachmentsOfNetwork(inv: Inventory, networkId: number): NetworkAttachmentRow[] {
  return inv.all<NetworkAttachmentRow>(
    `SELECT node.label AS node, nic.label AS nic, a.channel, p.label AS project, p.id AS project_id
       FROM attachment a JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id JOIN project p ON p.id = node.project_id
      WHERE a.network_id = ? ORDER BY node.label, nic.label`, networkId);
}

/** An attachment on a switch port: the port's label, the channel and the network's VLAN. */
export interface PortVlanRow { port: string; channel: string; net_id: number }

/** The attachments of the nics cabled to the switch's ports, as VLANs per port (no order). */
export function vlansOnSwitch(inv: Inventory, switchId: number): PortVlanRow[] {
  return inv.all<PortVlanRow>(
    `SELECT port.label AS port, a.channel, net.net_id
       FROM port JOIN nic ON nic.port_id = port.id JOIN attachment a ON a.nic_id = nic.id
       JOIN network net ON net.id = a.network_id
      WHERE port.switch_id = ?`, switchId);
}

/** An attachment of one of a node's nics: the nic's id, the channel and the network's label. */
export interface NodeAttachmentRow { nic_id: number; channel: string; network: string }

/** The attachments of all the node's nics (no order). */
export function attachmentsOfNode(inv: Inventory, nodeId: number): NodeAttachmentRow[] {
  return inv.all<NodeAttachmentRow>(
    `SELECT a.nic_id, a.channel, net.label AS network FROM attachment a
       JOIN nic ON nic.id = a.nic_id JOIN network net ON net.id = a.network_id WHERE nic.node_id = ?`, nodeId);
}

/** Whether any nic of the node is attached to a network. */
export function nodeHasAttachments(inv: Inventory, nodeId: number): boolean {
  return inv.get('SELECT 1 FROM attachment a JOIN nic ON nic.id = a.nic_id WHERE nic.node_id = ?', nodeId) !== undefined;
}
