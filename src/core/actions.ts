// Networking actions (SPEC.md section 4): queueing connect/detach/revert as
// PENDING rows, showing them, and the inventory side of completing them.
import { randomUUID } from 'node:crypto';
import { BadArgumentError, BlockedError, NotFoundError, ProjectMismatchError } from '../errors.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { mustNetwork, mustNic, mustNode, mustPort, mustSwitch } from './lookup.js';
import type { NicRow } from '../db/store/nodes.js';
import { nicHasPendingAction } from '../db/store/actions.js';
import { NATIVE } from './vlans.js';
import { switchDriverFor } from '../drivers/switch/type-names.js';
import { projectMayUse } from './networks.js';

const ACTIVE = 'A networking operation is already active on the nic.';

function queue(core: Core, nicId: number, type: 'modify_port' | 'revert_port', channel: string, network: { id: number; label: string } | null): string {
  const uuid = randomUUID();
  core.inv.run(
    `INSERT INTO networking_action (uuid, type, nic_id, channel, new_network_id, new_network_label, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'PENDING', ?)`, uuid, type, nicId, channel, network?.id ?? null, network?.label ?? null, now());
  return uuid;
}

function capabilitiesOfNic(core: Core, nic: NicRow): string[] {
  const sw = core.inv.get<{ type: string }>('SELECT s.type FROM port p JOIN switch s ON s.id = p.switch_id WHERE p.id = ?', nic.port_id);
  return (sw && switchDriverFor(core.switchDrivers, sw.type)?.capabilities) || [];
}

function channelsOnNic(core: Core, nicId: number): string[] {
  return core.inv.column<string>('SELECT channel FROM attachment WHERE nic_id = ?', nicId);
}

/** Queue connecting a nic to a network; checks in HIL's order. Returns the action id. */
export function connectNetwork(core: Core, p: Principal, nodeLabel: string, nicLabel: string, netLabel: string, channelArg?: string): string {
  const { inv } = core;
  const id = inv.tx(() => {
    const node = mustNode(inv, nodeLabel);
    const nic = mustNic(inv, node, nicLabel);
    const net = mustNetwork(inv, netLabel);
    if (node.project_id === null) throw new ProjectMismatchError('Node not in project');
    requireProjectAccess(p, node.project_id);
    if (nic.port_id === null) throw new NotFoundError('No port is connected to given nic.');
    if (nicHasPendingAction(core.inv, nic.id)) throw new BlockedError(ACTIVE);
    if (!projectMayUse(core, net, node.project_id)) throw new ProjectMismatchError('Project does not have access to given network.');
    if (inv.get('SELECT 1 FROM attachment WHERE nic_id = ? AND network_id = ?', nic.id, net.id)) {
      throw new BlockedError('The network is already attached to the nic.');
    }
    const channel = channelArg ?? NATIVE;
    const onNic = channelsOnNic(core, nic.id);
    if (onNic.includes(channel)) throw new BlockedError('The channel is already in use on the nic.');
    if (channel !== NATIVE && channel !== `vlan/${net.net_id}`) throw new BadArgumentError(`Channel "${channel}" is not legal for this network.`);
    if (channel !== NATIVE && !onNic.includes(NATIVE) && !capabilitiesOfNic(core, nic).includes('nativeless-trunk-mode')) {
      throw new BlockedError('Please attach a native network first');
    }
    return queue(core, nic.id, 'modify_port', channel, net);
  });
  core.actionsQueued();
  return id;
}

/** Queue detaching a network from a nic. Returns the action id. */
export function detachNetwork(core: Core, p: Principal, nodeLabel: string, nicLabel: string, netLabel: string): string {
  const { inv } = core;
  const id = inv.tx(() => {
    const node = mustNode(inv, nodeLabel);
    const net = mustNetwork(inv, netLabel);
    const nic = mustNic(inv, node, nicLabel);
    if (node.project_id === null) throw new ProjectMismatchError('Node not in project');
    requireProjectAccess(p, node.project_id);
    if (nicHasPendingAction(core.inv, nic.id)) throw new BlockedError(ACTIVE);
    const att = inv.get<{ channel: string }>('SELECT channel FROM attachment WHERE nic_id = ? AND network_id = ?', nic.id, net.id);
    if (!att) throw new BadArgumentError('The network is not attached to the nic.');
    if (att.channel === NATIVE && channelsOnNic(core, nic.id).length > 1 && !capabilitiesOfNic(core, nic).includes('nativeless-trunk-mode')) {
      throw new BlockedError('Please detach the tagged networks first: this switch cannot have a trunk without a native network');
    }
    return queue(core, nic.id, 'modify_port', att.channel, null);
  });
  core.actionsQueued();
  return id;
}

