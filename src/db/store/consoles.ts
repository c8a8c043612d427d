// Store: which nodes have a console haas keeps open (and logs) while nobody watches.
import type { Inventory } from '../inventory.js';

/** A node whose in-process OBM is enabled: the driver to open its console with, and who holds it. */
export interface KeptConsoleNode {
  label: string;
  obm_type: string;
  obm_config: string;
  project_id: number | null;
  /** The holding project's label, or null for a free node. */
  project: string | null;
}

/** Every node with an enabled in-process OBM (obmd nodes' consoles are obmd's), by label. */
export function nodesWithKeptConsole(inv: Inventory): KeptConsoleNode[] {
  return inv.all<KeptConsoleNode>(
    `SELECT n.label, n.obm_type, n.obm_config, n.project_id, p.label AS project
     FROM node n LEFT JOIN project p ON p.id = n.project_id
     WHERE n.obm_enabled = 1 AND n.obmd_uri IS NULL AND n.obm_type IS NOT NULL AND n.obm_config IS NOT NULL
     ORDER BY n.label`);
}
