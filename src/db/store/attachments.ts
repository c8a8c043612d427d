// Store: attachments, a network on a nic on a channel ("vlan/native" or
// "vlan/<id>"). They change only when a networking action is DONE.
import type { Inventory } from '../inventory.js';

// added by store-inv

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