/** Queue removing every network from a port (admin). */
export function revertPort(core: Core, p: Principal, switchLabel: string, port: string): string {
  requireAdmin(p);
  const { inv } = core;
  const id = inv.tx(() => {
    const pt = mustPort(inv, mustSwitch(inv, switchLabel), port);
    const nic = inv.get<{ id: number }>('SELECT id FROM nic WHERE port_id = ?', pt.id);
    if (!nic) throw new NotFoundError(`port "${port}" is not connected to a nic`);
    if (nicHasPendingAction(core.inv, nic.id)) throw new BlockedError(ACTIVE);
    return queue(core, nic.id, 'revert_port', '', null);
  });
  core.actionsQueued();
  return id;
}

interface ActionView {
  status: string; node: string; nic: string; type: string; channel: string; new_network: string | null;
  project_id: number | null; message: string | null; created_at: string; finished_at: string | null;
  switch: string | null; port: string | null;
}

function findAction(core: Core, p: Principal, uuid: string): ActionView {
  const a = core.inv.get<ActionView>(
    `SELECT a.status, node.label AS node, nic.label AS nic, a.type, a.channel, a.new_network_label AS new_network,
            node.project_id, a.message, a.created_at, a.finished_at, s.label AS switch, port.label AS port
       FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id
       LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch s ON s.id = port.switch_id
      WHERE a.uuid = ?`, uuid);
  if (!a) throw new NotFoundError('status_id not found');
  requireProjectAccess(p, a.project_id);
  return a;
}

/** show_networking_action: exactly HIL's keys (project of the node now). */
export function showAction(core: Core, p: Principal, uuid: string) {
  const a = findAction(core, p, uuid);
  return { status: a.status, node: a.node, nic: a.nic, type: a.type, channel: a.channel, new_network: a.new_network };
}

/** haas's extension: the action with its device message, times, switch and port. */
export function showActionDetails(core: Core, p: Principal, uuid: string) {
  const { project_id: _, ...rest } = findAction(core, p, uuid);
  return rest;
}

/** A PENDING action with what the worker needs to apply it. */
export interface PendingAction {
  id: number; uuid: string; type: 'modify_port' | 'revert_port'; channel: string; nic_id: number;
  new_network_id: number | null; vlan: number | null;
  port: string; switch_id: number; switch_label: string; switch_type: string; switch_config: string; switch_host_key: string | null;
  /** What the inventory says the port carries now (before the action): the nic's attachments as VLAN ids. */
  current: { native: number | null; tagged: number[] };
}

/** Every PENDING action, in creation order. */
export function pendingActions(core: Pick<Core, 'inv'>): PendingAction[] {
  const carried = (nicId: number) => {
    const rows = core.inv.all<{ channel: string; net_id: number }>(
      'SELECT att.channel, net.net_id FROM attachment att JOIN network net ON net.id = att.network_id WHERE att.nic_id = ?', nicId);
    return {
      native: rows.find((r) => r.channel === NATIVE)?.net_id ?? null,
      tagged: rows.filter((r) => r.channel !== NATIVE).map((r) => r.net_id).sort((a, b) => a - b),
    };
  };
  return core.inv.all<Omit<PendingAction, 'current'>>(
    `SELECT a.id, a.uuid, a.type, a.channel, a.nic_id, a.new_network_id, net.net_id AS vlan,
            port.label AS port, s.id AS switch_id, s.label AS switch_label, s.type AS switch_type, s.config AS switch_config,
            s.host_key AS switch_host_key
       FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN port ON port.id = nic.port_id
       JOIN switch s ON s.id = port.switch_id LEFT JOIN network net ON net.id = a.new_network_id
      WHERE a.status = 'PENDING' ORDER BY a.id`).map((a) => ({ ...a, current: carried(a.nic_id) }));
}

/**
 * Record an action's outcome. DONE changes the attachments in the same
 * transaction; ERROR (with the device's words) leaves the inventory as it was.
 */
export function finishAction(core: Pick<Core, 'inv'>, a: PendingAction, error: string | null): void {
  const { inv } = core;
  inv.tx(() => {
    const r = inv.run("UPDATE networking_action SET status = ?, message = ?, finished_at = ? WHERE id = ? AND status = 'PENDING'",
      error === null ? 'DONE' : 'ERROR', error, now(), a.id);
    if (r.changes === 0 || error !== null) return;
    if (a.type === 'revert_port') {
      inv.run('DELETE FROM attachment WHERE nic_id = ?', a.nic_id);
    } else if (a.new_network_id === null) {
      inv.run('DELETE FROM attachment WHERE nic_id = ? AND channel = ?', a.nic_id, a.channel);
    } else {
      inv.run('INSERT OR REPLACE INTO attachment (nic_id, network_id, channel) VALUES (?, ?, ?)', a.nic_id, a.new_network_id, a.channel);
    }
  });
}
