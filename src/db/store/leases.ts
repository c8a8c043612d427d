// Store: leases, a reserved node's reservation and its end time (issue 13).
// Times are ISO texts (Date.toISOString), so that text order is time order.
import type { Inventory } from '../inventory.js';

/** A lease with the labels of its node and project. */
export interface LeaseRow {
  node_id: number; node: string; project_id: number; project: string;
  started_at: string; ends_at: string | null; warned_at: string | null;
  releasing_since: string | null; release_error: string | null;
}

const SELECT_LEASE = `SELECT l.node_id, n.label AS node, l.project_id, p.label AS project, l.started_at, l.ends_at, l.warned_at,
       l.releasing_since, l.release_error
  FROM lease l JOIN node n ON n.id = l.node_id JOIN project p ON p.id = l.project_id`;

/** A new lease: the node's reservation into the project, from `startedAt` until `endsAt` (null: no end). */
export interface NewLease { nodeId: number; projectId: number; startedAt: string; endsAt: string | null }

/** Record the lease of a node just reserved (one per node: a second is refused by the primary key). */
export function addLease(inv: Inventory, l: NewLease): void {
  inv.run('INSERT INTO lease (node_id, project_id, started_at, ends_at) VALUES (?, ?, ?, ?)', l.nodeId, l.projectId, l.startedAt, l.endsAt);
}

/** Forget the node's lease (its reservation ended); nothing when it has none. */
export function removeLease(inv: Inventory, nodeId: number): void {
  inv.run('DELETE FROM lease WHERE node_id = ?', nodeId);
}

/** The node's lease, or undefined. */
export function leaseOfNode(inv: Inventory, nodeId: number): LeaseRow | undefined {
  return inv.get<LeaseRow>(`${SELECT_LEASE} WHERE l.node_id = ?`, nodeId);
}

/** Whether the node's lease has ended and haas is releasing it. */
export function nodeIsReleasing(inv: Inventory, nodeId: number): boolean {
  return inv.get('SELECT 1 FROM lease WHERE node_id = ? AND releasing_since IS NOT NULL', nodeId) !== undefined;
}

/** Every lease, or those of one project, by node label. */
export function allLeases(inv: Inventory, projectId: number | null = null): LeaseRow[] {
  return projectId === null
    ? inv.all<LeaseRow>(`${SELECT_LEASE} ORDER BY n.label`)
    : inv.all<LeaseRow>(`${SELECT_LEASE} WHERE l.project_id = ? ORDER BY n.label`, projectId);
}

/** The leases of the projects a member belongs to, by node label. */
export function leasesOfProjects(inv: Inventory, projectIds: readonly number[]): LeaseRow[] {
  if (projectIds.length === 0) return [];
  return inv.all<LeaseRow>(`${SELECT_LEASE} WHERE l.project_id IN (SELECT value FROM json_each(?)) ORDER BY n.label`,
    JSON.stringify(projectIds));
}

/** Set a lease's end (null: no end); its warning is owed again. False when the node has no lease. */
export function setLeaseEnd(inv: Inventory, nodeId: number, endsAt: string | null): boolean {
  return inv.run('UPDATE lease SET ends_at = ?, warned_at = NULL WHERE node_id = ? AND releasing_since IS NULL', endsAt, nodeId).changes > 0;
}

/** Mark every lease whose end is at or before `now` as releasing since `now`; returns their node ids. */
export function startDueReleases(inv: Inventory, now: string): number[] {
  return inv.column<number>(
    'UPDATE lease SET releasing_since = ? WHERE ends_at <= ? AND ends_at IS NOT NULL AND releasing_since IS NULL RETURNING node_id', now, now);
}

/** Node ids of the leases being released, oldest release first. */
export function releasingLeases(inv: Inventory): number[] {
  return inv.column<number>('SELECT node_id FROM lease WHERE releasing_since IS NOT NULL ORDER BY releasing_since, node_id');
}

/** Record why the node's release could not complete (null: it is going on again). */
export function setReleaseError(inv: Inventory, nodeId: number, error: string | null): void {
  inv.run('UPDATE lease SET release_error = ? WHERE node_id = ?', error, nodeId);
}

/** The earliest end of a lease not yet releasing, or undefined. */
export function nextLeaseEnd(inv: Inventory): string | undefined {
  return inv.get<{ t: string | null }>('SELECT min(ends_at) AS t FROM lease WHERE ends_at IS NOT NULL AND releasing_since IS NULL')?.t ?? undefined;
}

/** A nic of a node being released: its attachments (tagged channels before the native one), and its last networking action. */
export interface ReleaseNicRow {
  nic_id: number; channel: string; network_id: number; network: string;
  pending: number; last_status: string | null; last_message: string | null; last_finished_at: string | null;
}

/** The node's attachments with, for each, whether its nic has a PENDING action and how its nic's last action ended. */
export function attachmentsToRelease(inv: Inventory, nodeId: number): ReleaseNicRow[] {
  return inv.all<ReleaseNicRow>(
    `SELECT a.nic_id, a.channel, a.network_id, net.label AS network,
            EXISTS (SELECT 1 FROM networking_action x WHERE x.nic_id = a.nic_id AND x.status = 'PENDING') AS pending,
            last.status AS last_status, last.message AS last_message, last.finished_at AS last_finished_at
       FROM attachment a JOIN nic ON nic.id = a.nic_id JOIN network net ON net.id = a.network_id
       LEFT JOIN networking_action last ON last.id = (SELECT max(id) FROM networking_action y WHERE y.nic_id = a.nic_id)
      WHERE nic.node_id = ? ORDER BY a.nic_id, a.channel = 'vlan/native', a.channel`, nodeId);
}

/** Leases not yet warned nor releasing whose end is at or before `endsBy`, soonest first. */
export function leasesToWarn(inv: Inventory, endsBy: string): LeaseRow[] {
  return inv.all<LeaseRow>(`${SELECT_LEASE}
    WHERE l.ends_at IS NOT NULL AND l.ends_at <= ? AND l.warned_at IS NULL AND l.releasing_since IS NULL ORDER BY l.ends_at`, endsBy);
}

/** The earliest end of a lease not yet warned nor releasing, or undefined. */
export function nextUnwarnedEnd(inv: Inventory): string | undefined {
  return inv.get<{ t: string | null }>(
    'SELECT min(ends_at) AS t FROM lease WHERE ends_at IS NOT NULL AND warned_at IS NULL AND releasing_since IS NULL')?.t ?? undefined;
}

/** Record that the warning for the lease's end `endsAt` went out; false when the end has moved since (a new warning is owed). */
export function markWarned(inv: Inventory, nodeId: number, endsAt: string, at: string): boolean {
  return inv.run('UPDATE lease SET warned_at = ? WHERE node_id = ? AND ends_at = ?', at, nodeId, endsAt).changes > 0;
}
