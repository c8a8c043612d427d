// Rows the store tests stand on (projects, nodes, nics, switches, ports, networks,
// headnodes), made through the store functions that own them, with ids back.
import type { Inventory } from '../../src/db/inventory.js';
import { addProject as storeAddProject } from '../../src/db/store/projects.js';
import { addNic as storeAddNic, addNode as storeAddNode, setNodeProject } from '../../src/db/store/nodes.js';
import { addPort, addSwitch, cableNic, portOfSwitch, switchByLabel } from '../../src/db/store/switches.js';
import { addNetwork } from '../../src/db/store/networks.js';
import { addHeadnode, addHnic, setHnicNetwork } from '../../src/db/store/headnodes.js';

/** Add a project; its id. */
export function addProject(inv: Inventory, label: string): number {
  return storeAddProject(inv, label);
}

/** Add a node (mock OBM) in the project (null: free); its id. */
export function addNode(inv: Inventory, label: string, projectId: number | null): number {
  const id = storeAddNode(inv, { label, obmType: 'mock', obmConfig: '{}', obmdUri: null, obmdAdminToken: null });
  if (projectId !== null) setNodeProject(inv, id, projectId);
  return id;
}

/** Add a nic of the node, cabled to the port (null: none); its id. */
export function addNic(inv: Inventory, nodeId: number, label: string, portId: number | null = null): number {
  const id = storeAddNic(inv, nodeId, label, '00:00:00:00:00:01');
  if (portId !== null) cableNic(inv, id, portId);
  return id;
}

/** Add a mock switch (unless it exists) and a port on it; the port's id. */
export function addSwitchPort(inv: Inventory, switchLabel: string, portLabel: string): number {
  if (!switchByLabel(inv, switchLabel)) addSwitch(inv, switchLabel, 'mock', '{}');
  const sw = switchByLabel(inv, switchLabel)!;
  addPort(inv, sw.id, portLabel);
  return portOfSwitch(inv, sw.id, portLabel)!.id;
}

/** Add a network on the VLAN (from the pool), owned by the project (null: admin); its id. */
export function addPoolNetwork(inv: Inventory, label: string, vlan: number, ownerId: number | null = null): number {
  return addNetwork(inv, { label, ownerId, vlan, allocated: true });
}

/** Add a headnode of the project with one hnic on the network; the headnode's id. */
export function addHeadnodeOn(inv: Inventory, label: string, projectId: number, networkId: number): number {
  const id = addHeadnode(inv, label, projectId, `uuid-${label}`, 'img');
  setHnicNetwork(inv, addHnic(inv, id, 'eth0'), networkId);
  return id;
}
