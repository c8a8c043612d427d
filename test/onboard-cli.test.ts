// Onboarding the CLI switches (nexus, powerconnect55xx, delln3000, dellnos9)
// through the API of the built executable, against the SSH emulators
// (test/lab/vendor-emulator.ts), which answer each vendor's interface listing
// from their per-port state. A switch that already carries VLANs: discover
// reads it right (link, native, tagged), import --adopt records the cabled
// port's VLANs as attachments and leaves a foreign VLAN (and a factory-fresh
// Cisco/Dell port, which talks to every other one) unmanaged, nothing is
// configured on the switch, and verify --fix leaves the unmanaged ports
// alone. A switch that refuses the listing: a 502 in its own words.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, NO_DRIFT_CHECKS } from './lib/daemon.js';
import { fails, ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { startVendorEmulator, type EmulatedPort, type EmulatorOptions, type PortEffect, type Vendor, type VendorEmulator } from './lab/vendor-emulator.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

interface VendorCase {
  type: Vendor;
  /** p1 cabled to a node and carrying red+blue, p2 unplugged, p3 on a foreign VLAN, p4 factory-fresh. */
  ports: [string, string, string, string];
  fields: Record<string, string>;
  emulator: Partial<EmulatorOptions>;
  /** The interface listing the dialect sends. */
  listing: string;
  /** Whether a factory-fresh port carries something (Cisco/Dell: access mode on VLAN 1; OS9: shut down, nothing). */
  freshCarries: boolean;
}

const CASES: VendorCase[] = [
  { type: 'nexus', ports: ['Ethernet1/1', 'Ethernet1/2', 'Ethernet1/3', 'Ethernet1/4'], fields: { dummy_vlan: '2222' },
    emulator: { absentVlans: [2222] }, listing: 'show interface brief', freshCarries: true },
  { type: 'powerconnect55xx', ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'te1/0/1'], fields: {},
    emulator: { shellLogin: true, pageLines: 6 }, listing: 'show interfaces status', freshCarries: true },
  { type: 'delln3000', ports: ['gi1/0/1', 'gi1/0/2', 'gi1/0/3', 'te1/0/4'], fields: { dummy_vlan: '2222' },
    emulator: { absentVlans: [2222], unprivileged: true }, listing: 'show interfaces status', freshCarries: true },
  { type: 'dellnos9', ports: ['1/1', '1/2', '1/3', '1/4'], fields: { interface_type: 'TenGigabitEthernet' },
    emulator: {}, listing: 'show interfaces status', freshCarries: false },
];

/** A command that configures a port (the N3000 session's own `vlan 2222` at login is not one). */
const CONFIGURES = (cmd: string) => /^(interface|switchport|no |untagged|tagged|shutdown)/.test(cmd);
const RED = 310;
const BLUE = 320;
const FOREIGN = 999;

