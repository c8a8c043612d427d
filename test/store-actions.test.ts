// The networking-actions store (src/db/store/actions.ts) against a fresh
// database: queueing, the pending predicates, the worker's pending scan,
// finishing once, showing, and the per-port views the drift check reads.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addProject } from './lib/net-rows.js';
import {
  actionByUuid, finishAction, networkHasPendingAction, nicHasPendingAction, nodeHasPendingAction, pendingActions,
  pendingPortsOfSwitch, portHoldersOfSwitch, queueAction, type NewAction,
} from '../src/db/store/actions.js';
import { addNetwork } from '../src/db/store/networks.js';
import { addPort, addSwitch, portOfSwitch, switchByLabel } from '../src/db/store/switches.js';

describe('store: networking actions', () => {
  let inv: ReturnType<typeof freshInventory>;
  let a: number, sw: number, p1: number, p2: number, nic1: number, nic2: number, node1: number, red: number;
  const modify = (nicId: number, network: { id: number; label: string } | null, channel = 'vlan/native'): NewAction =>
    ({ type: 'modify_port', nicId, channel, network, createdAt: '2026-01-01T00:00:00.000Z' });

  beforeEach(() => {
    inv = freshInventory();
    a = addProject(inv, 'A');
    addSwitch(inv, 'sw', 'mock', '{"x":1}');
    sw = switchByLabel(inv, 'sw')!.id;
    addPort(inv, sw, 'gi1/0/1');
    addPort(inv, sw, 'gi1/0/2');
    addPort(inv, sw, 'gi1/0/3');
    p1 = portOfSwitch(inv, sw, 'gi1/0/1')!.id;
    p2 = portOfSwitch(inv, sw, 'gi1/0/2')!.id;
    node1 = addNode(inv, 'n1', a);
    nic1 = addNic(inv, node1, 'eth0', p1);
    nic2 = addNic(inv, addNode(inv, 'n2', null), 'eth0', p2);
    red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
  });
  afterEach(() => inv.close());

  it('has nothing pending in a database without actions', () => {
    assert.deepEqual(pendingActions(inv), []);
    assert.equal(nicHasPendingAction(inv, nic1), false);
    assert.equal(nodeHasPendingAction(inv, node1), false);
    assert.equal(networkHasPendingAction(inv, red), false);
    assert.deepEqual(pendingPortsOfSwitch(inv, sw), []);
    assert.equal(actionByUuid(inv, 'no-such-action'), undefined);
  });

  it('queues actions with a new id each, and scans the pending ones in creation order', () => {
    const first = queueAction(inv, modify(nic2, { id: red, label: 'red' }));
    const second = queueAction(inv, { type: 'revert_port', nicId: nic1, channel: '', network: null, createdAt: 'then' });
    const third = queueAction(inv, modify(nic1, null, 'vlan/120'));
    assert.match(first, /^[0-9a-f-]{36}$/);
    assert.equal(new Set([first, second, third]).size, 3);
    const pending = pendingActions(inv);
    assert.deepEqual(pending.map((p) => p.uuid), [first, second, third]);
    assert.deepEqual(pending[0], {
      id: pending[0]!.id, uuid: first, type: 'modify_port', channel: 'vlan/native', nic_id: nic2, new_network_id: red, vlan: 120,
      port: 'gi1/0/2', switch_id: sw, switch_label: 'sw', switch_type: 'mock', switch_config: '{"x":1}', switch_host_key: null,
    });
    assert.equal(pending[1]!.type, 'revert_port');
    assert.equal(pending[2]!.vlan, null);
  });

  it('answers the pending predicates for the nic, its node and the network', () => {
    queueAction(inv, modify(nic1, { id: red, label: 'red' }));
    assert.equal(nicHasPendingAction(inv, nic1), true);
    assert.equal(nicHasPendingAction(inv, nic2), false);
    assert.equal(nodeHasPendingAction(inv, node1), true);
    assert.equal(networkHasPendingAction(inv, red), true);
    assert.deepEqual(pendingPortsOfSwitch(inv, sw), ['gi1/0/1']);
  });

  it('finishes a pending action once: DONE or ERROR with the words, then it is no longer pending', () => {
    const ok = queueAction(inv, modify(nic1, { id: red, label: 'red' }));
    const bad = queueAction(inv, modify(nic2, { id: red, label: 'red' }));
    const [okId, badId] = pendingActions(inv).map((p) => p.id);
    assert.ok(okId !== undefined && badId !== undefined);
    assert.equal(finishAction(inv, okId, null, 'at-1'), true);
    assert.equal(finishAction(inv, badId, '% Invalid VLAN', 'at-2'), true);
    assert.equal(finishAction(inv, okId, 'late', 'at-3'), false, 'finishing twice is refused');
    assert.equal(finishAction(inv, 9999, null, 'at-3'), false);
    assert.deepEqual(pendingActions(inv), []);
    assert.equal(nicHasPendingAction(inv, nic1), false);
    assert.equal(networkHasPendingAction(inv, red), false);
    assert.deepEqual(actionByUuid(inv, ok), {
      status: 'DONE', node: 'n1', nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: 'red',
      project_id: a, message: null, created_at: '2026-01-01T00:00:00.000Z', finished_at: 'at-1', switch: 'sw', port: 'gi1/0/1',
    });
    assert.equal(actionByUuid(inv, bad)?.status, 'ERROR');
    assert.equal(actionByUuid(inv, bad)?.message, '% Invalid VLAN');
    assert.equal(actionByUuid(inv, bad)?.finished_at, 'at-2');
  });

  it('shows an action of an uncabled nic without switch and port, and leaves it out of the scan', () => {
    const loose = addNic(inv, node1, 'eth1');
    const uuid = queueAction(inv, modify(loose, null));
    assert.equal(actionByUuid(inv, uuid)?.switch, null);
    assert.equal(actionByUuid(inv, uuid)?.port, null);
    assert.deepEqual(pendingActions(inv), []);
    assert.equal(nicHasPendingAction(inv, loose), true);
  });

  it('refuses an action on a nic that does not exist', () => {
    assert.throws(() => queueAction(inv, modify(9999, null)), /FOREIGN KEY/);
  });

  it('tells who holds each port of the switch, pending action included', () => {
    const holders = () => Object.fromEntries(portHoldersOfSwitch(inv, sw).map((h) => [h.port, h]));
    assert.deepEqual(holders(), {
      'gi1/0/1': { port: 'gi1/0/1', nic_id: nic1, project_id: a, pending: false },
      'gi1/0/2': { port: 'gi1/0/2', nic_id: nic2, project_id: null, pending: false },
      'gi1/0/3': { port: 'gi1/0/3', nic_id: null, project_id: null, pending: false },
    });
    queueAction(inv, modify(nic2, null));
    assert.equal(holders()['gi1/0/2']!.pending, true);
    assert.equal(holders()['gi1/0/1']!.pending, false);
    assert.deepEqual(portHoldersOfSwitch(inv, 9999), []);
  });
});
