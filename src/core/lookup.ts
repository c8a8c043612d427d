// Finding named objects: each `must*` throws NotFoundError with HIL's wording.
import { DuplicateError, NotFoundError } from '../errors.js';
import type { Inventory } from '../db/inventory.js';
import { projectById, projectByLabel, type ProjectRow } from '../db/store/projects.js';
import { nicOfNode, nodeByLabel, type NicRow, type NodeRow } from '../db/store/nodes.js';
import { networkByLabel, type NetworkRow } from '../db/store/networks.js';
import { portOfSwitch, switchByLabel, type PortRow, type SwitchRow } from '../db/store/switches.js';
import { userByLabel, type UserRow } from '../db/store/users.js';

/** The project named `label`; NotFoundError if there is none. */
export function mustProject(inv: Inventory, label: string): ProjectRow {
  const r = projectByLabel(inv, label);
  if (!r) throw new NotFoundError(`project "${label}" does not exist`);
  return r;
}
/** The node named `label`; NotFoundError if there is none. */
export function mustNode(inv: Inventory, label: string): NodeRow {
  const r = nodeByLabel(inv, label);
  if (!r) throw new NotFoundError(`node "${label}" does not exist`);
  return r;
}
/** The node's nic named `label`; NotFoundError if there is none. */
export function mustNic(inv: Inventory, node: NodeRow, label: string): NicRow {
  const r = nicOfNode(inv, node.id, label);
  if (!r) throw new NotFoundError(`nic "${label}" of node "${node.label}" does not exist`);
  return r;
}
/** The network named `label`; NotFoundError if there is none. */
export function mustNetwork(inv: Inventory, label: string): NetworkRow {
  const r = networkByLabel(inv, label);
  if (!r) throw new NotFoundError(`network "${label}" does not exist`);
  return r;
}
/** The switch named `label`; NotFoundError if there is none. */
export function mustSwitch(inv: Inventory, label: string): SwitchRow {
  const r = switchByLabel(inv, label);
  if (!r) throw new NotFoundError(`switch "${label}" does not exist`);
  return r;
}
/** The switch's port named `label`; NotFoundError if there is none. */
export function mustPort(inv: Inventory, sw: SwitchRow, label: string): PortRow {
  const r = portOfSwitch(inv, sw.id, label);
  if (!r) throw new NotFoundError(`port "${label}" of switch "${sw.label}" does not exist`);
  return r;
}
/** The user named `label`; NotFoundError if there is none. */
export function mustUser(inv: Inventory, label: string): UserRow {
  const r = userByLabel(inv, label);
  if (!r) throw new NotFoundError(`user "${label}" does not exist`);
  return r;
}

/** The label of the project with this id, which a foreign key promises exists (an Error if not: a bug). */
export function projectLabelOf(inv: Inventory, id: number): string {
  const r = projectById(inv, id);
  if (!r) throw new Error(`project id ${id} is referenced but does not exist`);
  return r.label;
}

/** Throws DuplicateError if `exists`. */
export function assertAbsent(exists: unknown, what: string, label: string): void {
  if (exists) throw new DuplicateError(`${what} "${label}" already exists`);
}
