// The store's contract for the consoles haas keeps open (src/db/store/consoles.ts), on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { nodesWithKeptConsole } from '../src/db/store/consoles.js';
import { addNode, enableObmdNode, setNodeObmEnabled, setNodeProject } from '../src/db/store/nodes.js';
import { addProject } from '../src/db/store/projects.js';

describe('store: nodes whose console is kept', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('lists exactly the nodes with an enabled in-process OBM, by label, with their project', () => {
    assert.deepEqual(nodesWithKeptConsole(inv), []);
    const obm = { obmType: 'mock', obmConfig: '{"host":"h"}', obmdUri: null, obmdAdminToken: null };
    const b = addNode(inv, { label: 'b', ...obm });
    const a = addNode(inv, { label: 'a', ...obm });
    addNode(inv, { label: 'disabled', ...obm });
    const viaObmd = addNode(inv, { label: 'obmd', obmType: null, obmConfig: null, obmdUri: 'http://obmd', obmdAdminToken: 't' });
    enableObmdNode(inv, viaObmd, 'node-token');
    setNodeObmEnabled(inv, a, true);
    setNodeObmEnabled(inv, b, true);
    const p = addProject(inv, 'proj');
    setNodeProject(inv, b, p);
    assert.deepEqual(nodesWithKeptConsole(inv), [
      { label: 'a', obm_type: 'mock', obm_config: '{"host":"h"}', project_id: null, project: null },
      { label: 'b', obm_type: 'mock', obm_config: '{"host":"h"}', project_id: p, project: 'proj' },
    ]);
    setNodeObmEnabled(inv, a, false);
    assert.deepEqual(nodesWithKeptConsole(inv).map((n) => n.label), ['b']);
  });
});
