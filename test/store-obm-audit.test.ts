// The store's contract for the OBM audit trail (src/db/store/obm-audit.ts), on a fresh database each.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { freshInventory } from './lib/store.js';
import type { Inventory } from '../src/db/inventory.js';
import { addObmAuditEntry, obmAudit, type ObmAuditEntry } from '../src/db/store/obm-audit.js';

const entry = (node: string, operation: ObmAuditEntry['operation'], time: string): Omit<ObmAuditEntry, 'id'> =>
  ({ time, user: 'alice', node, operation, argument: null, result: 'ok', message: null });

describe('store: OBM audit trail', () => {
  let inv: Inventory;
  beforeEach(() => { inv = freshInventory(); });
  afterEach(() => { inv.close(); });

  it('is empty on an empty database', () => {
    assert.deepEqual(obmAudit(inv), []);
    assert.deepEqual(obmAudit(inv, 'n1'), []);
  });

  it('keeps entries oldest first, whole or of one node label', () => {
    const ctx = { source: 'socket', projects: [] };
    addObmAuditEntry(inv, entry('n2', 'power_on', '2026-01-01T00:00:02Z'), ctx);
    addObmAuditEntry(inv, { ...entry('n1', 'boot_device', '2026-01-01T00:00:01Z'), argument: 'pxe', result: 'error', message: 'no' }, ctx);
    addObmAuditEntry(inv, entry('n2', 'power_off', '2026-01-01T00:00:00Z'), ctx);
    const all = obmAudit(inv);
    assert.deepEqual(all.map((e) => [e.node, e.operation]), [['n2', 'power_on'], ['n1', 'boot_device'], ['n2', 'power_off']]);
    assert.deepEqual(all[1], {
      id: all[1]!.id, time: '2026-01-01T00:00:01Z', user: 'alice', node: 'n1', operation: 'boot_device',
      argument: 'pxe', result: 'error', message: 'no',
    });
    assert.deepEqual(obmAudit(inv, 'n2').map((e) => e.operation), ['power_on', 'power_off']);
    assert.deepEqual(obmAudit(inv, 'n3'), []);
  });
});
