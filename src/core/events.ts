// The change bus: core operations publish what changed (networking actions,
// leases, nodes' project, OBM and power) after their transaction committed;
// the event stream (src/server/events.ts) forwards each change to the callers
// who may see its node. A change is a hint to look again, not the state: a
// subscriber that misses one loses nothing a refresh does not give back.
// One bus per inventory (like the failed-logins batch in audit.ts), so core
// operations that only get `inv` (the worker's finishAction) can publish too.
import type { Inventory } from '../db/inventory.js';
import type { Principal } from './context.js';
import { actionByUuid } from '../db/store/actions.js';
import { nodeAndProject } from '../db/store/nodes.js';
import { projectById } from '../db/store/projects.js';
import { leaseOfNode } from '../db/store/leases.js';

/** A networking action was queued (PENDING) or ended (DONE, ERROR). */
export interface ActionEvent {
  event: 'action';
  status_id: string;
  status: 'PENDING' | 'DONE' | 'ERROR';
  node: string;
  nic: string;
  type: string;
  channel: string;
  new_network: string | null;
  project: string | null;
}

/** How a lease changed: its end set or cleared, its end is near (warned), its end passed (releasing), or the node was released. */
export type LeaseChange = 'set' | 'cleared' | 'expiring' | 'releasing' | 'released';

/** A lease changed. */
export interface LeaseEvent { event: 'lease'; node: string; project: string; change: LeaseChange; ends_at: string | null }

/** A node moved between projects (null: free), its OBM was enabled or disabled, or an OBM call changed it. */
export type NodeEvent = { event: 'node'; node: string; project: string | null } & (
  | { change: 'project'; old_project: string | null }
  | { change: 'obm'; enabled: boolean }
  | { change: 'power'; call: 'power_on' | 'power_off' | 'power_cycle' | 'boot_device' });

/** Any change the stream carries. */
export type ChangeEvent = ActionEvent | LeaseEvent | NodeEvent;

/** A change and the projects whose members may see it (null: a free node, which everyone may see). */
export interface Published { change: ChangeEvent; projectIds: ReadonlyArray<number | null> }

/** Subscribers to one inventory's changes. */
export class ChangeBus {
  private readonly listeners = new Set<(e: Published) => void>();

  /** Call `listener` with every change from now on; returns the function that stops it. */
  subscribe(listener: (e: Published) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Hand a change to every subscriber; a failing subscriber never fails the operation that published. */
  publish(e: Published): void {
    for (const l of this.listeners) {
      try { l(e); } catch { /* a subscriber's own problem (a closed stream): it unsubscribes itself */ }
    }
  }

  /** How many subscribe now. */
  get size(): number { return this.listeners.size; }
}

const buses = new WeakMap<Inventory, ChangeBus>();

/** The change bus of an inventory. */
export function changesOf(inv: Inventory): ChangeBus {
  let bus = buses.get(inv);
  if (!bus) { bus = new ChangeBus(); buses.set(inv, bus); }
  return bus;
}

/** Whether the caller may see a change: admins all; others those of their projects' nodes and of free nodes (as show_node). */
export function maySee(p: Principal, e: Published): boolean {
  return p.admin || e.projectIds.some((id) => id === null || p.projectIds.has(id));
}

function labelOf(inv: Inventory, projectId: number | null): string | null {
  return projectId === null ? null : projectById(inv, projectId)?.label ?? null;
}

/** Publish an action's status as it is now (call after the transaction that queued or ended it). */
export function publishAction(inv: Inventory, uuid: string): void {
  const bus = changesOf(inv);
  if (bus.size === 0) return;
  const a = actionByUuid(inv, uuid);
  if (!a) return;
  bus.publish({
    change: {
      event: 'action', status_id: uuid, status: a.status, node: a.node, nic: a.nic, type: a.type, channel: a.channel,
      new_network: a.new_network, project: labelOf(inv, a.project_id),
    },
    projectIds: [a.project_id],
  });
}

/** Publish a node's move from `oldProjectId` to the project it is in now. */
export function publishProjectChange(inv: Inventory, nodeLabel: string, oldProjectId: number | null): void {
  const bus = changesOf(inv);
  if (bus.size === 0) return;
  const node = nodeAndProject(inv, nodeLabel);
  if (!node) return;
  bus.publish({
    change: { event: 'node', node: nodeLabel, project: node.project, change: 'project', old_project: labelOf(inv, oldProjectId) },
    projectIds: [oldProjectId, node.project_id],
  });
}

/** Publish an OBM change of a node (enabled or disabled, or a power or boot-device call). */
export function publishObmChange(inv: Inventory, nodeLabel: string,
  what: { change: 'obm'; enabled: boolean } | { change: 'power'; call: 'power_on' | 'power_off' | 'power_cycle' | 'boot_device' }): void {
  const bus = changesOf(inv);
  if (bus.size === 0) return;
  const node = nodeAndProject(inv, nodeLabel);
  if (!node) return;
  bus.publish({ change: { event: 'node', node: nodeLabel, project: node.project, ...what }, projectIds: [node.project_id] });
}

/** Publish a change of the node's lease as it is now; `released` needs the lease as it was (it is gone). */
export function publishLeaseChange(inv: Inventory, nodeId: number, change: LeaseChange,
  was?: { node: string; project: string; project_id: number; ends_at: string | null }): void {
  const bus = changesOf(inv);
  if (bus.size === 0) return;
  const lease = was ?? leaseOfNode(inv, nodeId);
  if (!lease) return;
  bus.publish({
    change: { event: 'lease', node: lease.node, project: lease.project, change, ends_at: lease.ends_at },
    projectIds: [lease.project_id],
  });
}
