// Rows the networking store tests stand on: projects, nodes, nics and headnodes
// written directly, so these tests depend only on the modules they test.
import type { Inventory } from '../../src/db/inventory.js';

/** Insert a project; its id. */
export function addProject(inv: Inventory, label: string): number {
  return Number(inv.run('INSERT INTO project (label) VALUES (?)', label).lastInsertRowid);
}

/** Insert a node (mock OBM) in the project (null: free); its id. */
export function addNode(inv: Inventory, label: string, projectId: number | null): number {
  return Number(inv.run("INSERT INTO node (label, project_id, obm_type, obm_config) VALUES (?, ?, 'mock', '{}')", label, projectId).lastInsertRowid);
}

/** Insert a nic of the node, cabled to the port (null: none); its id. */
export function addNic(inv: Inventory, nodeId: number, label: string, portId: number | null = null): number {
  return Number(inv.run("INSERT INTO nic (node_id, label, macaddr, port_id) VALUES (?, ?, '00:00:00:00:00:01', ?)", nodeId, label, portId).lastInsertRowid);
}

/** Insert a headnode of the project with one hnic on the network; the headnode's id. */
export function addHeadnodeOn(inv: Inventory, label: string, projectId: number, networkId: number): number {
  const id = Number(inv.run("INSERT INTO headnode (label, project_id, uuid, base_img) VALUES (?, ?, ?, 'img')", label, projectId, `uuid-${label}`).lastInsertRowid);
  inv.run("INSERT INTO hnic (headnode_id, label, network_id) VALUES (?, 'eth0', ?)", id, networkId);
  return id;
}
