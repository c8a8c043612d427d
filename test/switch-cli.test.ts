// The CLI switch drivers (nexus, powerconnect55xx, delln3000, dellnos9) end
// to end: haas drives SSH emulators of each vendor's CLI (test/lab/
// vendor-emulator.ts) through its API. Checked: the emulated switch's port
// configuration after each action, the read side through `switch verify`,
// a command the switch refuses (that action ERROR in the switch's words, the
// switch and the inventory unchanged), a failed save, a wrong password and an
// unreachable switch. With the OVS lab, every dialect is also checked with
// packets: the emulator applies every change to a real Open vSwitch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, freePort, NO_DRIFT_CHECKS } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { startVendorEmulator, type EmulatorOptions, type PortEffect, type Vendor, type VendorEmulator } from './lab/vendor-emulator.js';
import { labUnavailable, pings } from './lab/netns.js';
import { builtInSwitchDrivers } from '../src/drivers/switch/registry.js';
import { parseCiscoSwitchport, parseVlanList, formatVlanList } from '../src/drivers/switch/cli/dialect.js';
import { parseNos9Switchport } from '../src/drivers/switch/cli/dellnos9.js';
import type { PortChange } from '../src/drivers/switch/types.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

interface VendorCase {
  type: Vendor;
  /** Three port names: two cabled to nodes, one left factory-fresh. */
  ports: [string, string, string];
  fields: Record<string, string>;
  emulator: Partial<EmulatorOptions>;
  /** A command of connecting VLAN 330 that the test makes the switch refuse. */
  refuse: RegExp;
  /** Whether a factory-fresh port differs from "no network" (Cisco/Dell: access mode on VLAN 1). */
  freshPortDrifts: boolean;
}

const CASES: VendorCase[] = [
  { type: 'nexus', ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3'], fields: { dummy_vlan: '2222' },
    emulator: { absentVlans: [2222] }, refuse: /allowed vlan add 330$/, freshPortDrifts: true },
  { type: 'powerconnect55xx', ports: ['gi1/0/1', 'gi1/0/2', 'te1/0/1'], fields: {},
    emulator: { shellLogin: true, pageLines: 6 }, refuse: /allowed vlan add 330$/, freshPortDrifts: true },
  { type: 'delln3000', ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3'], fields: { dummy_vlan: '2222' },
    emulator: { absentVlans: [2222], unprivileged: true }, refuse: /allowed vlan add 330$/, freshPortDrifts: true },
  { type: 'dellnos9', ports: ['1/1', '1/2', '1/3'], fields: { interface_type: 'TenGigabitEthernet' },
    emulator: {}, refuse: /^interface vlan 330$/, freshPortDrifts: false },
];

const NETS = { red: 310, blue: 320, green: 330 } as const;

