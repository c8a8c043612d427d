// The store's contract for the counts /metrics reports (src/db/store/metrics.ts), on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { finishAction, queueAction } from '../src/db/store/actions.js';
import { addLease, startDueReleases } from '../src/db/store/leases.js';
import { addHeadnode, markHeadnodeRunning } from '../src/db/store/headnodes.js';
import { addNetwork } from '../src/db/store/networks.js';
import { headnodesByStatus, leaseCounts, nodeCounts, pendingActionsBySwitch, pooledNetworkCount } from '../src/db/store/metrics.js';
import { addNic, addNode, addPoolNetwork, addProject, addSwitchPort } from './lib/net-rows.js';

describe('store: metrics', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('counts nothing in an empty inventory', () => {
    assert.deepEqual(pendingActionsBySwitch(inv), []);
    assert.deepEqual(nodeCounts(inv), { total: 0, reserved: 0 });
    assert.equal(pooledNetworkCount(inv), 0);
    assert.deepEqual(headnodesByStatus(inv), []);
    assert.deepEqual(leaseCounts(inv, '2030-01-01T00:00:00.000Z'), { active: 0, ending: 0, releasing: 0 });
  });

  it('counts PENDING actions per switch with the oldest one\'s time; finished ones do not count', () => {
    const p = addProject(inv, 'p');
    const node = addNode(inv, 'n', p);
    const nicA = addNic(inv, node, 'a', addSwitchPort(inv, 'swA', 'gi1'));
    const nicB = addNic(inv, node, 'b', addSwitchPort(inv, 'swB', 'gi1'));
    const net = { id: addPoolNetwork(inv, 'net', 100, p), label: 'net' };
    const ask = (nicId: number, createdAt: string) => queueAction(inv, { type: 'modify_port', nicId, channel: 'vlan/native', network: net, createdAt });
    ask(nicA, '2026-01-01T00:00:02.000Z');
    ask(nicA, '2026-01-01T00:00:01.000Z');
    ask(nicB, '2026-01-01T00:00:05.000Z');
    const done = inv.get<{ id: number }>('SELECT id FROM networking_action WHERE nic_id = ? ORDER BY id DESC LIMIT 1', nicB)!.id;
    finishAction(inv, done, null, '2026-01-01T00:00:06.000Z');
    assert.deepEqual(pendingActionsBySwitch(inv), [{ switch: 'swA', pending: 2, oldest: '2026-01-01T00:00:01.000Z' }]);
  });

  it('counts nodes and the reserved ones, pooled networks only, headnodes per status', () => {
    const p = addProject(inv, 'p');
    addNode(inv, 'free', null);
    addNode(inv, 'held', p);
    const pooled = addPoolNetwork(inv, 'pooled', 100, p);
    addNetwork(inv, { label: 'chosen', ownerId: null, vlan: 3000, allocated: false });
    assert.deepEqual(nodeCounts(inv), { total: 2, reserved: 1 });
    assert.equal(pooledNetworkCount(inv), 1);
    assert.ok(pooled > 0);
    const h = addHeadnode(inv, 'h1', p, '00000000-0000-0000-0000-000000000001', 'img');
    addHeadnode(inv, 'h2', p, '00000000-0000-0000-0000-000000000002', 'img');
    markHeadnodeRunning(inv, h, null);
    assert.deepEqual(headnodesByStatus(inv).sort((a, b) => a.status.localeCompare(b.status)), [{ status: 'created', n: 1 }, { status: 'running', n: 1 }]);
  });

  it('counts leases held, ending before a time, and releasing', () => {
    const p = addProject(inv, 'p');
    const lease = (label: string, endsAt: string | null) => addLease(inv, { nodeId: addNode(inv, label, p), projectId: p, startedAt: '2026-01-01T00:00:00.000Z', endsAt });
    lease('forever', null);
    lease('soon', '2026-01-02T00:00:00.000Z');
    lease('later', '2026-02-01T00:00:00.000Z');
    lease('past', '2026-01-01T12:00:00.000Z');
    assert.deepEqual(leaseCounts(inv, '2026-01-03T00:00:00.000Z'), { active: 4, ending: 2, releasing: 0 });
    startDueReleases(inv, '2026-01-01T13:00:00.000Z');
    assert.deepEqual(leaseCounts(inv, '2026-01-03T00:00:00.000Z'), { active: 3, ending: 1, releasing: 1 });
  });
});
