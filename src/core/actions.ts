// Networking actions (SPEC.md section 4): queueing connect/detach/revert as
// PENDING rows, showing them, and the inventory side of completing them.
import { BadArgumentError, BlockedError, NotFoundError, ProjectMismatchError } from '../errors.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { mustNetwork, mustNic, mustNode, mustPort, mustSwitch } from './lookup.js';
import type { NicRow } from '../db/store/nodes.js';
import {
  actionByUuid, finishAction as finishActionRow, nicHasPendingAction, pendingActions as pendingActionRows, queueAction,
  type ActionRow, type ActionType, type PendingActionRow,
} from '../db/store/actions.js';
import { attachmentChannel, channelsOfNic, putAttachment, removeAttachment, removeAttachmentsOfNic, vlansOfNic } from '../db/store/attachments.js';
import { nicOnPort, switchTypeOfPort } from '../db/store/switches.js';
import { nodeIsReleasing } from '../db/store/leases.js';
import { NATIVE } from '../drivers/switch/vlan-state.js';
import { switchDriverFor } from '../drivers/switch/type-names.js';
import { projectMayUse } from './networks.js';
import { actionForAudit, projectsOfTargets, type ActionAuditRow } from '../db/store/audit.js';
import { recordAudit } from './audit.js';
import type { Inventory } from '../db/inventory.js';
import { publishAction } from './events.js';

const ACTIVE = 'A networking operation is already active on the nic.';

function queue(core: Core, p: Principal, nicId: number, type: ActionType, channel: string, network: { id: number; label: string } | null): string {
  return queueAction(core.inv, { type, nicId, channel, network, createdAt: now(), actor: p.user });
}

function capabilitiesOfNic(core: Core, nic: NicRow): string[] {
  const type = nic.port_id === null ? undefined : switchTypeOfPort(core.inv, nic.port_id);
  return (type !== undefined && switchDriverFor(core.switchDrivers, type)?.capabilities) || [];
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
    // The release takes every network off; one put on meanwhile would be taken off again, or outlive the lease.
    if (nodeIsReleasing(inv, node.id)) throw new BlockedError(`The lease of node "${nodeLabel}" has ended; the node is being released.`);
    if (!projectMayUse(core, net, node.project_id)) throw new ProjectMismatchError('Project does not have access to given network.');
    if (attachmentChannel(inv, nic.id, net.id) !== undefined) {
      throw new BlockedError('The network is already attached to the nic.');
    }
    const channel = channelArg ?? NATIVE;
    const onNic = channelsOfNic(inv, nic.id);
    if (onNic.includes(channel)) throw new BlockedError('The channel is already in use on the nic.');
    if (channel !== NATIVE && channel !== `vlan/${net.net_id}`) throw new BadArgumentError(`Channel "${channel}" is not legal for this network.`);
    if (channel !== NATIVE && !onNic.includes(NATIVE) && !capabilitiesOfNic(core, nic).includes('nativeless-trunk-mode')) {
      throw new BlockedError('Please attach a native network first');
    }
    return queue(core, p, nic.id, 'modify_port', channel, net);
  });
  core.actionsQueued();
  publishAction(inv, id);
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
    const channel = attachmentChannel(inv, nic.id, net.id);
    if (channel === undefined) throw new BadArgumentError('The network is not attached to the nic.');
    if (channel === NATIVE && channelsOfNic(inv, nic.id).length > 1 && !capabilitiesOfNic(core, nic).includes('nativeless-trunk-mode')) {
      throw new BlockedError('Please detach the tagged networks first: this switch cannot have a trunk without a native network');
    }
    return queue(core, p, nic.id, 'modify_port', channel, null);
  });
  core.actionsQueued();
  publishAction(inv, id);
  return id;
}

/** Queue removing every network from a port (admin). */
export function revertPort(core: Core, p: Principal, switchLabel: string, port: string): string {
  requireAdmin(p);
  const { inv } = core;
  const id = inv.tx(() => {
    const pt = mustPort(inv, mustSwitch(inv, switchLabel), port);
    const nic = nicOnPort(inv, pt.id);
    if (!nic) throw new NotFoundError(`port "${port}" is not connected to a nic`);
    if (nicHasPendingAction(core.inv, nic.id)) throw new BlockedError(ACTIVE);
    return queue(core, p, nic.id, 'revert_port', '', null);
  });
  core.actionsQueued();
  publishAction(inv, id);
  return id;
}

function findAction(core: Core, p: Principal, uuid: string): ActionRow {
  const a = actionByUuid(core.inv, uuid);
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
export interface PendingAction extends PendingActionRow {
  /** What the inventory says the port carries now (before the action): the nic's attachments as VLAN ids. */
  current: { native: number | null; tagged: number[] };
}

/** Every PENDING action, in creation order. */
export function pendingActions(core: Pick<Core, 'inv'>): PendingAction[] {
  const carried = (nicId: number) => {
    const rows = vlansOfNic(core.inv, nicId);
    return {
      native: rows.find((r) => r.channel === NATIVE)?.net_id ?? null,
      tagged: rows.filter((r) => r.channel !== NATIVE).map((r) => r.net_id).sort((a, b) => a - b),
    };
  };
  return pendingActionRows(core.inv).map((a) => ({ ...a, current: carried(a.nic_id) }));
}

/**
 * Record an action's outcome. DONE changes the attachments in the same
 * transaction; ERROR (with the device's words) leaves the inventory as it was.
 */
export function finishAction(core: Pick<Core, 'inv'>, a: PendingAction, error: string | null): void {
  const { inv } = core;
  inv.tx(() => {
    const seen = actionForAudit(inv, a.id);
    if (!finishActionRow(inv, a.id, error, now())) return;
    if (seen) recordActionEnd(inv, seen, error);
    if (error !== null) return;
    if (a.type === 'revert_port') {
      removeAttachmentsOfNic(inv, a.nic_id);
    } else if (a.new_network_id === null) {
      removeAttachment(inv, a.nic_id, a.channel);
    } else {
      putAttachment(inv, a.nic_id, a.new_network_id, a.channel);
    }
  });
  publishAction(inv, a.uuid);
}

/** The trail's entry for an action's end on the device, in the name of who queued it. */
function recordActionEnd(inv: Inventory, a: ActionAuditRow, error: string | null): void {
  recordAudit(inv, {
    operation: 'networking_action', outcome: error === null ? 'ok' : 'error', actor: a.actor, source: 'haas',
    node: a.node, network: a.network, projects: projectsOfTargets(inv, { node: a.node, network: a.network }),
    status: error === null ? null : 502, errorType: error === null ? null : 'SwitchError',
    detail: { status_id: a.uuid, type: a.type, nic: a.nic, channel: a.channel, status: error === null ? 'DONE' : 'ERROR', message: error },
  });
}