describe('CLI switch drivers against SSH emulators', () => {
  let d: TestDaemon;
  const emulators: VendorEmulator[] = [];
  const { call, addNode, queue, apply, details, networksOf, verify } = switchApi(() => d);
  const fx = (native: number | null, tagged: number[]): PortEffect => ({ native, tagged });

  before(async () => {
    // These tests are about verify and its --fix: no drift checks, which would read the switch
    // back (and park its factory-fresh ports) as soon as a node is reserved.
    d = await startDaemon({ config: NO_DRIFT_CHECKS });
    ok(await call('PUT', '/project/lab'));
    for (const [net, id] of Object.entries(NETS)) ok(await call('PUT', `/network/${net}`, { owner: 'admin', access: '', net_id: String(id) }));
  });
  after(async () => {
    await d?.cleanup();
    for (const e of emulators) await e.close();
  });

  for (const c of CASES) {
    describe(c.type, () => {
      let emu: VendorEmulator;
      const sw = `cli-${c.type}`;
      const [pa, pb, fresh] = c.ports;
      const na = `${c.type}-a`;
      const nb = `${c.type}-b`;
      const register = (name: string, extra: Record<string, unknown>) => call('PUT', `/switch/${name}`, {
        type: `http://schema.massopencloud.org/haas/v0/switches/${c.type}`,
        hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields, ...extra,
      });

      before(async () => {
        emu = await startVendorEmulator({ vendor: c.type, ports: c.ports, ...c.emulator });
        emulators.push(emu);
        ok(await register(sw, {}));
        await addNode(sw, pa, na);
        await addNode(sw, pb, nb);
        ok(await call('PUT', `/switch/${sw}/port/${fresh}`));
      });

      it('connects natively and tagged, and the switch and verify agree', async () => {
        await apply(na, 'connect', 'red');
        await apply(na, 'connect', 'blue', `vlan/${NETS.blue}`);
        await apply(nb, 'connect', 'red');
        assert.deepEqual(emu.effect(pa), fx(NETS.red, [NETS.blue]));
        assert.deepEqual(emu.effect(pb), fx(NETS.red, []));
        assert.ok(emu.saves >= 1, 'the configuration was saved');
        assert.equal(emu.logins, 1, 'one login serves every batch');
        const v = await verify(sw);
        assert.deepEqual(v.ports[pa], { expected: { native: NETS.red, tagged: [NETS.blue] }, actual: { native: NETS.red, tagged: [NETS.blue] } });
        assert.deepEqual(v.ports[pb].actual, { native: NETS.red, tagged: [] });
        assert.deepEqual(v.drift, c.freshPortDrifts ? [fresh] : [], JSON.stringify(v));
      });

      it('verify --fix parks a factory-fresh port instead of leaving it on the default VLAN', async () => {
        if (c.freshPortDrifts) {
          assert.match((await verify(sw)).ports[fresh].actual.anomaly, /access mode/);
          assert.deepEqual(emu.effect(fresh), fx(1, []), 'a fresh Cisco/Dell port forwards VLAN 1');
        }
        const fixed = await verify(sw, true);
        assert.deepEqual(fixed.drift, []);
        assert.deepEqual(emu.effect(fresh), fx(null, []));
        assert.deepEqual(emu.effect(pa), fx(NETS.red, [NETS.blue]), 'ports without drift are left alone');
      });

      it('detaches and reverts: the ports carry nothing', async () => {
        await apply(na, 'detach', 'blue');
        assert.deepEqual(emu.effect(pa), fx(NETS.red, []));
        await apply(na, 'detach', 'red');
        assert.deepEqual(emu.effect(pa), fx(null, []));
        const r = ok(await call('POST', `/switch/${sw}/port/${pb}/revert`)).json;
        assert.equal((await waitAction(d, r.status_id)).status, 'DONE');
        assert.deepEqual(emu.effect(pb), fx(null, []));
        assert.deepEqual(await networksOf(nb), {});
        assert.deepEqual((await verify(sw)).drift, []);
      });

      it('a command the switch refuses fails that action in the switch\'s words; the switch and the inventory are unchanged', async () => {
        await apply(na, 'connect', 'red');
        emu.reject = (cmd) => (c.refuse.test(cmd) ? "% Invalid input detected at '^' marker." : null);
        try {
          const bad = await queue(nb, 'connect', 'green');
          const good = await queue(na, 'connect', 'blue', `vlan/${NETS.blue}`);
          assert.equal((await waitAction(d, bad)).status, 'ERROR');
          assert.equal((await waitAction(d, good)).status, 'DONE', 'the other change goes through');
          const msg = (await details(bad)).message as string;
          assert.match(msg, /Invalid input detected/);
          assert.match(msg, new RegExp(`rejected ".*330"`));
        } finally {
          emu.reject = null;
        }
        assert.deepEqual(await networksOf(nb), {});
        assert.deepEqual(emu.effect(pb), fx(null, []));
        assert.deepEqual(emu.effect(pa), fx(NETS.red, [NETS.blue]));
        assert.deepEqual((await verify(sw)).drift, []);
      });

      it('a failed save undoes the change and fails the action', async () => {
        emu.failSave = '% Error: Configuration Database locked by another application.';
        const before = emu.saves;
        try {
          const id = await queue(nb, 'connect', 'green');
          assert.equal((await waitAction(d, id)).status, 'ERROR');
          assert.match((await details(id)).message, /Configuration Database locked.*put back/);
        } finally {
          emu.failSave = null;
        }
        assert.equal(emu.saves, before);
        assert.deepEqual(emu.effect(pb), fx(null, []));
        assert.deepEqual(await networksOf(nb), {});
        await apply(nb, 'connect', 'green');
        assert.deepEqual(emu.effect(pb), fx(NETS.green, []));
        assert.deepEqual((await verify(sw)).drift, []);
      });

      it('a wrong password fails the action quickly with a clear message', async () => {
        const bad = `${sw}-badpw`;
        ok(await register(bad, { password: 'not-the-password' }));
        const node = `${c.type}-pw`;
        await addNode(bad, fresh, node);
        const t0 = Date.now();
        const id = await queue(node, 'connect', 'red');
        assert.equal((await waitAction(d, id)).status, 'ERROR');
        assert.ok(Date.now() - t0 < 5000, 'no hang');
        const msg = (await details(id)).message as string;
        assert.match(msg, /authentication .* failed|refused the CLI login/);
        assert.ok(!msg.includes('not-the-password') && !msg.includes(emu.password), 'never the password');
        assert.deepEqual(await networksOf(node), {});
      });
    });
  }

  it('logs in to a switch that offers only keyboard-interactive authentication', async () => {
    const emu = await startVendorEmulator({ vendor: 'nexus', ports: ['Ethernet1/9'], absentVlans: [2222], keyboardInteractiveOnly: true });
    emulators.push(emu);
    ok(await call('PUT', '/switch/kbd', { type: 'nexus', hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, dummy_vlan: '2222' }));
    await addNode('kbd', 'Ethernet1/9', 'kbd-a');
    await apply('kbd-a', 'connect', 'red');
    assert.deepEqual(emu.effect('Ethernet1/9'), fx(NETS.red, []));
    ok(await call('PUT', '/switch/kbd-wrong', { type: 'nexus', hostname: emu.host, port: emu.port, username: emu.username, password: 'not-it', dummy_vlan: '2222' }));
    await addNode('kbd-wrong', 'Ethernet1/9', 'kbd-b');
    const id = await queue('kbd-b', 'connect', 'red');
    assert.equal((await waitAction(d, id)).status, 'ERROR');
    assert.match((await details(id)).message, /authentication .* failed/);
  });

  it('an unreachable switch fails the action quickly', async () => {
    const port = await freePort();
    ok(await call('PUT', '/switch/cli-gone', { type: 'nexus', hostname: '127.0.0.1', port, username: 'u', password: 'p', dummy_vlan: '2222' }));
    await addNode('cli-gone', 'Ethernet1/1', 'gone-a');
    const t0 = Date.now();
    const id = await queue('gone-a', 'connect', 'red');
    assert.equal((await waitAction(d, id)).status, 'ERROR');
    assert.ok(Date.now() - t0 < 5000, 'no hang');
    assert.match((await details(id)).message, /cannot reach 127\.0\.0\.1/);
    const v = await call('GET', '/switch/cli-gone/verify');
    assert.equal(v.status, 502, v.text);
  });

  it('validates the CLI switch fields', async () => {
    const base = { hostname: 'h', username: 'u', password: 'p' };
    for (const body of [
      { type: 'nexus', ...base, dummy_vlan: '0' },
      { type: 'nexus', ...base, dummy_vlan: 'x' },
      { type: 'delln3000', ...base, dummy_vlan: 4094 },
      { type: 'dellnos9', ...base, interface_type: 'Ten Gig\nreload' },
      { type: 'powerconnect55xx', ...base, port: 0 },
      { type: 'powerconnect55xx', ...base, username: 'u\nreload' },
    ]) {
      const r = await call('PUT', '/switch/cli-bad', body);
      assert.equal(r.status, 400, JSON.stringify(body) + r.text);
    }
    ok(await call('PUT', '/switch/cli-ok', { type: 'delln3000', ...base, dummy_vlan: 4093, port: 2222 }));
    const shown = ok(await call('GET', '/switch/cli-ok')).json;
    assert.ok(!JSON.stringify(shown).includes('"p"'));
  });
});

