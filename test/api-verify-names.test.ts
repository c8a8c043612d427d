// switch verify keys its report by the switch's own port names: an OVS port may
// be called "__proto__" or "constructor" (SPEC 3.9). Run through core with a
// switch session that reports drift, since the mock switch's port names cannot
// take these names and OVS needs the root lab.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInventory } from '../src/db/inventory.js';
import { verifySwitch } from '../src/core/verify.js';
import { NULL_AUTH_PRINCIPAL, type Core } from '../src/core/context.js';
import type { PortChange, PortVlans, SwitchSession } from '../src/drivers/switch/types.js';

const PORTS = ['__proto__', 'constructor', 'toString'];

describe('switch verify with port names that Object.prototype has (core)', () => {
  it('reports every port and keeps fixed ports and refused ones apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'haas-verify-'));
    const inv = openInventory(join(dir, 'haas.db'));
    try {
      const sw = inv.run("INSERT INTO switch (label, type, config) VALUES ('br', 'ovs', '{}')").lastInsertRowid;
      for (const port of PORTS) inv.run('INSERT INTO port (switch_id, label) VALUES (?, ?)', sw, port);
      // Every port carries a stray native VLAN; the switch refuses to change "constructor".
      const session: SwitchSession = {
        async getPortNetworks(ports: string[]) { return new Map(ports.map((p): [string, PortVlans] => [p, { native: 7, tagged: [] }])); },
        async applyBatch(changes: PortChange[]) { return changes.map((c) => (c.port === 'constructor' ? { error: 'refused' } : null)); },
        async macTable() { return []; },
        async listInterfaces() { return []; },
        async close() {},
      };
      const core = { inv, withSwitchSession: (_sw: unknown, _what: string, use: (s: SwitchSession) => Promise<unknown>) => use(session) } as unknown as Core;

      const report = await verifySwitch(core, NULL_AUTH_PRINCIPAL, 'br', true);
      assert.deepEqual(Object.keys(report.ports).sort(), [...PORTS].sort());
      for (const port of PORTS) {
        assert.deepEqual(Object.getOwnPropertyDescriptor(report.ports, port)?.value,
          { expected: { native: null, tagged: [] }, actual: { native: 7, tagged: [] } }, port);
      }
      assert.deepEqual([...report.drift].sort(), [...PORTS].sort());
      assert.deepEqual([...report.fixed!].sort(), ['__proto__', 'toString']);
      assert.deepEqual(Object.entries(report.errors!), [['constructor', 'refused']]);
      // The answer is what the daemon sends: its JSON keeps every port.
      assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(report)).ports).sort(), [...PORTS].sort());
    } finally {
      inv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
