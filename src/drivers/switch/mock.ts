// The mock switch: in-memory port state, for tests and users without
// hardware. A hostname ending in ".invalid" (a name that never resolves)
// behaves as an unreachable switch: every change fails. Its forwarding table
// is the file named by the optional `mac_table` field (lines `MAC VLAN PORT`,
// read at each call), so that learning the cabling can be tried without hardware.
// It lists MOCK_INTERFACES ports, gi1/0/1 up to gi1/0/48, plus any other port a
// change touched, with link "unknown" (nothing is cabled to a mock).
import { readFileSync } from 'node:fs';
import { BadArgumentError } from '../../errors.js';
import type { PortVlans, SwitchDriver, SwitchSession, ChangeResult, MacEntry, DiscoveredInterface } from './types.js';
import { applyToPort, type PortState } from './vlan-state.js';
import { DELL_PORT } from './port-names.js';

/** State of every mock switch in this daemon: switch label -> port -> VLANs. */
export type MockSwitchState = Map<string, Map<string, PortState>>;

/** How many ports a mock switch lists (gi1/0/1 to gi1/0/48), as a 48-port Dell would. */
export const MOCK_INTERFACES = 48;

/** Options of the mock driver alone (`[driver.mock]`). */
export interface MockSwitchOptions {
  /** How long each change takes (ms), to let tests see actions queue up. */
  delayMs: number;
}

/** Make the mock driver over the given state (one per daemon). */
export function mockSwitchDriver(state: MockSwitchState, opts: MockSwitchOptions): SwitchDriver {
  return {
    name: 'mock',
    module: 'mock',
    capabilities: ['nativeless-trunk-mode'],
    fields: {
      hostname: { type: 'string', required: true },
      username: { type: 'string', required: true },
      password: { type: 'string', required: true, secret: true },
      mac_table: { type: 'string' },
    },
    validatePortName(port) {
      if (!DELL_PORT.test(port)) throw new BadArgumentError(`Invalid port name "${port}" for a mock switch (expected e.g. gi1/0/5)`);
    },
    connect(label, fields): SwitchSession {
      const unreachable = String(fields.hostname).endsWith('.invalid');
      const ports = () => {
        let s = state.get(label);
        if (!s) { s = new Map(); state.set(label, s); }
        return s;
      };
      return {
        async applyBatch(changes) {
          const results: ChangeResult[] = [];
          for (const change of changes) {
            if (opts.delayMs > 0) await new Promise((r) => setTimeout(r, opts.delayMs));
            if (unreachable) { results.push({ error: `mock switch ${fields.hostname} is unreachable` }); continue; }
            const p = ports();
            let st = p.get(change.port);
            if (!st) { st = { native: null, tagged: new Set() }; p.set(change.port, st); }
            applyToPort(st, change);
            results.push(null);
          }
          return results;
        },
        async getPortNetworks(names) {
          if (unreachable) throw new Error(`mock switch ${fields.hostname} is unreachable`);
          const out = new Map<string, PortVlans>();
          for (const n of names) {
            const st = ports().get(n);
            out.set(n, { native: st?.native ?? null, tagged: st ? [...st.tagged].sort((a, b) => a - b) : [] });
          }
          return out;
        },
        async macTable() {
          if (unreachable) throw new Error(`mock switch ${fields.hostname} is unreachable`);
          return fields.mac_table === undefined ? [] : readMockMacTable(String(fields.mac_table));
        },
        async listInterfaces() {
          if (unreachable) throw new Error(`mock switch ${fields.hostname} is unreachable`);
          const names = Array.from({ length: MOCK_INTERFACES }, (_, i) => `gi1/0/${i + 1}`);
          for (const n of ports().keys()) if (!names.includes(n)) names.push(n);
          return names.map((name): DiscoveredInterface => {
            const st = ports().get(name);
            return { name, link: 'unknown', vlans: { native: st?.native ?? null, tagged: st ? [...st.tagged].sort((a, b) => a - b) : [] } };
          });
        },
        async close() {},
      };
    },
  };
}

/** The mock's forwarding table file: `MAC VLAN PORT` per line (VLAN `-`: none), `#` comments. */
function readMockMacTable(path: string): MacEntry[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new Error(`mock switch: cannot read its mac_table file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const out: MacEntry[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const m = /^(\S+)\s+(\d+|-)\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`mock switch: mac_table line ${i + 1} is not "MAC VLAN PORT"`);
    out.push({ mac: m[1]!, vlan: m[2] === '-' ? null : Number(m[2]), port: m[3]! });
  }
  return out;
}