describe('CLI read-back parsers', () => {
  it('reads VLAN lists: ranges, none, (Inactive) notes', () => {
    assert.deepEqual(parseVlanList('10,20-23, 30 (Inactive)'), [10, 20, 21, 22, 23, 30]);
    assert.deepEqual(parseVlanList('none'), []);
    assert.deepEqual(parseVlanList(''), []);
    assert.equal(formatVlanList([23, 20, 21, 22, 10, 30]), '10,20-23,30');
    assert.throws(() => parseVlanList('10,abc'));
  });

  it('reads NX-OS and Dell switchport output, with wrapped lists and the parking VLAN', () => {
    const nexus = [
      'Name: Ethernet1/10', '  Switchport: Enabled', '  Operational Mode: trunk', '  Access Mode VLAN: 1 (default)',
      '  Trunking Native Mode VLAN: 2222 (Inactive)', '  Trunking VLANs Allowed: 100,200-202,300,310,',
      '                          320,400-401', '  Voice VLAN: none'].join('\n');
    assert.deepEqual(parseCiscoSwitchport(nexus, 2222), { native: null, tagged: [100, 200, 201, 202, 300, 310, 320, 400, 401] });
    const dell = ['Port: gi1/0/5', 'VLAN Membership Mode: Trunk Mode', 'Trunking Native Mode VLAN: 100',
      'Trunking VLANs Enabled: 100,200', '                        ,300 (Inactive)', 'Protected Port: False'].join('\n');
    assert.deepEqual(parseCiscoSwitchport(dell, null), { native: 100, tagged: [200, 300] });
    assert.match(parseCiscoSwitchport('Port: gi1/0/5\nVLAN Membership Mode: Access Mode\nAccess Mode VLAN: 1 (default)', null).anomaly!, /access mode \(VLAN 1\)/);
    assert.match(parseCiscoSwitchport('Operational Mode: trunk\nTrunking Native Mode VLAN: 1\nTrunking VLANs Allowed: 1-4094', 2222).anomaly!, /all VLANs/);
    assert.match(parseCiscoSwitchport('Operational Mode: trunk\nTrunking Native Mode VLAN: 330\nTrunking VLANs Allowed: none', 2222).anomaly!, /330 is not on the trunk/);
    assert.throws(() => parseCiscoSwitchport('% Invalid interface', null), /cannot read/);
  });

  it('reads OS9 switchport output: U and T lines, wrapped', () => {
    const out = ['Codes:  U - Untagged, T - Tagged', '', 'Name: TenGigabitEthernet 1/3', '802.1QTagged: Hybrid', 'Vlan membership:',
      'Q       Vlans', 'U       100', 'T       200-202,300,', '        310', '', 'Native VlanId:     100.'].join('\n');
    assert.deepEqual(parseNos9Switchport(out), { native: 100, tagged: [200, 201, 202, 300, 310] });
    assert.deepEqual(parseNos9Switchport('Name: TenGigabitEthernet 1/3\nVlan membership:\nQ       Vlans\n\nNative VlanId:     1.'), { native: null, tagged: [] });
  });
});

