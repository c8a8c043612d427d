// The attachments store (src/db/store/attachments.ts) against a fresh
// database: networks on nics on channels, seen from the nic, the network,
// the project and the switch.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addProject } from './lib/net-rows.js';
import {
  attachmentChannel, attachmentsOfNetwork, attachmentsOfNic, channelsOfNic, networkHasAttachments, nicsOnNetwork,
  projectHasAttachments, putAttachment, removeAttachment, removeAttachmentsOfNic, vlansOfNic, vlansOnSwitch,
} from '../src/db/store/attachments.js';
import { addNetwork } from '../src/db/store/networks.js';
import { addPort, addSwitch, portOfSwitch, switchByLabel } from '../src/db/store/switches.js';

const NATIVE = 'vlan/native';

describe('store: attachments', () => {
  let inv: ReturnType<typeof freshInventory>;
  let a: number, b: number, red: number, blue: number, sw: number;
  beforeEach(() => {
    inv = freshInventory();
    a = addProject(inv, 'A');
    b = addProject(inv, 'B');
    red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
    blue = addNetwork(inv, { label: 'blue', ownerId: null, vlan: 110, allocated: true });
    addSwitch(inv, 'sw', 'mock', '{}');
    sw = switchByLabel(inv, 'sw')!.id;
  });
  afterEach(() => inv.close());

  it('has no attachments in a fresh database', () => {
    const nic = addNic(inv, addNode(inv, 'n1', a), 'eth0');
    assert.deepEqual(channelsOfNic(inv, nic), []);
    assert.deepEqual(attachmentsOfNic(inv, nic), []);
    assert.deepEqual(vlansOfNic(inv, nic), []);
    assert.equal(attachmentChannel(inv, nic, red), undefined);
    assert.equal(networkHasAttachments(inv, red), false);
    assert.equal(projectHasAttachments(inv, red, a), false);
    assert.deepEqual(nicsOnNetwork(inv, red), []);
    assert.deepEqual(attachmentsOfNetwork(inv, red), []);
    assert.deepEqual(vlansOnSwitch(inv, sw), []);
  });

  it('puts networks on a nic channel by channel, replacing what a channel had', () => {
    const nic = addNic(inv, addNode(inv, 'n1', a), 'eth0');
    putAttachment(inv, nic, blue, 'vlan/120');
    putAttachment(inv, nic, red, NATIVE);
    assert.deepEqual(attachmentsOfNic(inv, nic), [{ channel: 'vlan/120', network: 'blue' }, { channel: NATIVE, network: 'red' }]);
    assert.equal(attachmentChannel(inv, nic, red), NATIVE);
    assert.deepEqual(channelsOfNic(inv, nic).sort(), ['vlan/120', NATIVE]);
    assert.deepEqual(vlansOfNic(inv, nic).sort((x, y) => x.net_id - y.net_id), [{ channel: 'vlan/120', net_id: 110 }, { channel: NATIVE, net_id: 120 }]);

    putAttachment(inv, nic, blue, NATIVE); // the native channel now carries blue (and blue leaves vlan/120)
    assert.deepEqual(attachmentsOfNic(inv, nic), [{ channel: NATIVE, network: 'blue' }]);
    assert.equal(attachmentChannel(inv, nic, red), undefined);
  });

  it('removes one channel, or every attachment of the nic', () => {
    const n1 = addNode(inv, 'n1', a);
    const nic = addNic(inv, n1, 'eth0');
    const other = addNic(inv, n1, 'eth1');
    putAttachment(inv, nic, red, NATIVE);
    putAttachment(inv, nic, blue, 'vlan/110');
    putAttachment(inv, other, red, NATIVE);
    removeAttachment(inv, nic, 'vlan/110');
    removeAttachment(inv, nic, 'vlan/999'); // none there: nothing
    assert.deepEqual(channelsOfNic(inv, nic), [NATIVE]);
    removeAttachmentsOfNic(inv, nic);
    assert.deepEqual(channelsOfNic(inv, nic), []);
    assert.deepEqual(channelsOfNic(inv, other), [NATIVE], "another nic's attachments stay");
  });

  it('refuses an attachment to a network or nic that does not exist', () => {
    const nic = addNic(inv, addNode(inv, 'n1', a), 'eth0');
    assert.throws(() => putAttachment(inv, nic, 9999, NATIVE), /FOREIGN KEY/);
    assert.throws(() => putAttachment(inv, 9999, red, NATIVE), /FOREIGN KEY/);
  });

  it('lists a network\'s nics and its attachments of nodes in projects, each in its order', () => {
    const zed = addNic(inv, addNode(inv, 'zed', a), 'eth0');
    const n1 = addNode(inv, 'n1', b);
    const n1b = addNic(inv, n1, 'eth1');
    const n1a = addNic(inv, n1, 'eth0');
    const free = addNic(inv, addNode(inv, 'free', null), 'eth0');
    for (const nic of [zed, n1b, n1a, free]) putAttachment(inv, nic, red, NATIVE);
    assert.equal(networkHasAttachments(inv, red), true);
    assert.equal(networkHasAttachments(inv, blue), false);
    assert.equal(projectHasAttachments(inv, red, a), true);
    assert.equal(projectHasAttachments(inv, red, b), true);
    assert.equal(projectHasAttachments(inv, blue, a), false);
    // By node label, then nic creation; free nodes included.
    assert.deepEqual(nicsOnNetwork(inv, red), [
      { node: 'free', nic: 'eth0', project_id: null },
      { node: 'n1', nic: 'eth1', project_id: b },
      { node: 'n1', nic: 'eth0', project_id: b },
      { node: 'zed', nic: 'eth0', project_id: a },
    ]);
    // By node label, then nic label; only nodes in a project.
    assert.deepEqual(attachmentsOfNetwork(inv, red), [
      { node: 'n1', nic: 'eth0', channel: NATIVE, project: 'B', project_id: b },
      { node: 'n1', nic: 'eth1', channel: NATIVE, project: 'B', project_id: b },
      { node: 'zed', nic: 'eth0', channel: NATIVE, project: 'A', project_id: a },
    ]);
  });

  it('gives the VLANs of the nics cabled to a switch, per port', () => {
    addPort(inv, sw, 'p1');
    addPort(inv, sw, 'p2');
    const nic = addNic(inv, addNode(inv, 'n1', a), 'eth0', portOfSwitch(inv, sw, 'p1')!.id);
    addNic(inv, addNode(inv, 'n2', a), 'eth0', portOfSwitch(inv, sw, 'p2')!.id);
    const loose = addNic(inv, addNode(inv, 'n3', a), 'eth0');
    putAttachment(inv, nic, red, NATIVE);
    putAttachment(inv, nic, blue, 'vlan/110');
    putAttachment(inv, loose, blue, NATIVE);
    assert.deepEqual(vlansOnSwitch(inv, sw).sort((x, y) => x.net_id - y.net_id), [
      { port: 'p1', channel: 'vlan/110', net_id: 110 },
      { port: 'p1', channel: NATIVE, net_id: 120 },
    ]);
  });
});
