// Store: networking actions (the queue the worker applies). An action is
// PENDING until the worker finishes it, DONE or ERROR; at most one is PENDING
// per nic (core checks nicHasPendingAction in the transaction that queues).
import { randomUUID } from 'node:crypto';
import type { Inventory } from '../inventory.js';

/** The two kinds of action: set one channel of a nic's port, or take every network off it. */
export type ActionType = 'modify_port' | 'revert_port';

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

/** The labels of the switch's ports whose nic has a PENDING networking action. */
export function pendingPortsOfSwitch(inv: Inventory, switchId: number): string[] {
  return inv.column<string>(
    `SELECT DISTINCT port.label FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN port ON port.id = nic.port_id
      WHERE a.status = 'PENDING' AND port.switch_id = ?`, switchId);
}

/** Who holds a port: the nic cabled to it and its node's project (null: none), and whether that nic has a PENDING action. */
export interface PortHolderRow { port: string; nic_id: number | null; project_id: number | null; pending: boolean }

/** The holder of every port of the switch (no order). */
export function portHoldersOfSwitch(inv: Inventory, switchId: number): PortHolderRow[] {
  return inv.all<Omit<PortHolderRow, 'pending'> & { pending: number }>(
    `SELECT port.label AS port, nic.id AS nic_id, node.project_id,
            EXISTS (SELECT 1 FROM networking_action a WHERE a.nic_id = nic.id AND a.status = 'PENDING') AS pending
       FROM port LEFT JOIN nic ON nic.port_id = port.id LEFT JOIN node ON node.id = nic.node_id
      WHERE port.switch_id = ?`, switchId).map((r) => ({ ...r, pending: r.pending === 1 }));
}

/** What a new action asks: on the nic, `channel` gets `network` (null: loses what it has; revert_port: every channel). */
export interface NewAction {
  type: ActionType; nicId: number; channel: string; network: { id: number; label: string } | null; createdAt: string;
  /** Who queued it (the audit trail names them with its outcome); null or absent: haas itself, or the null auth backend. */
  actor?: string | null;
}

/** Queue a PENDING action; returns its id (a new UUID). */
export function queueAction(inv: Inventory, a: NewAction): string {
  const uuid = randomUUID();
  inv.run(
    `INSERT INTO networking_action (uuid, type, nic_id, channel, new_network_id, new_network_label, status, created_at, actor)
     VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
    uuid, a.type, a.nicId, a.channel, a.network?.id ?? null, a.network?.label ?? null, a.createdAt, a.actor ?? null);
  return uuid;
}

/** A PENDING action with the port and switch it is applied to; vlan: the new network's (null: none). */
export interface PendingActionRow {
  id: number; uuid: string; type: ActionType; channel: string; nic_id: number;
  new_network_id: number | null; vlan: number | null;
  port: string; switch_id: number; switch_label: string; switch_type: string; switch_config: string; switch_host_key: string | null;
}

/** Every PENDING action on a nic cabled to a port, in creation order. */
export function pendingActions(inv: Inventory): PendingActionRow[] {
  return inv.all<PendingActionRow>(
    `SELECT a.id, a.uuid, a.type, a.channel, a.nic_id, a.new_network_id, net.net_id AS vlan,
            port.label AS port, s.id AS switch_id, s.label AS switch_label, s.type AS switch_type, s.config AS switch_config,
            s.host_key AS switch_host_key
       FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN port ON port.id = nic.port_id
       JOIN switch s ON s.id = port.switch_id LEFT JOIN network net ON net.id = a.new_network_id
      WHERE a.status = 'PENDING' ORDER BY a.id`);
}

/** Mark a PENDING action DONE (error null) or ERROR with the device's words; false when it was not PENDING (finished already, or gone). */
export function finishAction(inv: Inventory, actionId: number, error: string | null, finishedAt: string): boolean {
  return inv.run("UPDATE networking_action SET status = ?, message = ?, finished_at = ? WHERE id = ? AND status = 'PENDING'",
    error === null ? 'DONE' : 'ERROR', error, finishedAt, actionId).changes > 0;
}

/** An action as shown: its nic and node now, the node's project id, and the switch and port the nic is cabled to now (or null). */
export interface ActionRow {
  status: 'PENDING' | 'DONE' | 'ERROR'; node: string; nic: string; type: ActionType; channel: string; new_network: string | null;
  project_id: number | null; message: string | null; created_at: string; finished_at: string | null;
  switch: string | null; port: string | null;
}

/** The action with this id (UUID), or undefined. */
export function actionByUuid(inv: Inventory, uuid: string): ActionRow | undefined {
  return inv.get<ActionRow>(
    `SELECT a.status, node.label AS node, nic.label AS nic, a.type, a.channel, a.new_network_label AS new_network,
            node.project_id, a.message, a.created_at, a.finished_at, s.label AS switch, port.label AS port
       FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id
       LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch s ON s.id = port.switch_id
      WHERE a.uuid = ?`, uuid);
}
