// The store's contract for headnodes and their hnics (src/db/store/headnodes.ts),
// on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import {
  addHeadnode, addHnic, deleteHeadnode, deleteHnic, freezeHeadnode, headnodeByLabel, headnodeCount, headnodesOfProject, hnicOfHeadnode,
  hnicsOfHeadnode, hnicVlans, markHeadnodeDead, markHeadnodeExited, markHeadnodeRunning, markHeadnodeStopped, setHnicNetwork,
  startedHeadnodes, thawUnstartedHeadnode,
} from '../src/db/store/headnodes.js';
import { addProject } from '../src/db/store/projects.js';
import { addPoolNetwork } from './lib/net-rows.js';

/** The status and vncport of the headnode named `label`. */
function state(inv: Inventory, label: string): [string | undefined, number | null | undefined] {
  const h = headnodeByLabel(inv, label);
  return [h?.status, h?.vncport];
}

describe('store: headnodes', () => {
  let inv: Inventory;
  let p: number;
  beforeEach(() => { inv = freshInventory(); p = addProject(inv, 'p'); });
  afterEach(() => { inv.close(); });

  it('knows none on an empty database', () => {
    assert.equal(headnodeByLabel(inv, 'h'), undefined);
    assert.deepEqual(startedHeadnodes(inv), []);
    assert.deepEqual(headnodesOfProject(inv, p), []);
    assert.equal(headnodeCount(inv, p), 0);
  });

  it('adds headnodes created and not frozen, lists a project\'s sorted and counts them', () => {
    const q = addProject(inv, 'q');
    const id = addHeadnode(inv, 'h2', p, 'uuid-2', 'img');
    addHeadnode(inv, 'h1', p, 'uuid-1', 'img');
    addHeadnode(inv, 'other', q, 'uuid-3', 'img');
    assert.deepEqual(headnodeByLabel(inv, 'h2'), {
      id, label: 'h2', project_id: p, uuid: 'uuid-2', base_img: 'img', frozen: false, status: 'created', vncport: null,
    });
    assert.deepEqual(headnodesOfProject(inv, p), ['h1', 'h2']);
    assert.equal(headnodeCount(inv, p), 2);
    assert.equal(headnodeCount(inv, q), 1);
    assert.throws(() => addHeadnode(inv, 'h1', p, 'uuid-4', 'img'), /UNIQUE constraint failed/);
    assert.throws(() => addHeadnode(inv, 'h5', p, 'uuid-1', 'img'), /UNIQUE constraint failed/);
    assert.throws(() => addHeadnode(inv, 'h6', q + 100, 'uuid-6', 'img'), /FOREIGN KEY constraint failed/);
  });

  it('lists only frozen (started) headnodes, by id', () => {
    const b = addHeadnode(inv, 'b', p, 'u-b', 'img');
    addHeadnode(inv, 'never', p, 'u-n', 'img');
    const a = addHeadnode(inv, 'a', p, 'u-a', 'img');
    freezeHeadnode(inv, a);
    freezeHeadnode(inv, b);
    assert.deepEqual(startedHeadnodes(inv).map((h) => [h.label, h.frozen]), [['b', true], ['a', true]]);
  });

  it('thaws a headnode only while it has never run', () => {
    const h = addHeadnode(inv, 'h', p, 'u', 'img');
    freezeHeadnode(inv, h);
    thawUnstartedHeadnode(inv, h);
    assert.equal(headnodeByLabel(inv, 'h')?.frozen, false);
    freezeHeadnode(inv, h);
    markHeadnodeRunning(inv, h, 5901);
    thawUnstartedHeadnode(inv, h);
    assert.equal(headnodeByLabel(inv, 'h')?.frozen, true);
  });

  it('records running, stopped and dead, and a stop of one that never ran keeps it created', () => {
    const h = addHeadnode(inv, 'h', p, 'u', 'img');
    markHeadnodeStopped(inv, h);
    assert.deepEqual(state(inv, 'h'), ['created', null]);
    markHeadnodeRunning(inv, h, 5901);
    assert.deepEqual(state(inv, 'h'), ['running', 5901]);
    markHeadnodeStopped(inv, h);
    assert.deepEqual(state(inv, 'h'), ['stopped', null]);
    markHeadnodeRunning(inv, h, 5902);
    markHeadnodeDead(inv, h);
    assert.deepEqual(state(inv, 'h'), ['dead', null]);
  });

  it('records an exit by uuid only for a running headnode', () => {
    const h = addHeadnode(inv, 'h', p, 'u', 'img');
    addHeadnode(inv, 'g', p, 'v', 'img');
    markHeadnodeExited(inv, 'v', 'dead');
    assert.deepEqual(state(inv, 'g'), ['created', null]);
    markHeadnodeRunning(inv, h, 5901);
    markHeadnodeExited(inv, 'u', 'stopped');
    assert.deepEqual(state(inv, 'h'), ['stopped', null]);
    markHeadnodeExited(inv, 'u', 'dead');
    assert.deepEqual(state(inv, 'h'), ['stopped', null]);
    markHeadnodeRunning(inv, h, 5901);
    markHeadnodeExited(inv, 'u', 'dead');
    assert.deepEqual(state(inv, 'h'), ['dead', null]);
  });

  it('deletes a headnode with its hnics, and nothing of another', () => {
    const h = addHeadnode(inv, 'h', p, 'u', 'img');
    const g = addHeadnode(inv, 'g', p, 'v', 'img');
    addHnic(inv, h, 'eth0');
    addHnic(inv, g, 'eth0');
    deleteHeadnode(inv, h);
    assert.equal(headnodeByLabel(inv, 'h'), undefined);
    assert.deepEqual(headnodesOfProject(inv, p), ['g']);
    assert.deepEqual(hnicsOfHeadnode(inv, h), []);
    assert.deepEqual(hnicsOfHeadnode(inv, g), ['eth0']);
  });
});

