// Networks: creation rules, the VLAN pool, access lists and visibility.
import { AllocationError, AuthorizationError, BadArgumentError, BlockedError, DuplicateError, NotFoundError } from '../errors.js';
import { haveProjectAccess, requireAdmin, requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustNetwork, mustProject, projectLabelOf } from './lookup.js';
import {
  accessProjectIds, accessProjectLabels, addNetwork, allAccessGrants, allNetworks, grantNetworkAccess, hasNetworkAccess,
  networkByLabel, removeNetwork, revokeNetworkAccess, vlanInUse,
  type NetworkRow,
} from '../db/store/networks.js';
import { networkHasPendingAction } from '../db/store/actions.js';
import { networkHasHeadnodes, projectHasHeadnodesOnNetwork } from '../db/store/headnodes.js';
import { attachmentsOfNetwork, networkHasAttachments, nicsOnNetwork, projectHasAttachments } from '../db/store/attachments.js';
import { allocateVlan, channelsOf, inPool } from './vlans.js';
import { enforceQuota } from './quotas.js';

/** Create a network: (owner, access, net_id) must be one of HIL's legal combinations. */
export function createNetwork(core: Core, p: Principal, label: string, owner: string, access: string, netId: string): void {
  const { inv } = core;
  inv.tx(() => {
    assertAbsent(networkByLabel(inv, label), 'network', label);
    let ownerId: number | null = null;
    let accessId: number | null = null;
    if (owner !== 'admin') {
      const proj = mustProject(inv, owner);
      requireProjectAccess(p, proj.id);
      if (netId !== '' || access !== proj.label) {
        throw new BadArgumentError('Project-created networks must use network ID allocation and must have access set to the owner project');
      }
      ownerId = accessId = proj.id;
      enforceQuota(core, proj, 'networks');
    } else {
      requireAdmin(p);
      if (access !== '') accessId = mustProject(inv, access).id;
    }
    let vlan: number;
    let allocated: boolean;
    if (netId === '') {
      const v = allocateVlan(inv, core.config.vlanPool);
      if (v === null) throw new AllocationError('No more networks: the VLAN pool is exhausted');
      vlan = v; allocated = true;
    } else {
      if (!/^\d+$/.test(netId) || Number(netId) < 1 || Number(netId) > 4094) throw new BadArgumentError('Invalid net_id');
      vlan = Number(netId);
      if (vlanInUse(inv, vlan)) throw new BlockedError('Network ID is not available');
      allocated = inPool(core.config.vlanPool, vlan);
    }
    const id = addNetwork(inv, { label, ownerId, vlan, allocated });
    if (accessId !== null) grantNetworkAccess(inv, id, accessId);
  });
}

/** Owner access: members of the owning project, or admin; admin-owned networks: admin. */
function haveOwnerAccess(p: Principal, net: NetworkRow): boolean {
  return haveProjectAccess(p, net.owner_id);
}

/** Whether a project's nodes and headnodes may be put on a network: it is public, or the project is on its access list. */
export function projectMayUse(core: Core, net: { id: number }, projectId: number): boolean {
  const ids = accessProjectIds(core.inv, net.id);
  return ids.length === 0 || ids.includes(projectId);
}

/** Delete a network that nothing uses (owner access); its VLAN returns to the pool. */
export function deleteNetwork(core: Core, p: Principal, label: string): void {
  const { inv } = core;
  inv.tx(() => {
    const net = mustNetwork(inv, label);
    requireProjectAccess(p, net.owner_id);
    if (networkHasAttachments(inv, net.id)) throw new BlockedError('Network still connected to nodes');
    if (networkHasHeadnodes(inv, net.id)) throw new BlockedError('Network still connected to headnodes');
    if (networkHasPendingAction(inv, net.id)) throw new BlockedError('There are pending actions on this network');
    removeNetwork(inv, net.id);
  });
}

