// Finding named objects: each `must*` throws NotFoundError with HIL's wording.
import { DuplicateError, NotFoundError } from '../errors.js';
import type { Inventory } from '../db/inventory.js';

export interface ProjectRow { id: number; label: string }
export interface NodeRow {
  id: number; label: string; project_id: number | null;
  obm_type: string | null; obm_config: string | null;
  obmd_uri: string | null; obmd_admin_token: string | null; obmd_node_token: string | null;
  obm_enabled: number;
}
export interface NicRow { id: number; node_id: number; label: string; macaddr: string; port_id: number | null }
export interface NetworkRow { id: number; label: string; owner_id: number | null; net_id: number; allocated: number }
/** A switch row; host_key and the columns after it: see schema.sql (SSH host keys). */
export interface SwitchRow {
  id: number; label: string; type: string; config: string;
  host_key: string | null; host_key_origin: string | null; host_key_recorded_at: string | null; host_key_refused: string | null;
}
export interface PortRow { id: number; switch_id: number; label: string }
export interface UserRow { id: number; label: string; password_hash: string; is_admin: number }

export function findProject(inv: Inventory, label: string) {
  return inv.get<ProjectRow>('SELECT id, label FROM project WHERE label = ?', label);
}
export function mustProject(inv: Inventory, label: string): ProjectRow {
  const r = findProject(inv, label);
  if (!r) throw new NotFoundError(`project "${label}" does not exist`);
  return r;
}
export function findNode(inv: Inventory, label: string) {
  return inv.get<NodeRow>('SELECT * FROM node WHERE label = ?', label);
}
export function mustNode(inv: Inventory, label: string): NodeRow {
  const r = findNode(inv, label);
  if (!r) throw new NotFoundError(`node "${label}" does not exist`);
  return r;
}
export function mustNic(inv: Inventory, node: NodeRow, label: string): NicRow {
  const r = inv.get<NicRow>('SELECT * FROM nic WHERE node_id = ? AND label = ?', node.id, label);
  if (!r) throw new NotFoundError(`nic "${label}" of node "${node.label}" does not exist`);
  return r;
}
export function findNetwork(inv: Inventory, label: string) {
  return inv.get<NetworkRow>('SELECT * FROM network WHERE label = ?', label);
}
export function mustNetwork(inv: Inventory, label: string): NetworkRow {
  const r = findNetwork(inv, label);
  if (!r) throw new NotFoundError(`network "${label}" does not exist`);
  return r;
}
export function findSwitch(inv: Inventory, label: string) {
  return inv.get<SwitchRow>('SELECT * FROM switch WHERE label = ?', label);
}
export function mustSwitch(inv: Inventory, label: string): SwitchRow {
  const r = findSwitch(inv, label);
  if (!r) throw new NotFoundError(`switch "${label}" does not exist`);
  return r;
}
export function mustPort(inv: Inventory, sw: SwitchRow, label: string): PortRow {
  const r = inv.get<PortRow>('SELECT * FROM port WHERE switch_id = ? AND label = ?', sw.id, label);
  if (!r) throw new NotFoundError(`port "${label}" of switch "${sw.label}" does not exist`);
  return r;
}
export function findUser(inv: Inventory, label: string) {
  return inv.get<UserRow>('SELECT * FROM user WHERE label = ?', label);
}
export function mustUser(inv: Inventory, label: string): UserRow {
  const r = findUser(inv, label);
  if (!r) throw new NotFoundError(`user "${label}" does not exist`);
  return r;
}

/** Throws DuplicateError if `exists`. */
export function assertAbsent(exists: unknown, what: string, label: string): void {
  if (exists) throw new DuplicateError(`${what} "${label}" already exists`);
}
