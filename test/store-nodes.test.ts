// The store's contract for nodes, their nics and their metadata (src/db/store/nodes.ts),
// on a fresh database each: what each function answers, keeps in order and removes.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import {
  addNic, addNode, allNodes, cabledNicsOfNode, deleteNic, deleteNode, deleteNodeMetadata, disableObmdNode, enableObmdNode, freeNodes,
  metadataOfNode, nicOfNode, nodeAndProject, nodeByLabel, nodeHasNics, nodesOfProject, projectHasNodes, setNodeMetadata,
  setNodeObmConfig, setNodeObmEnabled, setNodeProject, type NewNode,
} from '../src/db/store/nodes.js';
import { addProject } from '../src/db/store/projects.js';
import { attachmentsOfNode, nodeHasAttachments, putAttachment } from '../src/db/store/attachments.js';
import { cableNic } from '../src/db/store/switches.js';
import { queueAction } from '../src/db/store/actions.js';
import { addPoolNetwork, addSwitchPort } from './lib/net-rows.js';

const mock = (label: string): NewNode => ({ label, obmType: 'mock', obmConfig: '{"host":"h"}', obmdUri: null, obmdAdminToken: null });
const obmd = (label: string): NewNode => ({ label, obmType: null, obmConfig: null, obmdUri: 'http://obmd', obmdAdminToken: 'admin-tok' });

/** Cable the nic to a new port of a mock switch, through the switches store. */
function cable(inv: Inventory, nicId: number, switchLabel: string, portLabel: string): void {
  cableNic(inv, nicId, addSwitchPort(inv, switchLabel, portLabel));
}
function count(inv: Inventory, table: string): number {
  return inv.column<number>(`SELECT count(*) FROM ${table}`)[0]!;
}