describe('CLI session engine (driver level, against the emulators)', () => {
  const drivers = builtInSwitchDrivers({ callTimeoutMs: 1500 });
  const native = (port: string, vlan: number | null): PortChange => ({ kind: 'modify', port, channel: { native: true }, vlan });
  const tagged = (port: string, vlan: number, add = true): PortChange => ({ kind: 'modify', port, channel: { native: false, vlan }, vlan: add ? vlan : null });
  const open = async (vendor: Vendor, ports: string[], fields: Record<string, unknown>, opts: Partial<EmulatorOptions> = {}) => {
    const emu = await startVendorEmulator({ vendor, ports, ...opts });
    const session = drivers[vendor]!.connect('sw', { hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...fields });
    return { emu, session, async close() { await session.close(); await emu.close(); } };
  };

  it('reads long, wrapped, paged VLAN lists back', async () => {
    const { emu, session, close } = await open('powerconnect55xx', ['gi1/0/1'], {}, { pageLines: 4 });
    try {
      const many = Array.from({ length: 40 }, (_, i) => 100 + 3 * i);
      const results = await session.applyBatch([native('gi1/0/1', 50), ...many.map((v) => tagged('gi1/0/1', v))]);
      assert.deepEqual(results, results.map(() => null));
      assert.deepEqual(emu.effect('gi1/0/1'), { native: 50, tagged: many });
      assert.deepEqual((await session.getPortNetworks(['gi1/0/1'])).get('gi1/0/1'), { native: 50, tagged: many });
      assert.equal(emu.saves, 1, 'one save per batch');
    } finally { await close(); }
  });

  it('fails only the refused change of a batch and puts its port back, even after a partial change', async () => {
    const { emu, session, close } = await open('nexus', ['Ethernet1/1', 'Ethernet1/2'], { dummy_vlan: 2222 }, { absentVlans: [2222] });
    try {
      assert.deepEqual(await session.applyBatch([native('Ethernet1/1', 100), tagged('Ethernet1/1', 200)]), [null, null]);
      // Removing the native VLAN parks the port on the dummy VLAN first; the removal from the list is then refused.
      let refused = false;
      emu.reject = (c) => (!refused && /allowed vlan remove 100$/.test(c) && (refused = true) ? '% Error: VLAN 100 is in use' : null);
      const r = await session.applyBatch([native('Ethernet1/1', null), native('Ethernet1/2', 300)]);
      assert.match((r[0] as { error: string }).error, /rejected "switchport trunk allowed vlan remove 100": % Error: VLAN 100 is in use; the port was put back as it was/);
      assert.equal(r[1], null);
      assert.deepEqual(emu.effect('Ethernet1/1'), { native: 100, tagged: [200] });
      assert.equal(emu.config('Ethernet1/1').native, 100, 'the native VLAN is restored on the switch');
      assert.deepEqual(emu.effect('Ethernet1/2'), { native: 300, tagged: [] });
    } finally { await close(); }
  });

  it('a switch that stops answering fails the rest of the batch within the timeout, and the next batch reconnects', async () => {
    const { emu, session, close } = await open('delln3000', ['gi1/0/1', 'gi1/0/2'], { dummy_vlan: 2222 });
    try {
      emu.stall = /allowed vlan add 300$/;
      const t0 = Date.now();
      const r = await session.applyBatch([native('gi1/0/1', 100), native('gi1/0/2', 300)]);
      assert.ok(Date.now() - t0 < 5000);
      assert.equal(r[0], null, 'the change before the hang is applied');
      assert.match((r[1] as { error: string }).error, /no prompt within 1\.5 s/);
      emu.stall = null;
      assert.deepEqual(await session.applyBatch([native('gi1/0/2', 300)]), [null]);
      assert.equal(emu.logins, 2);
      assert.ok(emu.saves >= 1);
      assert.deepEqual(emu.effect('gi1/0/1'), { native: 100, tagged: [] });
      assert.deepEqual(emu.effect('gi1/0/2'), { native: 300, tagged: [] });
    } finally { await close(); }
  });

  it('a session dropped by the switch mid-batch fails the rest; an unknown port fails only its change', async () => {
    const { emu, session, close } = await open('dellnos9', ['1/1', '1/2'], { interface_type: 'TenGigabitEthernet' });
    try {
      const r0 = await session.applyBatch([native('1/9', 100), native('1/1', 100)]);
      assert.match((r0[0] as { error: string }).error, /rejected "show interfaces switchport TenGigabitEthernet 1\/9"/);
      assert.equal(r0[1], null);
      emu.reject = (c) => { if (/^interface vlan 300$/.test(c)) emu.dropSessions(); return null; };
      const r = await session.applyBatch([native('1/2', 300), tagged('1/1', 200)]);
      assert.match((r[0] as { error: string }).error, /closed/);
      assert.match((r[1] as { error: string }).error, /closed/);
      emu.reject = null;
      assert.deepEqual(await session.applyBatch([native('1/2', 300), tagged('1/1', 200)]), [null, null]);
      assert.deepEqual(emu.effect('1/1'), { native: 100, tagged: [200] });
      assert.deepEqual(emu.effect('1/2'), { native: 300, tagged: [] });
    } finally { await close(); }
  });
});

