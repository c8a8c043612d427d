// The drift check's decisions (src/core/drift.ts), run through core with an
// in-memory switch session: which drifting ports are only reported, which are
// repaired (every one with repair on; a leak always), that ports with a
// PENDING action are left to it, and that ports haas does not know are never
// read or written. The real OVS lab runs the same check in drift-ovs.test.ts.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInventory, type Inventory } from '../src/db/inventory.js';
import { checkSwitchDrift } from '../src/core/drift.js';
import { auditEntries } from '../src/db/store/audit.js';
import type { Core } from '../src/core/context.js';
import type { SwitchRow } from '../src/db/store/switches.js';
import type { ChangeResult, PortChange, PortVlans, SwitchSession } from '../src/drivers/switch/types.js';
import { applyToPort, type PortState } from '../src/drivers/switch/vlan-state.js';

const RED = 310; // project A's network
const BLUE = 320; // a public network
const GREEN = 330; // project B's network

/** A switch in memory that records which ports were read and changed. */
class FakeSwitch implements SwitchSession {
  readonly ports = new Map<string, PortState>();
  readonly read: string[] = [];
  readonly changed: string[] = [];
  refuse = new Set<string>();
  unreadable: string | null = null;
  set(port: string, native: number | null, tagged: number[] = []) { this.ports.set(port, { native, tagged: new Set(tagged) }); }
  get(port: string) { const s = this.ports.get(port)!; return { native: s.native, tagged: [...s.tagged].sort((a, b) => a - b) }; }
  async getPortNetworks(names: string[]) {
    if (this.unreadable) throw new Error(this.unreadable);
    this.read.push(...names);
    return new Map(names.map((n): [string, PortVlans] => [n, this.get(n)]));
  }
  async applyBatch(changes: PortChange[]): Promise<ChangeResult[]> {
    return changes.map((c) => {
      this.changed.push(c.port);
      if (this.refuse.has(c.port)) return { error: `% port ${c.port} is locked` };
      applyToPort(this.ports.get(c.port)!, c);
      return null;
    });
  }
  async macTable() { return []; }
  async listInterfaces() { return []; }
  async close() {}
}

