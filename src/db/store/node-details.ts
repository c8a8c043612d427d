// Store: the bulk node listing (GET /node_details, `haas node list --long`, the
// dashboard). A page of nodes is read with four queries whatever its size (the
// nodes, their nics with cabling, the nics' attachments, the last power
// operations), so that listing 10,000 nodes costs a few page reads, not 40,000
// single-node lookups.
import type { Inventory } from '../inventory.js';

/** Which nodes a page holds: the caller's view, narrowed by project or to free nodes, after a label, at most `limit`. */
export interface NodeDetailsFilter {
  /** Projects whose nodes the caller sees besides the free ones; null: every node (an admin). */
  visibleProjectIds: readonly number[] | null;
  /** Only the nodes of this project. */
  projectId?: number;
  /** Only the nodes in no project. */
  free?: boolean;
  /** Only labels after this one (the previous page's last). */
  after?: string;
  limit: number;
}

/** A node of the listing with its project, OBM and lease. */
export interface NodeDetailRow {
  id: number;
  label: string;
  project: string | null;
  /** The in-process OBM driver's name, or null for a node behind obmd. */
  obm_type: string | null;
  obmd: boolean;
  obm_enabled: boolean;
  lease_ends_at: string | null;
  /** Whether the node's lease has ended and haas is releasing it; null: no lease. */
  lease_releasing: boolean | null;
}

type StoredDetailRow = Omit<NodeDetailRow, 'obmd' | 'obm_enabled' | 'lease_releasing'> & {
  obmd: number; obm_enabled: number; lease_releasing: number | null;
};

/** Nodes of the caller's view in label order, as filtered; at most `limit` of them. */
export function nodeDetailsPage(inv: Inventory, f: NodeDetailsFilter): NodeDetailRow[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.visibleProjectIds !== null) {
    where.push('(n.project_id IS NULL OR n.project_id IN (SELECT value FROM json_each(?)))');
    args.push(JSON.stringify(f.visibleProjectIds));
  }
  if (f.projectId !== undefined) { where.push('n.project_id = ?'); args.push(f.projectId); }
  if (f.free === true) where.push('n.project_id IS NULL');
  if (f.after !== undefined) { where.push('n.label > ?'); args.push(f.after); }
  const rows = inv.all<StoredDetailRow>(
    `SELECT n.id, n.label, p.label AS project, n.obm_type, n.obmd_uri IS NOT NULL AS obmd, n.obm_enabled,
            l.ends_at AS lease_ends_at,
            CASE WHEN l.node_id IS NULL THEN NULL ELSE l.releasing_since IS NOT NULL END AS lease_releasing
       FROM node n LEFT JOIN project p ON p.id = n.project_id LEFT JOIN lease l ON l.node_id = n.id
      ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY n.label LIMIT ?`, ...args, f.limit);
  return rows.map((r) => ({
    ...r, obmd: r.obmd === 1, obm_enabled: r.obm_enabled === 1,
    lease_releasing: r.lease_releasing === null ? null : r.lease_releasing === 1,
  }));
}

/** A nic of a listed node, with the switch and port it is cabled to (null when uncabled). */
export interface NodeDetailNic { id: number; node_id: number; label: string; macaddr: string; switch: string | null; port: string | null }

/** The nics of the given nodes in registration order, with their cabling. */
export function nicsOfNodes(inv: Inventory, nodeIds: readonly number[]): NodeDetailNic[] {
  if (nodeIds.length === 0) return [];
  return inv.all<NodeDetailNic>(
    `SELECT nic.id, nic.node_id, nic.label, nic.macaddr, switch.label AS switch, port.label AS port
       FROM nic LEFT JOIN port ON port.id = nic.port_id LEFT JOIN switch ON switch.id = port.switch_id
      WHERE nic.node_id IN (SELECT value FROM json_each(?)) ORDER BY nic.id`, JSON.stringify(nodeIds));
}

/** A network on a nic of a listed node: the nic, the channel and the network's label. */
export interface NodeDetailAttachment { nic_id: number; channel: string; network: string }

/** The attachments of the given nodes' nics, in the order they were made. */
export function attachmentsOfNodes(inv: Inventory, nodeIds: readonly number[]): NodeDetailAttachment[] {
  if (nodeIds.length === 0) return [];
  return inv.all<NodeDetailAttachment>(
    `SELECT a.nic_id, a.channel, net.label AS network
       FROM attachment a JOIN nic ON nic.id = a.nic_id JOIN network net ON net.id = a.network_id
      WHERE nic.node_id IN (SELECT value FROM json_each(?)) ORDER BY a.id`, JSON.stringify(nodeIds));
}

/** The last power operation haas carried out on a node: which one and when it ended. */
export interface LastPowerRow { node: string; operation: 'power_on' | 'power_off' | 'power_cycle'; time: string }

/**
 * The last successful power operation (from the audit trail) of each of the given node labels that had one.
 * power_status calls are not recorded, and obmd does its own: those leave no trace here.
 */
export function lastPowerOfNodes(inv: Inventory, labels: readonly string[]): LastPowerRow[] {
  if (labels.length === 0) return [];
  return inv.all<LastPowerRow>(
    `SELECT node, operation, time FROM audit WHERE id IN (
       SELECT MAX(id) FROM audit
        WHERE node IN (SELECT value FROM json_each(?)) AND operation IN ('power_on', 'power_off', 'power_cycle')
          AND outcome = 'ok' AND json_extract(detail, '$.result') = 'ok'
        GROUP BY node)`, JSON.stringify(labels));
}
