// The leases store (src/db/store/leases.ts) against a fresh database: a
// reserved node's lease, its end, the releases that start when ends pass,
// and what a release must still detach.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addProject, addSwitchPort } from './lib/net-rows.js';
import {
  addLease, allLeases, attachmentsToRelease, leaseOfNode, leasesOfProjects, nextLeaseEnd, releasingLeases, removeLease,
  setLeaseEnd, setReleaseError, startDueReleases,
} from '../src/db/store/leases.js';
import { putAttachment } from '../src/db/store/attachments.js';
import { addNetwork } from '../src/db/store/networks.js';
import { finishAction, queueAction } from '../src/db/store/actions.js';
import { deleteNode } from '../src/db/store/nodes.js';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';
const T2 = '2026-01-01T02:00:00.000Z';

describe('store: leases', () => {
  let inv: ReturnType<typeof freshInventory>;
  let a: number, b: number, n1: number, n2: number, n3: number;
  beforeEach(() => {
    inv = freshInventory();
    a = addProject(inv, 'A');
    b = addProject(inv, 'B');
    n1 = addNode(inv, 'n1', a);
    n2 = addNode(inv, 'n2', b);
    n3 = addNode(inv, 'n3', a);
  });
  afterEach(() => inv.close());

  it('has no leases in a fresh database', () => {
    assert.equal(leaseOfNode(inv, n1), undefined);
    assert.deepEqual(allLeases(inv), []);
    assert.equal(nextLeaseEnd(inv), undefined);
    assert.deepEqual(releasingLeases(inv), []);
  });

  it('adds a lease per node with labels, lists them by node label, per project and per member; refuses a second', () => {
    addLease(inv, { nodeId: n2, projectId: b, startedAt: T0, endsAt: T2 });
    addLease(inv, { nodeId: n1, projectId: a, startedAt: T0, endsAt: null });
    assert.deepEqual(leaseOfNode(inv, n1), {
      node_id: n1, node: 'n1', project_id: a, project: 'A', started_at: T0, ends_at: null, warned_at: null,
      releasing_since: null, release_error: null,
    });
    assert.deepEqual(allLeases(inv).map((l) => l.node), ['n1', 'n2']);
    assert.deepEqual(allLeases(inv, b).map((l) => l.node), ['n2']);
    assert.deepEqual(leasesOfProjects(inv, [a]).map((l) => l.node), ['n1']);
    assert.deepEqual(leasesOfProjects(inv, []), []);
    assert.throws(() => addLease(inv, { nodeId: n1, projectId: a, startedAt: T0, endsAt: null }), /UNIQUE|PRIMARY KEY/);
  });

  it('moves and clears an end, owing the warning again; the next end ignores leases without one', () => {
    addLease(inv, { nodeId: n1, projectId: a, startedAt: T0, endsAt: T2 });
    addLease(inv, { nodeId: n3, projectId: a, startedAt: T0, endsAt: null });
    assert.equal(nextLeaseEnd(inv), T2);
    assert.equal(setLeaseEnd(inv, n1, T1), true);
    assert.equal(nextLeaseEnd(inv), T1);
    assert.equal(setLeaseEnd(inv, n1, null), true);
    assert.equal(nextLeaseEnd(inv), undefined);
    assert.equal(setLeaseEnd(inv, n2, T1), false, 'no lease');
  });

  it('starts the releases whose end has passed, once; releasing leases keep their end out of the next end and cannot be moved', () => {
    addLease(inv, { nodeId: n1, projectId: a, startedAt: T0, endsAt: T1 });
    addLease(inv, { nodeId: n2, projectId: b, startedAt: T0, endsAt: T2 });
    assert.deepEqual(startDueReleases(inv, T0), []);
    assert.deepEqual(startDueReleases(inv, T1), [n1]);
    assert.deepEqual(startDueReleases(inv, T1), []);
    assert.equal(leaseOfNode(inv, n1)!.releasing_since, T1);
    assert.deepEqual(releasingLeases(inv), [n1]);
    assert.equal(nextLeaseEnd(inv), T2);
    assert.equal(setLeaseEnd(inv, n1, T2), false);
    setReleaseError(inv, n1, 'switch down');
    assert.equal(leaseOfNode(inv, n1)!.release_error, 'switch down');
    removeLease(inv, n1);
    assert.deepEqual(releasingLeases(inv), []);
  });

  it('goes with its node', () => {
    addLease(inv, { nodeId: n3, projectId: a, startedAt: T0, endsAt: T1 });
    deleteNode(inv, n3);
    assert.deepEqual(allLeases(inv), []);
  });

  it('lists what a release must detach: tagged channels before the native one, with the nic\'s pending and last action', () => {
    const port = addSwitchPort(inv, 'sw', 'gi1/0/1');
    const nic = addNic(inv, n1, 'eth0', port);
    const red = addNetwork(inv, { label: 'red', ownerId: a, vlan: 120, allocated: true });
    const blue = addNetwork(inv, { label: 'blue', ownerId: a, vlan: 130, allocated: true });
    assert.deepEqual(attachmentsToRelease(inv, n1), []);
    putAttachment(inv, nic, red, 'vlan/native');
    putAttachment(inv, nic, blue, 'vlan/130');
    const rows = attachmentsToRelease(inv, n1);
    assert.deepEqual(rows.map((r) => [r.channel, r.network, r.pending, r.last_status]), [['vlan/130', 'blue', 0, null], ['vlan/native', 'red', 0, null]]);
    queueAction(inv, { type: 'modify_port', nicId: nic, channel: 'vlan/130', network: null, createdAt: T0 });
    assert.deepEqual(attachmentsToRelease(inv, n1).map((r) => [r.pending, r.last_status]), [[1, 'PENDING'], [1, 'PENDING']]);
    const id = inv.column<number>('SELECT max(id) FROM networking_action')[0]!;
    finishAction(inv, id, 'switch down', T1);
    assert.deepEqual(attachmentsToRelease(inv, n1).map((r) => [r.pending, r.last_status, r.last_message, r.last_finished_at]),
      [[0, 'ERROR', 'switch down', T1], [0, 'ERROR', 'switch down', T1]]);
  });
});
