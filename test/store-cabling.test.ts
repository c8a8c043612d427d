// The cabling store (src/db/store/cabling.ts) against a fresh database: the
// nics with their MACs and cabling, and one switch's ports with their nics
// and how many networks each nic is on (attachments and pending actions).
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addSwitchPort } from './lib/net-rows.js';
import { nicCabling, portCabling } from '../src/db/store/cabling.js';
import { switchByLabel } from '../src/db/store/switches.js';
import { addNetwork } from '../src/db/store/networks.js';
import { putAttachment } from '../src/db/store/attachments.js';

describe('store: cabling', () => {
  let inv: ReturnType<typeof freshInventory>;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => inv.close());

  it('knows nothing in an empty database', () => {
    assert.deepEqual(nicCabling(inv), []);
    assert.deepEqual(portCabling(inv, 1), []);
  });

  it('lists every nic with its MAC and where it is cabled, by node and nic', () => {
    const p1 = addSwitchPort(inv, 'sw', 'gi1/0/1');
    const b = addNode(inv, 'b', null);
    const a = addNode(inv, 'a', null);
    addNic(inv, b, 'eth0', p1);
    addNic(inv, a, 'eth1');
    addNic(inv, a, 'eth0');
    assert.deepEqual(nicCabling(inv).map(({ nic_id: _, ...r }) => r), [
      { node: 'a', nic: 'eth0', macaddr: '00:00:00:00:00:01', switch: null, port: null },
      { node: 'a', nic: 'eth1', macaddr: '00:00:00:00:00:01', switch: null, port: null },
      { node: 'b', nic: 'eth0', macaddr: '00:00:00:00:00:01', switch: 'sw', port: 'gi1/0/1' },
    ]);
  });

  it('lists one switch\'s ports with their nics and the networks those are on', () => {
    const p2 = addSwitchPort(inv, 'sw', 'gi1/0/2');
    const p1 = addSwitchPort(inv, 'sw', 'gi1/0/1');
    addSwitchPort(inv, 'sw', 'gi1/0/3');
    addSwitchPort(inv, 'other', 'gi1/0/1');
    const n = addNode(inv, 'n', null);
    const nic1 = addNic(inv, n, 'eth0', p1);
    addNic(inv, n, 'eth1', p2);
    const net = addNetwork(inv, { label: 'net', ownerId: null, vlan: 300, allocated: false });
    putAttachment(inv, nic1, net, 'vlan/native');
    const rows = portCabling(inv, switchByLabel(inv, 'sw')!.id).map(({ port_id: _, nic_id: __, ...r }) => r);
    assert.deepEqual(rows, [
      { port: 'gi1/0/1', node: 'n', nic: 'eth0', networks: 1 },
      { port: 'gi1/0/2', node: 'n', nic: 'eth1', networks: 0 },
      { port: 'gi1/0/3', node: null, nic: null, networks: 0 },
    ]);
  });
});
