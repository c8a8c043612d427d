// The networks store (src/db/store/networks.ts) against a fresh database:
// networks, their VLANs, access lists and the headnodes on them.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addHeadnodeOn, addNic, addNode, addProject } from './lib/net-rows.js';
import { deleteHeadnode, networkHasHeadnodes, projectHasHeadnodesOnNetwork } from '../src/db/store/headnodes.js';
import {
  accessProjectIds, accessProjectLabels, addNetwork, allAccessGrants, allNetworks, grantNetworkAccess, hasNetworkAccess,
  networkByLabel, removeNetwork, revokeNetworkAccess,
  vlanGrants, vlanInUse, vlansInUseBetween,
} from '../src/db/store/networks.js';
import { putAttachment, removeAttachmentsOfNic } from '../src/db/store/attachments.js';
import { actionByUuid, queueAction } from '../src/db/store/actions.js';
import { projectById } from '../src/db/store/projects.js';

describe('store: networks', () => {
  let inv: ReturnType<typeof freshInventory>;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => inv.close());

  it('knows no network in an empty database', () => {
    assert.equal(networkByLabel(inv, 'red'), undefined);
    assert.equal(vlanInUse(inv, 100), false);
    assert.deepEqual(vlansInUseBetween(inv, 1, 4094), []);
    assert.deepEqual(allNetworks(inv), []);
    assert.deepEqual(allAccessGrants(inv), []);
    assert.deepEqual(vlanGrants(inv), []);
    assert.equal(projectById(inv, 1)?.label, undefined);
  });

  it('adds networks and finds them by label and VLAN', () => {
    const a = addProject(inv, 'A');
    const red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
    addNetwork(inv, { label: 'blue', ownerId: null, vlan: 110, allocated: false });
    assert.deepEqual(networkByLabel(inv, 'red'), { id: red, label: 'red', owner_id: a, net_id: 120, allocated: true });
    assert.equal(networkByLabel(inv, 'blue')?.allocated, false);
    assert.equal(vlanInUse(inv, 120), true);
    assert.equal(vlanInUse(inv, 121), false);
    assert.deepEqual(vlansInUseBetween(inv, 100, 200), [110, 120]);
    assert.deepEqual(vlansInUseBetween(inv, 111, 120), [120]);
    assert.deepEqual(vlansInUseBetween(inv, 121, 200), []);
    assert.deepEqual(allNetworks(inv).map((n) => [n.label, n.net_id]), [['blue', 110], ['red', 120]]);
    assert.equal(projectById(inv, a)?.label, 'A');
  });

  it('refuses a second network with the same label or VLAN, and an unknown owner', () => {
    addNetwork(inv, { label: 'red', ownerId: null, vlan: 120, allocated: true });
    assert.throws(() => addNetwork(inv, { label: 'red', ownerId: null, vlan: 121, allocated: true }), /UNIQUE/);
    assert.throws(() => addNetwork(inv, { label: 'green', ownerId: null, vlan: 120, allocated: true }), /UNIQUE/);
    assert.throws(() => addNetwork(inv, { label: 'green', ownerId: 99, vlan: 130, allocated: true }), /FOREIGN KEY/);
  });

  it('keeps access lists in grant order and lists every grant by project label', () => {
    const [b, a, c] = ['B', 'A', 'C'].map((l) => addProject(inv, l)) as [number, number, number];
    const red = addNetwork(inv, { label: 'red', ownerId: b, vlan: 120, allocated: true });
    const blue = addNetwork(inv, { label: 'blue', ownerId: null, vlan: 110, allocated: true });
    assert.deepEqual(accessProjectIds(inv, red), []);
    grantNetworkAccess(inv, red, b);
    grantNetworkAccess(inv, red, a);
    grantNetworkAccess(inv, blue, c);
    assert.deepEqual(accessProjectIds(inv, red), [b, a]);
    assert.deepEqual(accessProjectLabels(inv, red), ['B', 'A']);
    assert.equal(hasNetworkAccess(inv, red, a), true);
    assert.equal(hasNetworkAccess(inv, red, c), false);
    assert.deepEqual(allAccessGrants(inv), [
      { network_id: red, project: 'A' }, { network_id: red, project: 'B' }, { network_id: blue, project: 'C' },
    ]);
    assert.throws(() => grantNetworkAccess(inv, red, a), /UNIQUE/);
    assert.throws(() => grantNetworkAccess(inv, red, 99), /FOREIGN KEY/);

    revokeNetworkAccess(inv, red, b);
    revokeNetworkAccess(inv, red, c); // not on it: nothing
    assert.deepEqual(accessProjectIds(inv, red), [a]);
    assert.deepEqual(accessProjectIds(inv, blue), [c]);
  });

  it('gives every VLAN with its owner and each project that may use it', () => {
    const a = addProject(inv, 'A');
    const b = addProject(inv, 'B');
    const red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
    grantNetworkAccess(inv, red, a);
    grantNetworkAccess(inv, red, b);
    addNetwork(inv, { label: 'blue', ownerId: null, vlan: 110, allocated: true });
    const key = (r: { net_id: number; project_id: number | null }) => `${r.net_id}/${r.project_id}`;
    assert.deepEqual(vlanGrants(inv).sort((x, y) => key(x).localeCompare(key(y))), [
      { net_id: 110, owner_id: null, project_id: null },
      { net_id: 120, owner_id: a, project_id: a },
      { net_id: 120, owner_id: a, project_id: b },
    ]);
  });

  it('knows which networks headnodes use, and of which project', () => {
    const a = addProject(inv, 'A');
    const b = addProject(inv, 'B');
    const red = addNetwork(inv, { label: 'red', ownerId: null, vlan: 120, allocated: true });
    const blue = addNetwork(inv, { label: 'blue', ownerId: null, vlan: 110, allocated: true });
    assert.equal(networkHasHeadnodes(inv, red), false);
    addHeadnodeOn(inv, 'h1', a, red);
    assert.equal(networkHasHeadnodes(inv, red), true);
    assert.equal(networkHasHeadnodes(inv, blue), false);
    assert.equal(projectHasHeadnodesOnNetwork(inv, red, a), true);
    assert.equal(projectHasHeadnodesOnNetwork(inv, red, b), false);
    assert.equal(projectHasHeadnodesOnNetwork(inv, blue, a), false);
  });

  it('removes a network with its access list; the database refuses while a nic or headnode is on it', () => {
    const a = addProject(inv, 'A');
    const red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
    grantNetworkAccess(inv, red, a);
    const nic = addNic(inv, addNode(inv, 'n1', a), 'eth0');
    putAttachment(inv, nic, red, 'vlan/native');
    assert.throws(() => removeNetwork(inv, red), /FOREIGN KEY/);
    removeAttachmentsOfNic(inv, nic);
    const head = addHeadnodeOn(inv, 'h1', a, red);
    assert.throws(() => removeNetwork(inv, red), /FOREIGN KEY/);
    deleteHeadnode(inv, head); // its hnic goes with it (ON DELETE CASCADE)

    // A finished action that put a nic on it stays readable: it keeps the label.
    const uuid = queueAction(inv, { type: 'modify_port', nicId: nic, channel: 'vlan/native', network: { id: red, label: 'red' }, createdAt: 'now' });
    removeNetwork(inv, red);
    assert.equal(networkByLabel(inv, 'red'), undefined);
    assert.deepEqual(accessProjectIds(inv, red), []);
    assert.equal(vlanInUse(inv, 120), false);
    assert.equal(actionByUuid(inv, uuid)?.new_network, 'red');
    assert.equal(projectById(inv, a)?.label, 'A');
  });
});
