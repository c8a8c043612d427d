// The store's contract for projects (src/db/store/projects.ts), with the project
// questions answered by the networks store, on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { addProject, allProjects, deleteProject, projectById, projectByLabel } from '../src/db/store/projects.js';
import { addNode, setNodeProject } from '../src/db/store/nodes.js';
import { addMember, addUser, isMember } from '../src/db/store/users.js';
import { addHeadnode, deleteHeadnode } from '../src/db/store/headnodes.js';
import { addPoolNetwork } from './lib/net-rows.js';
import {
  allAccessGrants, allNetworks, grantNetworkAccess, networksAccessibleBy, projectOnAccessLists, projectOwnsNetworks, removeNetwork,
  revokeNetworkAccess,
} from '../src/db/store/networks.js';


describe('store: projects', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('knows no projects on an empty database', () => {
    assert.deepEqual(allProjects(inv), []);
    assert.equal(projectByLabel(inv, 'p'), undefined);
    assert.equal(projectById(inv, 1), undefined);
  });

  it('adds projects, finds them by label and id, lists them sorted; refuses a second of the same label', () => {
    const b = addProject(inv, 'b');
    const a = addProject(inv, 'a');
    addProject(inv, 'C');
    assert.deepEqual(projectByLabel(inv, 'a'), { id: a, label: 'a' });
    assert.deepEqual(projectById(inv, b), { id: b, label: 'b' });
    assert.deepEqual(allProjects(inv), ['C', 'a', 'b']);
    assert.throws(() => addProject(inv, 'a'), /UNIQUE constraint failed/);
  });

  it('deletes a project with its memberships, and only it', () => {
    const p = addProject(inv, 'p');
    const q = addProject(inv, 'q');
    const u = addUser(inv, 'alice', 'hash', false);
    addMember(inv, u, p);
    addMember(inv, u, q);
    deleteProject(inv, p);
    assert.equal(projectByLabel(inv, 'p'), undefined);
    assert.deepEqual(allProjects(inv), ['q']);
    assert.equal(isMember(inv, u, p), false);
    assert.equal(isMember(inv, u, q), true);
  });

  it('refuses to delete a project that still has nodes, networks, access or headnodes (core checks these first)', () => {
    const p = addProject(inv, 'p');
    const n = addNode(inv, { label: 'n', obmType: 'mock', obmConfig: '{}', obmdUri: null, obmdAdminToken: null });
    setNodeProject(inv, n, p);
    assert.throws(() => deleteProject(inv, p), /FOREIGN KEY constraint failed/);
    setNodeProject(inv, n, null);
    const net = addPoolNetwork(inv, 'net', 100, p);
    assert.throws(() => deleteProject(inv, p), /FOREIGN KEY constraint failed/);
    removeNetwork(inv, net);
    const pub = addPoolNetwork(inv, 'pub', 101, null);
    grantNetworkAccess(inv, pub, p);
    assert.throws(() => deleteProject(inv, p), /FOREIGN KEY constraint failed/);
    revokeNetworkAccess(inv, pub, p);
    const h = addHeadnode(inv, 'h', p, 'uuid-1', 'img');
    assert.throws(() => deleteProject(inv, p), /FOREIGN KEY constraint failed/);
    deleteHeadnode(inv, h);
    deleteProject(inv, p);
    assert.deepEqual(allProjects(inv), []);
  });
});

describe('store: a project\'s networks (src/db/store/networks.ts)', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('answers for a project with no networks', () => {
    const p = addProject(inv, 'p');
    assert.equal(projectOwnsNetworks(inv, p), false);
    assert.equal(projectOnAccessLists(inv, p), false);
    assert.deepEqual(networksAccessibleBy(inv, p), []);
    assert.deepEqual(allNetworks(inv), []);
    assert.deepEqual(allAccessGrants(inv), []);
  });

  it('tells owning from being on an access list, lists accessible networks sorted, and every network and grant', () => {
    const p = addProject(inv, 'p');
    const q = addProject(inv, 'q');
    const z = addPoolNetwork(inv, 'z', 102, p);
    const y = addPoolNetwork(inv, 'y', 101, null);
    addPoolNetwork(inv, 'x', 100, null);
    assert.equal(projectOwnsNetworks(inv, p), true);
    assert.equal(projectOnAccessLists(inv, p), false);
    grantNetworkAccess(inv, z, q);
    grantNetworkAccess(inv, y, q);
    grantNetworkAccess(inv, z, p);
    assert.equal(projectOwnsNetworks(inv, q), false);
    assert.equal(projectOnAccessLists(inv, q), true);
    assert.deepEqual(networksAccessibleBy(inv, q), ['y', 'z']);
    assert.deepEqual(networksAccessibleBy(inv, p), ['z']);
    assert.deepEqual(allNetworks(inv).map((n) => [n.label, n.net_id]), [['x', 100], ['y', 101], ['z', 102]]);
    assert.deepEqual(allNetworks(inv).find((n) => n.label === 'z')?.id, z);
    const grants = allAccessGrants(inv);
    assert.deepEqual(grants.map((g) => g.project), ['p', 'q', 'q']);
    assert.deepEqual(grants.filter((g) => g.project === 'q').map((g) => g.network_id).sort(), [z, y].sort());
  });
});
