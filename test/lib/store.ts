// The store contract suite's fixture: a fresh inventory database per test,
// opened the way the daemon opens it, and removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInventory, type Inventory } from '../../src/db/inventory.js';

/** A fresh, migrated inventory in its own temp directory; `close()` closes it and removes the directory. */
export function freshInventory(): Inventory & { close(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'haas-test-store-'));
  const inv = openInventory(join(dir, 'haas.db'));
  const close = inv.close.bind(inv);
  inv.close = () => { close(); rmSync(dir, { recursive: true, force: true }); };
  return inv;
}
