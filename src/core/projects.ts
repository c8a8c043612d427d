// Projects: create, delete, and moving nodes in and out of them.
import { BlockedError, NotFoundError } from '../errors.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustNode, mustProject } from './lookup.js';
import { addProject, allProjects, deleteProject as removeProject, projectByLabel } from '../db/store/projects.js';
import { nodesOfProject, projectHasNodes, setNodeProject } from '../db/store/nodes.js';
import { networksAccessibleBy, projectOnAccessLists, projectOwnsNetworks } from '../db/store/networks.js';
import { nodeHasAttachments } from '../db/store/attachments.js';
import { headnodeCount, headnodesOfProject } from '../db/store/headnodes.js';
import { nodeHasPendingAction } from '../db/store/actions.js';
import { enforceQuota } from './quotas.js';
import { addLease, removeLease } from '../db/store/leases.js';
import { defaultLeaseEnd } from './leases.js';
import { currentCall, resumeCall } from './audit.js';
import { publishProjectChange } from './events.js';

/** Sorted project labels (admin). */
export function listProjects(core: Core, p: Principal): string[] {
  requireAdmin(p);
  return allProjects(core.inv);
}

/** Create a project (admin). */
export function createProject(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    assertAbsent(projectByLabel(core.inv, label), 'project', label);
    addProject(core.inv, label);
  });
}

/** Delete a project that holds nothing (admin). */
export function deleteProject(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  const { inv } = core;
  inv.tx(() => {
    const proj = mustProject(inv, label);
    if (projectHasNodes(inv, proj.id)) throw new BlockedError('Project has nodes still');
    if (projectOwnsNetworks(inv, proj.id)) throw new BlockedError('Project still has networks');
    if (projectOnAccessLists(inv, proj.id)) throw new BlockedError('Project can still access networks');
    if (headnodeCount(inv, proj.id) > 0) throw new BlockedError('Project still has headnodes');
    removeProject(inv, proj.id);
  });
  core.usersChanged();
}

/** Put a free node into a project (project access). */
export function connectNode(core: Core, p: Principal, projectLabel: string, nodeLabel: string): void {
  const { inv } = core;
  const nodeId = inv.tx(() => {
    const proj = mustProject(inv, projectLabel);
    requireProjectAccess(p, proj.id);
    const node = mustNode(inv, nodeLabel);
    if (node.project_id !== null) throw new BlockedError('Node is already owned by a project.');
    enforceQuota(core, proj, 'nodes');
    setNodeProject(inv, node.id, proj.id);
    const start = new Date();
    addLease(inv, { nodeId: node.id, projectId: proj.id, startedAt: start.toISOString(), endsAt: defaultLeaseEnd(core, start) });
    return node.id;
  });
  core.leasesChanged();
  core.nodeChangedProject(nodeId);
  publishProjectChange(inv, nodeLabel, null);
}

/** HIL's maintenance pool (`[maintenance] url`), told of each node that is detached into the maintenance project. */
export interface MaintenancePool {
  /** Hand the node to the pool; anything but its 2xx answer is a MaintenancePoolError (502). */
  accept(node: string): Promise<void>;
}

/**
 * Take a node out of a project (project access). With a maintenance pool the
 * node moves to the maintenance project once the pool has accepted it (a 2xx
 * answer); from the maintenance project itself it becomes free.
 */
export async function detachNode(core: Core, p: Principal, projectLabel: string, nodeLabel: string): Promise<void> {
  const { inv } = core;
  const call = currentCall(inv);
  const maint = core.config.maintenance;
  // Checked again after the pool answers: the POST must not happen inside a transaction.
  const check = () => {
    const proj = mustProject(inv, projectLabel);
    requireProjectAccess(p, proj.id);
    const node = mustNode(inv, nodeLabel);
    if (node.project_id !== proj.id) throw new NotFoundError('Node not in project');
    if (node.obm_enabled) throw new BlockedError('The OBM of the node is enabled; disable it first.');
    if (nodeHasAttachments(inv, node.id)) throw new BlockedError('Node attached to a network');
    if (nodeHasPendingAction(inv, node.id)) {
      throw new BlockedError('Node has pending network actions');
    }
    if (!maint || proj.label === maint.project) return { node, target: null };
    const mp = projectByLabel(inv, maint.project);
    if (!mp) throw new BlockedError(`the maintenance project "${maint.project}" does not exist; create it first`);
    return { node, target: mp.id };
  };
  const first = inv.tx(check);
  if (first.target !== null) {
    // createCore gives a client exactly when [maintenance] is set: never move a node without telling the pool.
    if (!core.maintenancePool) throw new Error('[maintenance] is configured but core has no maintenance pool client');
    await core.maintenancePool.accept(nodeLabel);
  }
  const { nodeId, oldProjectId } = resumeCall(inv, call, () => inv.tx(() => {
    const { node, target } = check();
    setNodeProject(inv, node.id, target);
    removeLease(inv, node.id);
    return { nodeId: node.id, oldProjectId: node.project_id };
  }));
  core.leasesChanged();
  core.consoles.end(nodeLabel);
  core.nodeChangedProject(nodeId);
  publishProjectChange(inv, nodeLabel, oldProjectId);
}

/** The project's nodes in registration order (project access). */
export function listProjectNodes(core: Core, p: Principal, label: string): string[] {
  const proj = mustProject(core.inv, label);
  requireProjectAccess(p, proj.id);
  return nodesOfProject(core.inv, proj.id);
}

/** Sorted networks whose access list holds the project (project access). */
export function listProjectNetworks(core: Core, p: Principal, label: string): string[] {
  const proj = mustProject(core.inv, label);
  requireProjectAccess(p, proj.id);
  return networksAccessibleBy(core.inv, proj.id);
}

/** Sorted headnodes of the project (project access). */
export function listProjectHeadnodes(core: Core, p: Principal, label: string): string[] {
  const proj = mustProject(core.inv, label);
  requireProjectAccess(p, proj.id);
  return headnodesOfProject(core.inv, proj.id);
}