describe('store: hnics', () => {
  let inv: Inventory;
  let h: number;
  beforeEach(() => { inv = freshInventory(); h = addHeadnode(inv, 'h', addProject(inv, 'p'), 'u', 'img'); });
  afterEach(() => { inv.close(); });

  it('has none on a new headnode', () => {
    assert.deepEqual(hnicsOfHeadnode(inv, h), []);
    assert.deepEqual(hnicVlans(inv, h), []);
    assert.equal(hnicOfHeadnode(inv, h, 'eth0'), undefined);
  });

  it('adds hnics on no network, finds them by label, lists them in creation order', () => {
    const b = addHnic(inv, h, 'b');
    addHnic(inv, h, 'a');
    assert.deepEqual(hnicOfHeadnode(inv, h, 'b'), { id: b, headnode_id: h, label: 'b', network_id: null });
    assert.deepEqual(hnicsOfHeadnode(inv, h), ['b', 'a']);
    assert.throws(() => addHnic(inv, h, 'a'), /UNIQUE constraint failed/);
    assert.throws(() => addHnic(inv, h + 100, 'a'), /FOREIGN KEY constraint failed/);
  });

  it('puts hnics on networks and takes them off; the VM view carries the VLANs in creation order', () => {
    const eth1 = addHnic(inv, h, 'eth1');
    const eth0 = addHnic(inv, h, 'eth0');
    const net = addPoolNetwork(inv, 'net', 300);
    setHnicNetwork(inv, eth0, net);
    assert.equal(hnicOfHeadnode(inv, h, 'eth0')?.network_id, net);
    assert.deepEqual(hnicVlans(inv, h), [{ label: 'eth1', vlan: null }, { label: 'eth0', vlan: 300 }]);
    setHnicNetwork(inv, eth1, net);
    setHnicNetwork(inv, eth0, null);
    assert.deepEqual(hnicVlans(inv, h), [{ label: 'eth1', vlan: 300 }, { label: 'eth0', vlan: null }]);
    assert.throws(() => setHnicNetwork(inv, eth0, net + 100), /FOREIGN KEY constraint failed/);
  });

  it('deletes one hnic', () => {
    const a = addHnic(inv, h, 'a');
    addHnic(inv, h, 'b');
    deleteHnic(inv, a);
    assert.equal(hnicOfHeadnode(inv, h, 'a'), undefined);
    assert.deepEqual(hnicsOfHeadnode(inv, h), ['b']);
  });
});