const skip = labUnavailable();

for (const c of CASES) describe(`${c.type} with packets: the emulator applies to Open vSwitch`, { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let emu: VendorEmulator;
  let d: TestDaemon;
  const nodes: Record<string, LabNode> = {};
  const vendorPort: Record<string, string> = { a: c.ports[0], b: c.ports[1], c: c.ports[2] };
  const { call, addNode, apply } = switchApi(() => d);

  /** What a vendor port forwards, as OVS configuration of the node's port (see src/drivers/switch/ovs.ts). */
  function toOvs(port: string, e: PortEffect): void {
    const p = nodes[Object.keys(vendorPort).find((k) => vendorPort[k] === port)!]!.port;
    if (e.tagged === 'all') { lab.vsctl('clear', 'port', p, 'tag', 'trunks', '--', 'set', 'port', p, 'vlan_mode=trunk', 'protected=false'); return; }
    const trunks = `trunks=[${e.tagged.join(',')}]`;
    if (e.native !== null) lab.vsctl('set', 'port', p, `tag=${e.native}`, `vlan_mode=${e.tagged.length ? 'native-untagged' : 'access'}`, trunks, 'protected=false');
    else if (e.tagged.length) lab.vsctl('clear', 'port', p, 'tag', '--', 'set', 'port', p, 'vlan_mode=trunk', trunks, 'protected=false');
    else lab.vsctl('clear', 'port', p, 'tag', '--', 'set', 'port', p, 'vlan_mode=trunk', 'trunks=[4095]', 'protected=true');
  }

  before(async () => {
    lab = await startOvsLab();
    for (const [i, n] of ['a', 'b', 'c'].entries()) nodes[n] = lab.addNode(n, i + 1);
    emu = await startVendorEmulator({ vendor: c.type, ports: c.ports, ...c.emulator, apply: toOvs });
    d = await startDaemon({ config: NO_DRIFT_CHECKS }); // factory-fresh ports stay as they are until verify --fix
    ok(await call('PUT', '/switch/sw', { type: c.type, hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields }));
    ok(await call('PUT', '/project/lab'));
    for (const n of Object.keys(vendorPort)) await addNode('sw', vendorPort[n]!, n);
    for (const [net, id] of [['red', '310'], ['blue', '320']]) ok(await call('PUT', `/network/${net}`, { owner: 'admin', access: '', net_id: id }));
  });
  after(async () => {
    await d?.cleanup();
    await emu?.close();
    lab?.stop();
  });

  it(c.freshPortDrifts ? 'factory-fresh ports share VLAN 1 until verify --fix parks them' : 'factory-fresh ports carry nothing', async () => {
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), c.freshPortDrifts, 'a fresh switch (Cisco/Dell) puts every port on VLAN 1');
    const v = ok(await call('POST', '/switch/sw/verify', { fix: true })).json;
    if (c.freshPortDrifts) assert.deepEqual([...v.fixed].sort(), Object.values(vendorPort).sort());
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false);
  });

  it('same network pings, different networks and detached nodes do not', async () => {
    await apply('a', 'connect', 'red');
    await apply('b', 'connect', 'red');
    await apply('c', 'connect', 'blue');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true);
    assert.equal(pings(nodes.a!.ns, nodes.c!.ip), false);
    await apply('b', 'detach', 'red');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false);
    assert.deepEqual(ok(await call('GET', '/switch/sw/verify')).json.drift, []);
  });
});
