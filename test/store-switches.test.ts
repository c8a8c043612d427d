// The switches store (src/db/store/switches.ts) against a fresh database:
// switches, ports, the cabling of nics to ports, and SSH host keys.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addProject } from './lib/net-rows.js';
import {
  addPort, addSwitch, allSwitches, cableNic, hostKeyOf, nicOnPort, portCountOfSwitch, portLabelsOfSwitch, portOfSwitch,
  recordFirstHostKey, recordRefusedHostKey, removePort, removeSwitch, setHostKeyByAdmin, switchByIdAndLabel,
  switchByLabel, switchesOfNode, switchHasPorts, switchLabels, switchTypeOfPort, uncableNic,
} from '../src/db/store/switches.js';

const KEY1 = `SHA256:${'a'.repeat(43)}`;
const KEY2 = `SHA256:${'b'.repeat(43)}`;

describe('store: switches and ports', () => {
  let inv: ReturnType<typeof freshInventory>;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => inv.close());

  /** Add a switch and return its id. */
  const sw = (label: string, type = 'mock') => { addSwitch(inv, label, type, '{"a":1}'); return switchByLabel(inv, label)!.id; };
  /** Add a port and return its id. */
  const port = (switchId: number, label: string) => { addPort(inv, switchId, label); return portOfSwitch(inv, switchId, label)!.id; };

  it('knows no switch in an empty database', () => {
    assert.equal(switchByLabel(inv, 'sw'), undefined);
    assert.equal(switchByIdAndLabel(inv, 1, 'sw'), undefined);
    assert.deepEqual(allSwitches(inv), []);
    assert.deepEqual(switchLabels(inv), []);
    assert.deepEqual(switchesOfNode(inv, 1), []);
    assert.equal(hostKeyOf(inv, 1), undefined);
    assert.equal(switchTypeOfPort(inv, 1), undefined);
    assert.equal(nicOnPort(inv, 1), undefined);
  });

  it('adds switches, sorted by label, and refuses a label twice', () => {
    const z = sw('zulu', 'ovs');
    const a = sw('alpha');
    assert.deepEqual(switchByLabel(inv, 'zulu'), {
      id: z, label: 'zulu', type: 'ovs', config: '{"a":1}',
      host_key: null, host_key_origin: null, host_key_recorded_at: null, host_key_refused: null,
    });
    assert.deepEqual(switchLabels(inv), ['alpha', 'zulu']);
    assert.deepEqual(allSwitches(inv).map((s) => s.id), [a, z]);
    assert.equal(switchByIdAndLabel(inv, z, 'zulu')?.id, z);
    assert.equal(switchByIdAndLabel(inv, z, 'alpha'), undefined);
    assert.throws(() => addSwitch(inv, 'zulu', 'mock', '{}'), /UNIQUE/);
  });

  it('adds ports in registration order, once per switch, and counts them', () => {
    const s = sw('sw');
    const t = sw('other');
    assert.equal(switchHasPorts(inv, s), false);
    assert.equal(portCountOfSwitch(inv, s), 0);
    const p2 = port(s, 'gi1/0/2');
    port(s, 'gi1/0/1');
    port(t, 'gi1/0/2');
    assert.deepEqual(portOfSwitch(inv, s, 'gi1/0/2'), { id: p2, switch_id: s, label: 'gi1/0/2' });
    assert.equal(portOfSwitch(inv, s, 'gi1/0/9'), undefined);
    assert.deepEqual(portLabelsOfSwitch(inv, s), ['gi1/0/2', 'gi1/0/1']);
    assert.equal(switchHasPorts(inv, s), true);
    assert.equal(portCountOfSwitch(inv, s), 2);
    assert.equal(switchTypeOfPort(inv, p2), 'mock');
    assert.throws(() => addPort(inv, s, 'gi1/0/1'), /UNIQUE/);
    assert.throws(() => addPort(inv, 9999, 'gi1/0/1'), /FOREIGN KEY/);
  });

  it('cables one nic per port, tells who is on a port, and uncables', () => {
    const a = addProject(inv, 'A');
    const s = sw('sw');
    const p1 = port(s, 'p1');
    const p2 = port(s, 'p2');
    port(s, 'p3');
    const n1 = addNode(inv, 'n1', a);
    const nic = addNic(inv, n1, 'eth0');
    const freeNic = addNic(inv, addNode(inv, 'n2', null), 'eth0');
    cableNic(inv, nic, p1);
    cableNic(inv, freeNic, p2);
    assert.deepEqual(nicOnPort(inv, p1), { id: nic, label: 'eth0', node: 'n1', project_id: a });
    assert.deepEqual(nicOnPort(inv, p2), { id: freeNic, label: 'eth0', node: 'n2', project_id: null });
    assert.deepEqual(switchesOfNode(inv, n1).map((r) => r.label), ['sw']);
    assert.throws(() => cableNic(inv, addNic(inv, n1, 'eth1'), p1), /UNIQUE/, 'one nic per port');

    uncableNic(inv, nic);
    assert.equal(nicOnPort(inv, p1), undefined);
    assert.deepEqual(switchesOfNode(inv, n1), []);
  });

  it('lists each switch of a node once, by label', () => {
    const n1 = addNode(inv, 'n1', null);
    const b = sw('b');
    const a = sw('a');
    addNic(inv, n1, 'eth0', port(b, 'p1'));
    addNic(inv, n1, 'eth1', port(b, 'p2'));
    addNic(inv, n1, 'eth2', port(a, 'p1'));
    assert.deepEqual(switchesOfNode(inv, n1).map((r) => r.label), ['a', 'b']);
  });

  it('removes ports and switches; the database refuses while a nic is cabled or ports remain', () => {
    const s = sw('sw');
    const p = port(s, 'p1');
    const nic = addNic(inv, addNode(inv, 'n1', null), 'eth0', p);
    assert.throws(() => removePort(inv, p), /FOREIGN KEY/);
    assert.throws(() => removeSwitch(inv, s), /FOREIGN KEY/);
    uncableNic(inv, nic);
    removePort(inv, p);
    assert.equal(portOfSwitch(inv, s, 'p1'), undefined);
    removeSwitch(inv, s);
    assert.equal(switchByLabel(inv, 'sw'), undefined);
  });

  it('records host keys: first use once, refused ones, and an admin\'s key that clears the refusal', () => {
    const s = sw('sw');
    assert.deepEqual(hostKeyOf(inv, s), { label: 'sw', host_key: null });
    assert.equal(recordFirstHostKey(inv, s, KEY1, 'at-1'), true);
    assert.equal(recordFirstHostKey(inv, s, KEY2, 'at-2'), false, 'a key on record is kept');
    assert.deepEqual(hostKeyOf(inv, s), { label: 'sw', host_key: KEY1 });
    let row = switchByLabel(inv, 'sw')!;
    assert.deepEqual([row.host_key_origin, row.host_key_recorded_at, row.host_key_refused], ['first-use', 'at-1', null]);

    recordRefusedHostKey(inv, s, KEY2);
    row = switchByLabel(inv, 'sw')!;
    assert.deepEqual([row.host_key, row.host_key_refused], [KEY1, KEY2]);

    setHostKeyByAdmin(inv, s, KEY2, 'at-3');
    row = switchByLabel(inv, 'sw')!;
    assert.deepEqual([row.host_key, row.host_key_origin, row.host_key_recorded_at, row.host_key_refused], [KEY2, 'admin', 'at-3', null]);
    assert.equal(recordFirstHostKey(inv, 9999, KEY1, 'at-4'), false);
  });
});