describe('store: nodes', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('knows no nodes on an empty database', () => {
    assert.equal(nodeByLabel(inv, 'n1'), undefined);
    assert.equal(nodeAndProject(inv, 'n1'), undefined);
    assert.deepEqual(freeNodes(inv), []);
    assert.deepEqual(allNodes(inv), []);
  });

  it('adds a node with an in-process OBM, disabled and free, and finds it by label', () => {
    const id = addNode(inv, mock('n1'));
    assert.deepEqual(nodeByLabel(inv, 'n1'), {
      id, label: 'n1', project_id: null, obm_type: 'mock', obm_config: '{"host":"h"}',
      obmd_uri: null, obmd_admin_token: null, obmd_node_token: null, obm_enabled: false,
    });
    assert.deepEqual(nodeAndProject(inv, 'n1'), { id, project_id: null, project: null });
  });

  it('adds a node behind obmd; refuses one with both kinds of OBM or none, and a second of the same label', () => {
    const id = addNode(inv, obmd('n1'));
    assert.equal(nodeByLabel(inv, 'n1')?.id, id);
    assert.equal(nodeByLabel(inv, 'n1')?.obmd_admin_token, 'admin-tok');
    assert.throws(() => addNode(inv, { ...mock('n2'), obmdUri: 'http://obmd' }), /CHECK constraint failed/);
    assert.throws(() => addNode(inv, { ...mock('n3'), obmType: null }), /CHECK constraint failed/);
    assert.throws(() => addNode(inv, mock('n1')), /UNIQUE constraint failed/);
  });

  it('lists free and all nodes sorted by label, a project\'s nodes in registration order', () => {
    for (const l of ['n3', 'n1', 'n2', 'n0']) addNode(inv, mock(l));
    const p = addProject(inv, 'p');
    assert.equal(projectHasNodes(inv, p), false);
    setNodeProject(inv, nodeByLabel(inv, 'n2')!.id, p);
    setNodeProject(inv, nodeByLabel(inv, 'n3')!.id, p);
    assert.deepEqual(allNodes(inv), ['n0', 'n1', 'n2', 'n3']);
    assert.deepEqual(freeNodes(inv), ['n0', 'n1']);
    assert.deepEqual(nodesOfProject(inv, p), ['n3', 'n2']);
    assert.equal(projectHasNodes(inv, p), true);
    assert.deepEqual(nodeAndProject(inv, 'n2'), { id: nodeByLabel(inv, 'n2')!.id, project_id: p, project: 'p' });
  });

  it('frees a node with project null; refuses a project that does not exist', () => {
    const n = addNode(inv, mock('n1'));
    const p = addProject(inv, 'p');
    setNodeProject(inv, n, p);
    setNodeProject(inv, n, null);
    assert.deepEqual(freeNodes(inv), ['n1']);
    assert.deepEqual(nodesOfProject(inv, p), []);
    assert.throws(() => setNodeProject(inv, n, p + 100), /FOREIGN KEY constraint failed/);
  });

  it('enables and disables the OBM, and keeps and forgets an obmd node token', () => {
    const a = addNode(inv, mock('a'));
    setNodeObmEnabled(inv, a, true);
    assert.equal(nodeByLabel(inv, 'a')?.obm_enabled, true);
    setNodeObmEnabled(inv, a, false);
    assert.equal(nodeByLabel(inv, 'a')?.obm_enabled, false);
    const b = addNode(inv, obmd('b'));
    enableObmdNode(inv, b, 'node-tok');
    assert.deepEqual([nodeByLabel(inv, 'b')?.obm_enabled, nodeByLabel(inv, 'b')?.obmd_node_token], [true, 'node-tok']);
    disableObmdNode(inv, b);
    assert.deepEqual([nodeByLabel(inv, 'b')?.obm_enabled, nodeByLabel(inv, 'b')?.obmd_node_token], [false, null]);
  });

  it('replaces the OBM fields of one node only, keeping its type and OBM state', () => {
    const a = addNode(inv, mock('a'));
    addNode(inv, mock('b'));
    setNodeObmEnabled(inv, a, true);
    setNodeObmConfig(inv, a, '{"host":"h2"}');
    const row = nodeByLabel(inv, 'a');
    assert.deepEqual([row?.obm_type, row?.obm_config, row?.obm_enabled], ['mock', '{"host":"h2"}', true]);
    assert.equal(nodeByLabel(inv, 'b')?.obm_config, '{"host":"h"}');
  });

  it('deletes a node with its metadata; refuses while it has nics', () => {
    const n = addNode(inv, mock('n1'));
    const other = addNode(inv, mock('n2'));
    setNodeMetadata(inv, n, 'k', '1');
    setNodeMetadata(inv, other, 'k', '2');
    const nic = addNic(inv, n, 'eth0', 'aa:bb');
    assert.throws(() => deleteNode(inv, n), /FOREIGN KEY constraint failed/);
    deleteNic(inv, nic);
    deleteNode(inv, n);
    assert.equal(nodeByLabel(inv, 'n1'), undefined);
    assert.deepEqual(allNodes(inv), ['n2']);
    assert.deepEqual(metadataOfNode(inv, other), [{ label: 'k', value: '2' }]);
    assert.equal(count(inv, 'node_metadata'), 1);
  });
});

describe('store: nics', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('has none on a new node', () => {
    const n = addNode(inv, mock('n1'));
    assert.equal(nodeHasNics(inv, n), false);
    assert.equal(nicOfNode(inv, n, 'eth0'), undefined);
    assert.deepEqual(cabledNicsOfNode(inv, n), []);
  });

  it('adds nics, uncabled, finds them by node and label, lists them in registration order with their cabling', () => {
    const n = addNode(inv, mock('n1'));
    const other = addNode(inv, mock('n2'));
    const b = addNic(inv, n, 'eth1', '00:00:00:00:00:02');
    const a = addNic(inv, n, 'eth0', '00:00:00:00:00:01');
    addNic(inv, other, 'eth0', '00:00:00:00:00:03');
    assert.deepEqual(nicOfNode(inv, n, 'eth0'), { id: a, node_id: n, label: 'eth0', macaddr: '00:00:00:00:00:01', port_id: null });
    assert.equal(nicOfNode(inv, n, 'eth2'), undefined);
    assert.equal(nodeHasNics(inv, n), true);
    cable(inv, b, 'sw', 'gi1/0/1');
    assert.deepEqual(cabledNicsOfNode(inv, n), [
      { id: b, label: 'eth1', macaddr: '00:00:00:00:00:02', port: 'gi1/0/1', switch: 'sw' },
      { id: a, label: 'eth0', macaddr: '00:00:00:00:00:01', port: null, switch: null },
    ]);
  });

  it('refuses a second nic of the same label on a node, and a nic of a node that does not exist', () => {
    const n = addNode(inv, mock('n1'));
    addNic(inv, n, 'eth0', 'aa');
    assert.throws(() => addNic(inv, n, 'eth0', 'bb'), /UNIQUE constraint failed/);
    assert.throws(() => addNic(inv, n + 100, 'eth0', 'bb'), /FOREIGN KEY constraint failed/);
  });

  it('deletes a nic with its attachments and action history, and nothing of the other nics', () => {
    const n = addNode(inv, mock('n1'));
    const gone = addNic(inv, n, 'eth0', 'aa');
    const kept = addNic(inv, n, 'eth1', 'bb');
    const net = addPoolNetwork(inv, 'net', 100);
    for (const nic of [gone, kept]) {
      putAttachment(inv, nic, net, 'vlan/native');
      queueAction(inv, { type: 'modify_port', nicId: nic, channel: 'vlan/native', network: { id: net, label: 'net' }, createdAt: 'now' });
    }
    deleteNic(inv, gone);
    assert.equal(nicOfNode(inv, n, 'eth0'), undefined);
    assert.deepEqual(cabledNicsOfNode(inv, n).map((x) => x.id), [kept]);
    assert.deepEqual(inv.column<number>('SELECT nic_id FROM attachment'), [kept]);
    assert.deepEqual(inv.column<number>('SELECT nic_id FROM networking_action'), [kept]);
  });
});

