// The bulk node listing's store (src/db/store/node-details.ts) against a fresh database: the
// caller's view and filters, label paging, nics with cabling, attachments and the last power operation.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import { addNic, addNode, addPoolNetwork, addProject, addSwitchPort } from './lib/net-rows.js';
import { attachmentsOfNodes, lastPowerOfNodes, nicsOfNodes, nodeDetailsPage } from '../src/db/store/node-details.js';
import { putAttachment } from '../src/db/store/attachments.js';
import { addLease } from '../src/db/store/leases.js';
import { addObmAuditEntry } from '../src/db/store/obm-audit.js';

const T0 = '2026-01-01T00:00:00.000Z';

describe('store: node details', () => {
  let inv: ReturnType<typeof freshInventory>;
  let a: number, n1: number, n2: number, n3: number;
  beforeEach(() => {
    inv = freshInventory();
    a = addProject(inv, 'A');
    const b = addProject(inv, 'B');
    n1 = addNode(inv, 'n1', a);
    n2 = addNode(inv, 'n2', null);
    n3 = addNode(inv, 'n3', b);
  });
  afterEach(() => inv.close());

  it('pages every node by label for an admin, and free plus own-project nodes for a member', () => {
    const all = nodeDetailsPage(inv, { visibleProjectIds: null, limit: 10 });
    assert.deepEqual(all.map((r) => [r.label, r.project]), [['n1', 'A'], ['n2', null], ['n3', 'B']]);
    assert.deepEqual(nodeDetailsPage(inv, { visibleProjectIds: [a], limit: 10 }).map((r) => r.label), ['n1', 'n2']);
    assert.deepEqual(nodeDetailsPage(inv, { visibleProjectIds: [], limit: 10 }).map((r) => r.label), ['n2']);
    assert.deepEqual(nodeDetailsPage(inv, { visibleProjectIds: null, limit: 1, after: 'n1' }).map((r) => r.label), ['n2']);
    assert.deepEqual(nodeDetailsPage(inv, { visibleProjectIds: null, free: true, limit: 10 }).map((r) => r.label), ['n2']);
    assert.deepEqual(nodeDetailsPage(inv, { visibleProjectIds: null, projectId: a, limit: 10 }).map((r) => r.label), ['n1']);
  });

  it('carries the OBM and the lease (none on a node without one)', () => {
    addLease(inv, { nodeId: n1, projectId: a, startedAt: T0, endsAt: '2026-01-02T00:00:00.000Z' });
    const [r1, r2] = nodeDetailsPage(inv, { visibleProjectIds: null, limit: 2 });
    assert.deepEqual([r1?.obm_type, r1?.obmd, r1?.obm_enabled, r1?.lease_ends_at, r1?.lease_releasing], ['mock', false, false, '2026-01-02T00:00:00.000Z', false]);
    assert.deepEqual([r2?.lease_ends_at, r2?.lease_releasing], [null, null]);
  });

  it('gives the nics with their cabling and attachments of many nodes at once', () => {
    const nic1 = addNic(inv, n1, 'eth0', addSwitchPort(inv, 'sw0', 'gi1/0/1'));
    addNic(inv, n3, 'eth0');
    putAttachment(inv, nic1, addPoolNetwork(inv, 'net1', 101), 'vlan/native');
    assert.deepEqual(nicsOfNodes(inv, [n1, n2, n3]).map((n) => [n.node_id, n.label, n.switch, n.port]),
      [[n1, 'eth0', 'sw0', 'gi1/0/1'], [n3, 'eth0', null, null]]);
    assert.deepEqual(attachmentsOfNodes(inv, [n1, n3]).map((x) => [x.nic_id, x.channel, x.network]), [[nic1, 'vlan/native', 'net1']]);
    assert.deepEqual(nicsOfNodes(inv, []), []);
  });

  it('knows the last successful power operation of each node', () => {
    const ctx = { source: 'socket', projects: ['A'] };
    const entry = (node: string, operation: 'power_on' | 'power_off', time: string, result: 'ok' | 'error') =>
      addObmAuditEntry(inv, { time, user: 'admin', node, operation, argument: null, result, message: result === 'error' ? 'no' : null }, ctx);
    entry('n1', 'power_on', T0, 'ok');
    entry('n1', 'power_off', '2026-01-01T01:00:00.000Z', 'ok');
    entry('n1', 'power_on', '2026-01-01T02:00:00.000Z', 'error');
    entry('n2', 'power_on', T0, 'error');
    assert.deepEqual(lastPowerOfNodes(inv, ['n1', 'n2', 'n3']).map((r) => [r.node, r.operation, r.time]),
      [['n1', 'power_off', '2026-01-01T01:00:00.000Z']]);
  });
});
