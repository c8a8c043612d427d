// Store: headnodes (a project's VMs) and their hnics.
import type { Inventory } from '../inventory.js';

/** Where a headnode is in its life: created (never started), running, stopped, dead (QEMU gone without a stop). */
export type HeadnodeStatus = 'created' | 'running' | 'stopped' | 'dead';
/** A headnode row; frozen: started once, so its hnics can no longer change; vncport: while running. */
export interface HeadnodeRow {
  id: number; label: string; project_id: number; uuid: string; base_img: string;
  frozen: boolean; status: HeadnodeStatus; vncport: number | null;
}
/** An hnic row; network_id: the network it is on, untagged, or null. */
export interface HnicRow { id: number; headnode_id: number; label: string; network_id: number | null }

/** How a headnode is stored: SQLite has no booleans. */
type StoredHeadnode = Omit<HeadnodeRow, 'frozen'> & { frozen: number };
const headnodeOf = (r: StoredHeadnode): HeadnodeRow => ({ ...r, frozen: r.frozen === 1 });

/** The headnode named `label`, or undefined. */
export function headnodeByLabel(inv: Inventory, label: string): HeadnodeRow | undefined {
  const r = inv.get<StoredHeadnode>('SELECT * FROM headnode WHERE label = ?', label);
  return r && headnodeOf(r);
}

/** The headnodes that have been started (only those can have a QEMU), by id. */
export function startedHeadnodes(inv: Inventory): HeadnodeRow[] {
  return inv.all<StoredHeadnode>('SELECT * FROM headnode WHERE frozen = 1 ORDER BY id').map(headnodeOf);
}

/** Labels of the project's headnodes, sorted. */
export function headnodesOfProject(inv: Inventory, projectId: number): string[] {
  return inv.column<string>('SELECT label FROM headnode WHERE project_id = ? ORDER BY label', projectId);
}

/** How many headnodes the project has. */
export function headnodeCount(inv: Inventory, projectId: number): number {
  return inv.column<number>('SELECT count(*) FROM headnode WHERE project_id = ?', projectId)[0] ?? 0;
}

/** Add a headnode (status created, not frozen) to the project; returns its id. */
export function addHeadnode(inv: Inventory, label: string, projectId: number, uuid: string, baseImg: string): number {
  return Number(inv.run('INSERT INTO headnode (label, project_id, uuid, base_img) VALUES (?, ?, ?, ?)',
    label, projectId, uuid, baseImg).lastInsertRowid);
}

/** Delete the headnode and its hnics. */
export function deleteHeadnode(inv: Inventory, headnodeId: number): void {
  inv.run('DELETE FROM hnic WHERE headnode_id = ?', headnodeId);
  inv.run('DELETE FROM headnode WHERE id = ?', headnodeId);
}

/** Freeze the headnode: its hnics can no longer change. */
export function freezeHeadnode(inv: Inventory, headnodeId: number): void {
  inv.run('UPDATE headnode SET frozen = 1 WHERE id = ?', headnodeId);
}

/** Thaw the headnode if it has never run (a first start failed); a started one stays frozen. */
export function thawUnstartedHeadnode(inv: Inventory, headnodeId: number): void {
  inv.run("UPDATE headnode SET frozen = 0 WHERE id = ? AND status = 'created'", headnodeId);
}

/** Record that the headnode runs, with its VNC port. */
export function markHeadnodeRunning(inv: Inventory, headnodeId: number, vncport: number | null): void {
  inv.run("UPDATE headnode SET status = 'running', vncport = ? WHERE id = ?", vncport, headnodeId);
}

/** Record a stop: stopped, unless it never ran (then it stays created); no VNC port either way. */
export function markHeadnodeStopped(inv: Inventory, headnodeId: number): void {
  inv.run("UPDATE headnode SET status = CASE status WHEN 'created' THEN 'created' ELSE 'stopped' END, vncport = NULL WHERE id = ?", headnodeId);
}

/** Record that the headnode's QEMU is gone without a stop. */
export function markHeadnodeDead(inv: Inventory, headnodeId: number): void {
  inv.run("UPDATE headnode SET status = 'dead', vncport = NULL WHERE id = ?", headnodeId);
}

/** Record that the running headnode with `uuid` ended on its own; a headnode not running is left as it is. */
export function markHeadnodeExited(inv: Inventory, uuid: string, kind: 'stopped' | 'dead'): void {
  inv.run("UPDATE headnode SET status = ?, vncport = NULL WHERE uuid = ? AND status = 'running'", kind, uuid);
}

/** The hnic named `label` of the headnode, or undefined. */
export function hnicOfHeadnode(inv: Inventory, headnodeId: number, label: string): HnicRow | undefined {
  return inv.get<HnicRow>('SELECT * FROM hnic WHERE headnode_id = ? AND label = ?', headnodeId, label);
}

/** Labels of the headnode's hnics in creation order. */
export function hnicsOfHeadnode(inv: Inventory, headnodeId: number): string[] {
  return inv.column<string>('SELECT label FROM hnic WHERE headnode_id = ? ORDER BY id', headnodeId);
}

/** An hnic as the VM needs it: its label and its network's VLAN (null when on no network). */
export interface HnicVlan { label: string; vlan: number | null }

/** The headnode's hnics in creation order (guest eth0, eth1, ...) with their VLANs. */
export function hnicVlans(inv: Inventory, headnodeId: number): HnicVlan[] {
  return inv.all<HnicVlan>(
    'SELECT hnic.label, network.net_id AS vlan FROM hnic LEFT JOIN network ON network.id = hnic.network_id WHERE hnic.headnode_id = ? ORDER BY hnic.id',
    headnodeId);
}

/** Add an hnic (on no network) to the headnode; returns its id. */
export function addHnic(inv: Inventory, headnodeId: number, label: string): number {
  return Number(inv.run('INSERT INTO hnic (headnode_id, label) VALUES (?, ?)', headnodeId, label).lastInsertRowid);
}

/** Delete the hnic. */
export function deleteHnic(inv: Inventory, hnicId: number): void {
  inv.run('DELETE FROM hnic WHERE id = ?', hnicId);
}

/** Put the hnic on the network, or (null) on none. */
export function setHnicNetwork(inv: Inventory, hnicId: number, networkId: number | null): void {
  inv.run('UPDATE hnic SET network_id = ? WHERE id = ?', networkId, hnicId);
}

/** Whether a headnode's nic is on the network. */
export function networkHasHeadnodes(inv: Inventory, networkId: number): boolean {
  return inv.get('SELECT 1 FROM hnic WHERE network_id = ?', networkId) !== undefined;
}

/** Whether a headnode of the project has a nic on the network. */
export function projectHasHeadnodesOnNetwork(inv: Inventory, networkId: number, projectId: number): boolean {
  return inv.get('SELECT 1 FROM hnic JOIN headnode h ON h.id = hnic.headnode_id WHERE hnic.network_id = ? AND h.project_id = ?',
    networkId, projectId) !== undefined;
}