describe('store: node metadata', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('has none on a new node', () => {
    assert.deepEqual(metadataOfNode(inv, addNode(inv, mock('n1'))), []);
  });

  it('sets values, replaces one in place (first-set order kept), and keeps each node\'s apart', () => {
    const n = addNode(inv, mock('n1'));
    const other = addNode(inv, mock('n2'));
    setNodeMetadata(inv, n, 'z', '"first"');
    setNodeMetadata(inv, n, 'a', '{"x":1}');
    setNodeMetadata(inv, other, 'z', 'true');
    setNodeMetadata(inv, n, 'z', '"second"');
    assert.deepEqual(metadataOfNode(inv, n), [{ label: 'z', value: '"second"' }, { label: 'a', value: '{"x":1}' }]);
    assert.deepEqual(metadataOfNode(inv, other), [{ label: 'z', value: 'true' }]);
    assert.throws(() => setNodeMetadata(inv, n + 100, 'k', '1'), /FOREIGN KEY constraint failed/);
  });

  it('deletes one key and says whether there was one', () => {
    const n = addNode(inv, mock('n1'));
    setNodeMetadata(inv, n, 'a', '1');
    setNodeMetadata(inv, n, 'b', '2');
    assert.equal(deleteNodeMetadata(inv, n, 'a'), true);
    assert.equal(deleteNodeMetadata(inv, n, 'a'), false);
    assert.equal(deleteNodeMetadata(inv, n, 'missing'), false);
    assert.deepEqual(metadataOfNode(inv, n), [{ label: 'b', value: '2' }]);
  });
});

describe('store: the attachments of a node (src/db/store/attachments.ts)', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('lists the attachments of every nic of the node, with the networks\' labels, and no other node\'s', () => {
    const n = addNode(inv, mock('n1'));
    const other = addNode(inv, mock('n2'));
    const eth0 = addNic(inv, n, 'eth0', 'aa');
    const eth1 = addNic(inv, n, 'eth1', 'bb');
    const theirs = addNic(inv, other, 'eth0', 'cc');
    assert.equal(nodeHasAttachments(inv, n), false);
    assert.deepEqual(attachmentsOfNode(inv, n), []);
    const a = addPoolNetwork(inv, 'a', 100), b = addPoolNetwork(inv, 'b', 101);
    const attach = (nic: number, network: number, channel: string) => putAttachment(inv, nic, network, channel);
    attach(eth1, a, 'vlan/native');
    attach(eth1, b, 'vlan/101');
    attach(theirs, a, 'vlan/native');
    assert.equal(nodeHasAttachments(inv, n), true);
    attach(eth0, b, 'vlan/native');
    const sorted = attachmentsOfNode(inv, n).sort((x, y) => x.nic_id - y.nic_id || x.channel.localeCompare(y.channel));
    assert.deepEqual(sorted, [
      { nic_id: eth0, channel: 'vlan/native', network: 'b' },
      { nic_id: eth1, channel: 'vlan/101', network: 'b' },
      { nic_id: eth1, channel: 'vlan/native', network: 'a' },
    ]);
  });
});