describe('onboarding CLI switches (SSH emulators)', () => {
  let d: TestDaemon;
  const emulators: VendorEmulator[] = [];
  const { call, addNode, verify } = switchApi(() => d);
  const enc = encodeURIComponent;

  before(async () => {
    d = await startDaemon({ config: NO_DRIFT_CHECKS });
    ok(await call('PUT', '/project/lab'));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: '', net_id: String(RED) }));
    ok(await call('PUT', '/network/blue', { owner: 'admin', access: '', net_id: String(BLUE) }));
  });
  after(async () => {
    await d?.cleanup();
    for (const e of emulators) await e.close();
  });

  for (const c of CASES) {
    describe(c.type, () => {
      let emu: VendorEmulator;
      const sw = `onb-${c.type}`;
      const [p1, p2, p3, p4] = c.ports;
      const os9 = c.type === 'dellnos9';
      const carrying = (native: number, tagged: number[]): Partial<EmulatedPort> => os9
        ? { switchport: true, shutdown: false, native, allowed: new Set(tagged) }
        : { mode: 'trunk', native, allowed: new Set([native, ...tagged]) };
      let initial: PortEffect[];

      before(async () => {
        emu = await startVendorEmulator({ vendor: c.type, ports: c.ports, ...c.emulator });
        emulators.push(emu);
        emu.tamper(p1, carrying(RED, [BLUE]));
        emu.tamper(p2, { cabled: false });
        emu.tamper(p3, carrying(FOREIGN, []));
        initial = c.ports.map((p) => emu.effect(p));
        ok(await call('PUT', `/switch/${sw}`, {
          type: c.type, hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields,
        }));
      });

      it('discover lists the switch\'s ports with link and VLANs as the switch has them, and changes nothing', async () => {
        const r = ok(await call('GET', `/switch/${sw}/discover`)).json;
        assert.equal(r.switch, sw);
        const byName = Object.fromEntries(r.interfaces.map((i: { name: string }) => [i.name, i]));
        assert.deepEqual(r.interfaces.map((i: { name: string }) => i.name), c.ports, 'the switch\'s ports, in its order, nothing else');
        assert.deepEqual(byName[p1], { name: p1, valid: true, registered: false, unmanaged: null, link: 'up', native: RED, tagged: [BLUE] });
        assert.equal(byName[p2].link, 'down');
        assert.equal(byName[p3].native, FOREIGN);
        assert.equal(byName[p4].link, os9 ? 'down' : 'up', 'an OS9 port is shut down from the factory');
        if (c.freshCarries) assert.match(byName[p4].anomaly, /access mode/);
        else assert.deepEqual([byName[p4].native, byName[p4].tagged, byName[p4].anomaly], [null, [], undefined]);
        assert.deepEqual(emu.commands.filter(CONFIGURES), [], 'no port configured');
      });

      it('import --adopt keeps the cabled port\'s VLANs as attachments and leaves the rest unmanaged; nothing is sent to the switch', async () => {
        await addNode(sw, p1, `${c.type}-n1`);
        const dry = ok(await call('POST', `/switch/${sw}/import`, { adopt: true, dry_run: true })).json;
        assert.equal(dry.dry_run, true);
        assert.deepEqual(ok(await call('GET', `/switch/${sw}`)).json.ports, [{ label: p1 }], 'a dry run registers nothing');
        const r = ok(await call('POST', `/switch/${sw}/import`, { adopt: true })).json;
        assert.deepEqual({ ...r, left: undefined }, { ...dry, dry_run: false, left: undefined });
        assert.deepEqual(r.registered, [p2, p3, p4]);
        assert.deepEqual(r.adopted, [
          { port: p1, node: `${c.type}-n1`, nic: 'eth0', network: 'red', channel: 'vlan/native' },
          { port: p1, node: `${c.type}-n1`, nic: 'eth0', network: 'blue', channel: `vlan/${BLUE}` },
        ]);
        const left = Object.fromEntries(r.left.map((l: { port: string; why: string }) => [l.port, l.why]));
        assert.deepEqual(Object.keys(left).sort(), (c.freshCarries ? [p2, p3, p4] : [p3]).sort());
        assert.match(left[p3], /no nic/);
        assert.deepEqual(ok(await call('GET', `/node/${c.type}-n1`)).json.nics[0].networks, { 'vlan/native': 'red', [`vlan/${BLUE}`]: 'blue' });
        assert.deepEqual(c.ports.map((p) => emu.effect(p)), initial, 'the switch carries what it carried');
        assert.deepEqual(emu.commands.filter(CONFIGURES), [], 'no port configured');
        const again = ok(await call('GET', `/switch/${sw}/discover`)).json.interfaces;
        assert.deepEqual(again.map((i: { registered: boolean }) => i.registered), [true, true, true, true]);
        assert.match(again[2].unmanaged.reason, /no nic/);
      });

      it('verify --fix leaves the unmanaged ports alone; once handed to haas, it isolates them', async () => {
        const v = await verify(sw, true);
        assert.deepEqual(Object.keys(v.ports).sort(), (c.freshCarries ? [p1] : [p1, p2, p4]).sort(), 'unmanaged ports are not checked');
        assert.deepEqual(v.drift, []);
        assert.deepEqual(c.ports.map((p) => emu.effect(p)), initial);
        const m = ok(await call('POST', `/switch/${sw}/port/${enc(p3)}/manage`)).json;
        assert.deepEqual(m, { switch: sw, port: p3, was_unmanaged: true });
        const fixed = await verify(sw, true);
        assert.deepEqual(fixed.fixed, [p3]);
        assert.deepEqual(emu.effect(p3), { native: null, tagged: [] });
        assert.deepEqual(emu.effect(p1), initial[0], 'the adopted port keeps its VLANs');
      });

      it('a switch that refuses the listing: 502 in the switch\'s words, nothing registered', async () => {
        emu.reject = (cmd) => (cmd === c.listing ? "% Invalid input detected at '^' marker." : null);
        try {
          for (const r of [await call('GET', `/switch/${sw}/discover`), await call('POST', `/switch/${sw}/import`, {})]) {
            fails(r, 502, 'SwitchError', new RegExp(`rejected "${c.listing}": % Invalid input detected`));
          }
        } finally {
          emu.reject = null;
        }
      });
    });
  }
});