/** show_network: who sees it, and which attachments they see. */
export function showNetwork(core: Core, p: Principal, label: string) {
  const { inv } = core;
  const net = mustNetwork(inv, label);
  const ids = accessProjectIds(inv, net.id);
  if (ids.length > 0 && !p.admin && !ids.some((id) => p.projectIds.has(id))) {
    throw new AuthorizationError('You do not have access to this network.');
  }
  const owner = net.owner_id === null ? 'admin' : projectLabelOf(inv, net.owner_id);
  const access = ids.length === 0 ? null : accessProjectLabels(inv, net.id);
  const seeAll = haveOwnerAccess(p, net);
  // Maps, then fromEntries: node labels ("constructor", "__proto__") are plain keys.
  const connected = new Map<string, string[]>();
  for (const a of nicsOnNetwork(inv, net.id)) {
    if (!seeAll && !(a.project_id !== null && p.projectIds.has(a.project_id))) continue;
    const nics = connected.get(a.node);
    if (nics) nics.push(a.nic); else connected.set(a.node, [a.nic]);
  }
  return { name: net.label, owner, access, channels: channelsOf(net.net_id), 'connected-nodes': Object.fromEntries(connected) };
}

/** list_networks: admin sees all; others the public networks. */
export function listNetworks(core: Core, p: Principal): Record<string, { network_id: string; projects: string[] | null }> {
  const projects = new Map<number, string[]>();
  for (const a of allAccessGrants(core.inv)) {
    let list = projects.get(a.network_id);
    if (!list) projects.set(a.network_id, (list = []));
    list.push(a.project);
  }
  const out = new Map<string, { network_id: string; projects: string[] | null }>();
  for (const n of allNetworks(core.inv)) {
    const list = projects.get(n.id) ?? null;
    if (list !== null && !p.admin) continue;
    out.set(n.label, { network_id: String(n.net_id), projects: list });
  }
  return Object.fromEntries(out);
}

/** {node: {nic, channel, project}}: one entry per node (lowest nic label), optionally only project p's nodes. */
export function listAttachments(core: Core, p: Principal, label: string, project: string | undefined) {
  const { inv } = core;
  const net = mustNetwork(inv, label);
  let onlyProject: number | null = null;
  if (project !== undefined) {
    const proj = mustProject(inv, project);
    const onList = accessProjectIds(inv, net.id).includes(proj.id);
    if (!haveOwnerAccess(p, net) && !(onList && haveProjectAccess(p, proj.id))) {
      throw new AuthorizationError('You do not have access to the attachments of this network.');
    }
    onlyProject = proj.id;
  } else if (!haveOwnerAccess(p, net)) {
    throw new AuthorizationError('You do not own this network.');
  }
  const out = new Map<string, { nic: string; channel: string; project: string }>();
  for (const a of attachmentsOfNetwork(inv, net.id)) {
    if (onlyProject !== null && a.project_id !== onlyProject) continue;
    if (!out.has(a.node)) out.set(a.node, { nic: a.nic, channel: a.channel, project: a.project });
  }
  return Object.fromEntries(out);
}

/** Grant a project access to a network (owner's members or admin). */
export function grantAccess(core: Core, p: Principal, label: string, project: string): void {
  const { inv } = core;
  inv.tx(() => {
    const net = mustNetwork(inv, label);
    const proj = mustProject(inv, project);
    requireProjectAccess(p, net.owner_id);
    if (hasNetworkAccess(inv, net.id, proj.id)) {
      throw new DuplicateError(`Network "${label}" is already accessible to project "${project}"`);
    }
    grantNetworkAccess(inv, net.id, proj.id);
  });
}

/** Revoke a project's access (owner, admin, or a member of that project). */
export function revokeAccess(core: Core, p: Principal, label: string, project: string): void {
  const { inv } = core;
  inv.tx(() => {
    const net = mustNetwork(inv, label);
    const proj = mustProject(inv, project);
    const ids = accessProjectIds(inv, net.id);
    if (ids.length > 0 && !(p.admin || haveOwnerAccess(p, net) || (ids.includes(proj.id) && haveProjectAccess(p, proj.id)))) {
      throw new AuthorizationError('You are not authorized to remove the specified project from this network.');
    }
    if (!ids.includes(proj.id)) throw new NotFoundError(`Network "${label}" is not in project "${project}"`);
    if (net.owner_id === proj.id) throw new BlockedError(`Project "${project}" owns network "${label}"; its access cannot be removed`);
    if (projectHasAttachments(inv, net.id, proj.id)) {
      throw new BlockedError('Project still has node(s) attached to the network');
    }
    if (projectHasHeadnodesOnNetwork(inv, net.id, proj.id)) {
      throw new BlockedError('Project still has headnode(s) attached to the network');
    }
    revokeNetworkAccess(inv, net.id, proj.id);
  });
}
