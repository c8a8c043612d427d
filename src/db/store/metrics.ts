// Store: the counts /metrics reports, read at scrape time. Each is one cheap query (COUNTs over
// indexed or small tables), never a scan of the audit trail or of finished actions.
import type { Inventory } from '../inventory.js';

/** PENDING networking actions of one switch: how many, and when the oldest was queued (ISO). */
export interface PendingOfSwitchRow { switch: string; pending: number; oldest: string }

/** PENDING actions per switch that has any, with the creation time of the oldest. */
export function pendingActionsBySwitch(inv: Inventory): PendingOfSwitchRow[] {
  return inv.all<PendingOfSwitchRow>(`SELECT s.label AS switch, count(*) AS pending, min(a.created_at) AS oldest
    FROM networking_action a JOIN nic n ON n.id = a.nic_id JOIN port p ON p.id = n.port_id JOIN switch s ON s.id = p.switch_id
    WHERE a.status = 'PENDING' GROUP BY s.id`);
}

/** Nodes in the inventory and how many of them are reserved into a project. */
export interface NodeCountsRow { total: number; reserved: number }

/** How many nodes there are and how many are reserved. */
export function nodeCounts(inv: Inventory): NodeCountsRow {
  return inv.get<NodeCountsRow>('SELECT count(*) AS total, count(project_id) AS reserved FROM node') ?? { total: 0, reserved: 0 };
}

/** Networks whose VLAN is taken from the pool (it returns there when they go). */
export function pooledNetworkCount(inv: Inventory): number {
  return inv.get<{ n: number }>('SELECT count(*) AS n FROM network WHERE allocated = 1')?.n ?? 0;
}

/** Headnodes per status (created, running, stopped, dead); a status nobody has is absent. */
export function headnodesByStatus(inv: Inventory): { status: string; n: number }[] {
  return inv.all<{ status: string; n: number }>('SELECT status, count(*) AS n FROM headnode GROUP BY status');
}

/** Leases: held (not being released), ending before `soon` (ISO; not being released), and being released. */
export interface LeaseCountsRow { active: number; ending: number; releasing: number }

/** Lease counts, `ending` = those whose end falls before `soon` (ISO time). */
export function leaseCounts(inv: Inventory, soon: string): LeaseCountsRow {
  return inv.get<LeaseCountsRow>(`SELECT
      count(*) FILTER (WHERE releasing_since IS NULL) AS active,
      count(*) FILTER (WHERE releasing_since IS NULL AND ends_at IS NOT NULL AND ends_at <= ?) AS ending,
      count(releasing_since) AS releasing
    FROM lease`, soon) ?? { active: 0, ending: 0, releasing: 0 };
}