describe('drift check decisions (core, in-memory switch)', () => {
  let dir: string;
  let inv: Inventory;
  let sw: SwitchRow;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'haas-drift-core-'));
    inv = openInventory(join(dir, 'haas.db'));
    const id = (sql: string, ...args: Array<string | number | null>) => Number(inv.run(sql, ...args).lastInsertRowid);
    const a = id("INSERT INTO project (label) VALUES ('A')");
    const b = id("INSERT INTO project (label) VALUES ('B')");
    const red = id("INSERT INTO network (label, owner_id, net_id, allocated) VALUES ('red', ?, ?, 1)", a, RED);
    inv.run('INSERT INTO network_access (network_id, project_id) VALUES (?, ?)', red, a);
    id("INSERT INTO network (label, owner_id, net_id, allocated) VALUES ('blue', NULL, ?, 1)", BLUE);
    const green = id("INSERT INTO network (label, owner_id, net_id, allocated) VALUES ('green', ?, ?, 1)", b, GREEN);
    inv.run('INSERT INTO network_access (network_id, project_id) VALUES (?, ?)', green, b);
    const swId = id("INSERT INTO switch (label, type, config) VALUES ('sw', 'mock', '{}')");
    sw = inv.get<SwitchRow>('SELECT * FROM switch WHERE id = ?', swId)!;
    /** A registered port with a nic of a node in `project` (undefined: no nic; null: a free node). */
    const port = (label: string, project?: number | null) => {
      const p = id('INSERT INTO port (switch_id, label) VALUES (?, ?)', swId, label);
      if (project === undefined) return null;
      const node = id("INSERT INTO node (label, project_id, obm_type, obm_config) VALUES (?, ?, 'mock', '{}')", `n-${label}`, project);
      return id("INSERT INTO nic (node_id, label, macaddr, port_id) VALUES (?, 'eth0', 'mac', ?)", node, p);
    };
    const p1 = port('gi1/0/1', a);
    inv.run("INSERT INTO attachment (nic_id, network_id, channel) VALUES (?, ?, 'vlan/native')", p1, red);
    port('gi1/0/2', a);
    port('gi1/0/3', b);
    port('gi1/0/4', null);
    port('gi1/0/5');
    const p6 = port('gi1/0/6', a);
    inv.run(`INSERT INTO networking_action (uuid, type, nic_id, channel, new_network_id, new_network_label, status, created_at)
             VALUES ('u6', 'modify_port', ?, 'vlan/native', ?, 'red', 'PENDING', 'now')`, p6, red);
    const p7 = port('gi1/0/7', a);
    inv.run("INSERT INTO attachment (nic_id, network_id, channel) VALUES (?, ?, 'vlan/native')", p7, red);
    port('gi1/0/8', null);
  });
  after(() => { inv?.close(); rmSync(dir, { recursive: true, force: true }); });

  /** The lab's switch: each registered port drifting in its own way, and one port haas does not know. */
  function drifted(): FakeSwitch {
    const s = new FakeSwitch();
    s.set('gi1/0/1', RED); // as the inventory says
    s.set('gi1/0/2', RED); // node in A carries A's network unasked: drift, no leak
    s.set('gi1/0/3', null, [RED]); // node in B carries A's network: a leak
    s.set('gi1/0/4', BLUE); // free node on a public network: drift, no leak
    s.set('gi1/0/5', GREEN); // no nic, carries B's network: a leak
    s.set('gi1/0/6', 999); // a pending action will set it
    s.set('gi1/0/7', null); // misses its network: drift, no leak
    s.set('gi1/0/8', null); // as the inventory says
    s.set('gi1/0/9', 999); // not registered in haas
    return s;
  }
  const coreWith = (s: FakeSwitch) => ({
    inv, withSwitchSession: (_sw: unknown, _what: string, use: (x: SwitchSession) => Promise<unknown>) => use(s),
  }) as unknown as Core;
  const states = (r: Awaited<ReturnType<typeof checkSwitchDrift>>) =>
    Object.fromEntries(Object.entries(r.drift).map(([port, d]) => [port, `${d.state}${d.leak ? ' leak' : ''}`]));

  it('repair off: reports drift, repairs only leaks, leaves pending ports and unknown ports alone', async () => {
    const s = drifted();
    const r = await checkSwitchDrift(coreWith(s), sw, false);
    assert.equal(r.result, 'drift');
    assert.equal(r.ports, 8);
    assert.deepEqual(states(r), {
      'gi1/0/2': 'reported', 'gi1/0/3': 'repaired leak', 'gi1/0/4': 'reported', 'gi1/0/5': 'repaired leak',
      'gi1/0/6': 'pending leak', 'gi1/0/7': 'reported',
    });
    assert.deepEqual(r.drift['gi1/0/3']!.actual, { native: null, tagged: [RED] }, 'the report keeps what the switch had');
    assert.deepEqual(r.drift['gi1/0/7']!.expected, { native: RED, tagged: [] });
    assert.deepEqual(s.get('gi1/0/3'), { native: null, tagged: [] });
    assert.deepEqual(s.get('gi1/0/5'), { native: null, tagged: [] });
    assert.deepEqual(s.get('gi1/0/2'), { native: RED, tagged: [] }, 'reported, not repaired');
    assert.deepEqual(s.get('gi1/0/6'), { native: 999, tagged: [] }, 'left to the pending action');
    assert.deepEqual([...new Set(s.changed)].sort(), ['gi1/0/3', 'gi1/0/5']);
    assert.ok(!s.read.includes('gi1/0/9') && !s.changed.includes('gi1/0/9'), 'a port haas does not know is neither read nor written');
    assert.deepEqual(s.get('gi1/0/9'), { native: 999, tagged: [] });
  });

  it('repair on: every drifting port gets its inventory networks, except the pending one', async () => {
    const s = drifted();
    const r = await checkSwitchDrift(coreWith(s), sw, true);
    assert.deepEqual(states(r), {
      'gi1/0/2': 'repaired', 'gi1/0/3': 'repaired leak', 'gi1/0/4': 'repaired', 'gi1/0/5': 'repaired leak',
      'gi1/0/6': 'pending leak', 'gi1/0/7': 'repaired',
    });
    for (const p of ['gi1/0/2', 'gi1/0/3', 'gi1/0/4', 'gi1/0/5', 'gi1/0/8']) assert.deepEqual(s.get(p), { native: null, tagged: [] }, p);
    assert.deepEqual(s.get('gi1/0/7'), { native: RED, tagged: [] });
    assert.deepEqual(s.get('gi1/0/6'), { native: 999, tagged: [] });
    assert.deepEqual(s.get('gi1/0/9'), { native: 999, tagged: [] });
    const again = await checkSwitchDrift(coreWith(s), sw, true);
    assert.deepEqual(states(again), { 'gi1/0/6': 'pending leak' }, 'only the pending port still differs');
  });

  it('a refused repair is "failed" with the switch\'s words; an unreadable switch is an error', async () => {
    const s = drifted();
    s.refuse.add('gi1/0/3');
    const r = await checkSwitchDrift(coreWith(s), sw, false);
    assert.equal(r.drift['gi1/0/3']!.state, 'failed');
    assert.match(r.drift['gi1/0/3']!.error!, /port gi1\/0\/3 is locked/);
    assert.equal(r.drift['gi1/0/5']!.state, 'repaired', 'other ports are still repaired');
    // Each re-applied port is in the audit trail: what the switch had, what it was set to, how it ended.
    const trail = auditEntries(inv, { limit: 10, operation: 'drift_repair' }).slice(0, 2).reverse()
      .map((e) => [e.actor, e.source, e.outcome, JSON.parse(e.detail!) as Record<string, unknown>] as const);
    assert.deepEqual(trail.map(([actor, source, outcome, d]) => [actor, source, outcome, d.port, d.leak]),
      [[null, 'haas', 'error', 'gi1/0/3', true], [null, 'haas', 'ok', 'gi1/0/5', true]]);
    assert.match(String(trail[0]![3].error), /locked/);
    assert.equal(trail[1]![3].set_to, 'nothing');
    // A session that dies during the repair: the ports it was repairing are failed, the switch's check an error.
    const cut = drifted();
    cut.applyBatch = async () => { throw new Error('the SSH connection was closed'); };
    const c = await checkSwitchDrift(coreWith(cut), sw, false);
    assert.equal(c.result, 'error');
    assert.match(c.error!, /repairing drift: the SSH connection was closed/);
    assert.equal(c.drift['gi1/0/3']!.state, 'failed');
    assert.match(c.drift['gi1/0/3']!.error!, /the repair was cut off: the SSH connection was closed/);
    assert.equal(c.drift['gi1/0/2']!.state, 'reported');
    const gone = drifted();
    gone.unreadable = 'connection refused';
    const e = await checkSwitchDrift(coreWith(gone), sw, true);
    assert.equal(e.result, 'error');
    assert.match(e.error!, /connection refused/);
    assert.deepEqual(gone.changed, []);
  });
});
