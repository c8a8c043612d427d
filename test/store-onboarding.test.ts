// The onboarding store (src/db/store/onboarding.ts) against a fresh database:
// unmanaged ports, the cabling of a switch's ports as an import reads it, and
// networks by VLAN with their access lists.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addPoolNetwork, addProject, addSwitchPort } from './lib/net-rows.js';
import {
  clearPortUnmanaged, importPortsOfSwitch, markPortUnmanaged, networksByVlan, unmanagedPortsOfSwitch,
} from '../src/db/store/onboarding.js';
import { removePort, switchByLabel } from '../src/db/store/switches.js';
import { grantNetworkAccess } from '../src/db/store/networks.js';
import { putAttachment } from '../src/db/store/attachments.js';
import { queueAction } from '../src/db/store/actions.js';

describe('store: onboarding', () => {
  let inv: ReturnType<typeof freshInventory>;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => inv.close());

  it('marks, updates, lists (by port label) and clears unmanaged ports; a deleted port takes its mark along', () => {
    const p2 = addSwitchPort(inv, 'sw', 'gi1/0/2');
    const p1 = addSwitchPort(inv, 'sw', 'gi1/0/1');
    addSwitchPort(inv, 'other', 'gi1/0/1');
    const sw = switchByLabel(inv, 'sw')!.id;
    assert.deepEqual(unmanagedPortsOfSwitch(inv, sw), []);
    markPortUnmanaged(inv, p2, 't1', 'native 999', 'foreign');
    markPortUnmanaged(inv, p1, 't1', 'tagged 5', 'no nic');
    markPortUnmanaged(inv, p1, 't2', 'tagged 6', 'no nic yet');
    assert.deepEqual(unmanagedPortsOfSwitch(inv, sw), [
      { port: 'gi1/0/1', since: 't2', found: 'tagged 6', reason: 'no nic yet' },
      { port: 'gi1/0/2', since: 't1', found: 'native 999', reason: 'foreign' },
    ]);
    assert.equal(unmanagedPortsOfSwitch(inv, switchByLabel(inv, 'other')!.id).length, 0);
    assert.equal(clearPortUnmanaged(inv, p1), true);
    assert.equal(clearPortUnmanaged(inv, p1), false);
    removePort(inv, p2);
    assert.deepEqual(unmanagedPortsOfSwitch(inv, sw), []);
  });

  it('reads each port\'s cabling: nic, node, project, attachments and a pending action', () => {
    const proj = addProject(inv, 'A');
    const p1 = addSwitchPort(inv, 'sw', 'p1');
    addSwitchPort(inv, 'sw', 'p2');
    const p3 = addSwitchPort(inv, 'sw', 'p3');
    const nic1 = addNic(inv, addNode(inv, 'n1', proj), 'eth0', p1);
    addNic(inv, addNode(inv, 'n3', null), 'eth0', p3);
    const net = addPoolNetwork(inv, 'red', 100);
    putAttachment(inv, nic1, net, 'vlan/native');
    queueAction(inv, { type: 'modify_port', nicId: nic1, channel: 'vlan/5', network: null, createdAt: 't' });
    const rows = importPortsOfSwitch(inv, switchByLabel(inv, 'sw')!.id).map(({ port_id: _id, nic_id: _nic, project_id: _p, ...r }) => r);
    assert.deepEqual(rows, [
      { port: 'p1', nic: 'eth0', node: 'n1', project: 'A', attachments: 1, pending: true },
      { port: 'p2', nic: null, node: null, project: null, attachments: 0, pending: false },
      { port: 'p3', nic: 'eth0', node: 'n3', project: null, attachments: 0, pending: false },
    ]);
  });

  it('maps VLANs to networks with their access lists (empty: public)', () => {
    const a = addProject(inv, 'A');
    const b = addProject(inv, 'B');
    const red = addPoolNetwork(inv, 'red', 100);
    addPoolNetwork(inv, 'pub', 200);
    grantNetworkAccess(inv, red, b);
    grantNetworkAccess(inv, red, a);
    const m = networksByVlan(inv);
    assert.deepEqual(m.get(100), { id: red, label: 'red', net_id: 100, access: [b, a] });
    assert.deepEqual(m.get(200)?.access, []);
    assert.equal(m.get(300), undefined);
  });
});
