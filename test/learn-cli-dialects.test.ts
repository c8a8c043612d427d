// switch learn over SSH with every CLI dialect (nexus, powerconnect55xx,
// delln3000, dellnos9): the vendor emulators print their MAC table in the
// vendor's format (port names as the switch abbreviates them, MACs in its
// notation), haas reads it, places the nics and, with --apply, registers the
// ports and cables them. Also: a switch that refuses the show command, an
// unreachable switch, and a table of thousands of entries (paged).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, freePort, NO_DRIFT_CHECKS, type Daemon } from './lib/daemon.js';
import { caller, fails, ok } from './lib/fixtures.js';
import { startVendorEmulator, type EmulatorOptions, type Vendor, type VendorEmulator } from './lab/vendor-emulator.js';

interface Case { type: Vendor; ports: string[]; fields: Record<string, string>; emulator: Partial<EmulatorOptions> }

const CASES: Case[] = [
  { type: 'nexus', ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/48'], fields: { dummy_vlan: '2222' }, emulator: {} },
  { type: 'powerconnect55xx', ports: ['gi1/0/1', 'gi1/0/2', 'te1/0/1'], fields: {}, emulator: { shellLogin: true, pageLines: 6 } },
  { type: 'delln3000', ports: ['gi1/0/1', 'gi1/0/2', 'te1/0/1'], fields: { dummy_vlan: '2222' }, emulator: { unprivileged: true } },
  { type: 'dellnos9', ports: ['1/1', '1/2', '1/48'], fields: { interface_type: 'TenGigabitEthernet' }, emulator: {} },
];

describe('switch learn with the CLI dialects (SSH emulators)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const emulators: VendorEmulator[] = [];
  const call = caller(() => d);
  before(async () => { d = await startDaemon({ config: NO_DRIFT_CHECKS }); });
  after(async () => {
    await d?.cleanup();
    for (const e of emulators) await e.close();
  });

  for (const [i, c] of CASES.entries()) {
    it(`${c.type}: finds the nics' ports in the vendor's MAC table and --apply cables them`, async () => {
      const emu = await startVendorEmulator({ vendor: c.type, ports: c.ports, ...c.emulator });
      emulators.push(emu);
      const sw = `learn-${c.type}`;
      ok(await call('PUT', `/switch/${sw}`, {
        type: c.type, hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields,
      }));
      const [p1, p2, uplink] = c.ports as [string, string, string];
      const na = `${c.type}-a`;
      const nb = `${c.type}-b`;
      for (const [n, mac] of [[na, `52:54:00:0${i}:00:01`], [nb, `52:54:00:0${i}:00:02`]] as const) {
        ok(await call('PUT', `/node/${n}`, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'p' } }));
        ok(await call('PUT', `/node/${n}/nic/eth0`, { macaddr: mac }));
      }
      ok(await call('PUT', `/switch/${sw}/port/${p1}`));
      emu.macTable = [
        { mac: `5254000${i}0001`, vlan: 300, port: p1 },
        { mac: `5254000${i}0002`, vlan: 300, port: p2 },
        // The uplink carries the rest of the lab: many addresses, one of them a node's too.
        ...Array.from({ length: 12 }, (_, k) => ({ mac: `0200000000${k.toString(16).padStart(2, '0')}`, vlan: 300, port: uplink })),
        { mac: `5254000${i}0002`, vlan: 301, port: uplink },
      ];
      const plan = ok(await call('GET', `/switch/${sw}/learn`)).json;
      assert.equal(plan.entries, 15);
      const byNode = (r: { nics: Array<{ node: string; status: string; port?: string; register_port?: boolean }> }, n: string) => r.nics.find((x) => x.node === n);
      assert.deepEqual(byNode(plan, na), { node: na, nic: 'eth0', macaddr: `52:54:00:0${i}:00:01`, status: 'connect', port: p1, register_port: false });
      assert.deepEqual(byNode(plan, nb), { node: nb, nic: 'eth0', macaddr: `52:54:00:0${i}:00:02`, status: 'connect', port: p2, register_port: true });
      assert.match(plan.not_node_ports[uplink], /carries 13 MAC addresses/);
      const applied = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
      assert.equal(byNode(applied, nb)?.status, 'connected');
      assert.deepEqual(ok(await call('GET', `/switch/${sw}/port/${p2}`)).json, { node: nb, nic: 'eth0', networks: {} });
      // Showing the table changed no port on the switch (N3000 sessions make sure the dummy VLAN exists), and saved nothing.
      assert.equal(emu.saves, 0);
      assert.ok(!emu.commands.some((cmd) => /^(interface|switchport|untagged|tagged)/.test(cmd)), emu.commands.join('; '));
    });
  }

  it('a switch that refuses the show command: 502 with the switch\'s words', async () => {
    const emu = await startVendorEmulator({ vendor: 'nexus', ports: ['Ethernet1/1'] });
    emulators.push(emu);
    ok(await call('PUT', '/switch/learn-refuses', { type: 'nexus', hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, dummy_vlan: '2222' }));
    // A refusal in the common error format, and one in words no pattern knows (not a table: refused all the same).
    emu.reject = (cmd) => (cmd === 'show mac address-table' ? "% Invalid input detected at '^' marker." : null);
    fails(await call('GET', '/switch/learn-refuses/learn'), 502, 'SwitchError', /rejected "show mac address-table": % Invalid input/);
    emu.reject = (cmd) => (cmd === 'show mac address-table' ? 'Permission denied for the role' : null);
    fails(await call('GET', '/switch/learn-refuses/learn'), 502, 'SwitchError', /"show mac address-table": not a MAC address table: "Permission denied for the role"/);
    // The session survives a refusal: the next read works.
    emu.reject = null;
    assert.equal(ok(await call('GET', '/switch/learn-refuses/learn')).json.entries, 0);
  });

  it('an unreachable switch: 502, quickly', async () => {
    const port = await freePort();
    ok(await call('PUT', '/switch/learn-gone', { type: 'nexus', hostname: '127.0.0.1', port, username: 'u', password: 'pw', dummy_vlan: '2222' }));
    fails(await call('GET', '/switch/learn-gone/learn'), 502, 'SwitchError', /cannot read its MAC address table/);
  });

  it('a table of thousands of entries, paged by the switch', async () => {
    const emu = await startVendorEmulator({ vendor: 'powerconnect55xx', ports: ['gi1/0/1'], shellLogin: true, pageLines: 50 });
    emulators.push(emu);
    ok(await call('PUT', '/switch/learn-big', { type: 'powerconnect55xx', hostname: emu.host, port: emu.port, username: emu.username, password: emu.password }));
    emu.macTable = Array.from({ length: 4000 }, (_, k) => ({ mac: `0200${k.toString(16).padStart(8, '0')}`, vlan: 300 + (k % 40), port: `gi1/0/${1 + (k % 48)}` }));
    const r = ok(await call('GET', '/switch/learn-big/learn')).json;
    assert.equal(r.entries, 4000);
    assert.equal(Object.keys(r.not_node_ports).length, 48);
  });
});
