// The store's contract for projects' quota overrides and use (src/db/store/quotas.ts),
// on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { deleteProject } from '../src/db/store/projects.js';
import { addNetwork } from '../src/db/store/networks.js';
import { addHeadnode } from '../src/db/store/headnodes.js';
import { setNodeProject } from '../src/db/store/nodes.js';
import {
  allQuotaOverrides, allQuotaUse, clearQuotaOverride, QUOTA_KINDS, quotaOverrides, quotaUse, setQuotaOverride,
} from '../src/db/store/quotas.js';
import { addNode, addPoolNetwork, addProject } from './lib/net-rows.js';

describe('store: quotas', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('names the kinds in the order they are shown', () => {
    assert.deepEqual(QUOTA_KINDS, ['nodes', 'networks', 'headnodes']);
  });

  it('has no overrides on a new project; sets, replaces and clears one kind at a time', () => {
    const p = addProject(inv, 'p');
    const q = addProject(inv, 'q');
    assert.deepEqual(quotaOverrides(inv, p), {});
    setQuotaOverride(inv, p, 'nodes', 5);
    setQuotaOverride(inv, p, 'headnodes', null);
    setQuotaOverride(inv, q, 'networks', 0);
    assert.deepEqual(quotaOverrides(inv, p), { nodes: 5, headnodes: null });
    setQuotaOverride(inv, p, 'nodes', 7);
    assert.deepEqual(quotaOverrides(inv, p), { nodes: 7, headnodes: null });
    clearQuotaOverride(inv, p, 'nodes');
    clearQuotaOverride(inv, p, 'networks');
    assert.deepEqual(quotaOverrides(inv, p), { headnodes: null });
    assert.deepEqual(allQuotaOverrides(inv), [
      { project_id: p, kind: 'headnodes', allowed: null },
      { project_id: q, kind: 'networks', allowed: 0 },
    ]);
  });

  it('refuses a negative limit, an unknown kind and an unknown project', () => {
    const p = addProject(inv, 'p');
    assert.throws(() => setQuotaOverride(inv, p, 'nodes', -1), /CHECK constraint failed/);
    assert.throws(() => inv.run("INSERT INTO project_quota (project_id, kind, allowed) VALUES (?, 'cpus', 1)", p), /CHECK constraint failed/);
    assert.throws(() => setQuotaOverride(inv, p + 100, 'nodes', 1), /FOREIGN KEY constraint failed/);
  });

  it('drops a project\'s overrides with the project', () => {
    const p = addProject(inv, 'p');
    setQuotaOverride(inv, p, 'nodes', 1);
    deleteProject(inv, p);
    assert.deepEqual(allQuotaOverrides(inv), []);
  });

  it('counts nodes held, networks owned with a VLAN from the pool, and headnodes, per project', () => {
    const p = addProject(inv, 'p');
    const q = addProject(inv, 'q');
    const empty = addProject(inv, 'empty');
    addNode(inv, 'n1', p);
    addNode(inv, 'n2', p);
    addNode(inv, 'n3', q);
    const freed = addNode(inv, 'n4', p);
    setNodeProject(inv, freed, null);
    addNode(inv, 'free', null);
    addPoolNetwork(inv, 'pool', 100, p);
    addNetwork(inv, { label: 'outside-pool', ownerId: p, vlan: 3000, allocated: false });
    addPoolNetwork(inv, 'admins', 101, null);
    addHeadnode(inv, 'h1', q, 'uuid-1', 'img');
    assert.deepEqual(quotaUse(inv, p), { nodes: 2, networks: 1, headnodes: 0 });
    assert.deepEqual(quotaUse(inv, q), { nodes: 1, networks: 0, headnodes: 1 });
    assert.deepEqual(allQuotaUse(inv), [
      { project_id: empty, project: 'empty', nodes: 0, networks: 0, headnodes: 0 },
      { project_id: p, project: 'p', nodes: 2, networks: 1, headnodes: 0 },
      { project_id: q, project: 'q', nodes: 1, networks: 0, headnodes: 1 },
    ]);
  });
});
