// A device call cut off after it was sent is read back, never guessed, on
// the CLI dialects (an SSH session dropped right after, or right before, a
// `switchport` command) and on SNMP (a SET whose answer was lost, or the SET
// itself): DONE when the switch carries the change, ERROR when it does not.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { startVendorEmulator, type EmulatorOptions, type Vendor, type VendorEmulator } from './lab/vendor-emulator.js';
import { startLossyFront, startQBridgeAgent, type LossyFront, type QBridgeAgent } from './lab/qbridge-agent.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const DUMMY = 4000;

/**
 * Each dialect: two ports, and where its setNative commands for VLAN 310 can be cut: `after` the
 * last one that matters (the switch then carries the change), `before` the first one with the VLAN.
 */
const DIALECTS: Array<{ vendor: Vendor; ports: [string, string]; fields: Record<string, string>; emulator: Partial<EmulatorOptions>; after: RegExp; before: RegExp }> = [
  { vendor: 'nexus', ports: ['Ethernet1/1', 'Ethernet1/2'], fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222] },
    after: /^switchport trunk allowed vlan add 310$/, before: /^switchport trunk native vlan 310$/ },
  { vendor: 'powerconnect55xx', ports: ['gi1/0/1', 'gi1/0/2'], fields: {}, emulator: { shellLogin: true },
    after: /^switchport trunk native vlan 310$/, before: /^switchport trunk allowed vlan add 310$/ },
  { vendor: 'delln3000', ports: ['gi1/0/1', 'gi1/0/2'], fields: { dummy_vlan: '2222' }, emulator: { absentVlans: [2222], unprivileged: true },
    after: /^switchport trunk native vlan 310$/, before: /^switchport trunk allowed vlan add 310$/ },
  { vendor: 'dellnos9', ports: ['1/1', '1/2'], fields: { interface_type: 'TenGigabitEthernet' }, emulator: {},
    after: /^no shutdown$/, before: /^untagged TenGigabitEthernet 1\/2$/ },
];

describe('uncertain outcomes on CLI and SNMP switches are read back', () => {
  let d: TestDaemon;
  const emus: Partial<Record<Vendor, VendorEmulator>> = {};
  let agent: QBridgeAgent;
  let front: LossyFront;
  const { call, addNode, networksOf } = switchApi(() => d, 'p');
  const enc = encodeURIComponent;
  const connect = async (node: string) =>
    ok(await call('POST', `/node/${node}/nic/eth0/connect_network`, { network: 'red' }), 202).json.status_id as string;
  const message = async (id: string) => ok(await call('GET', `/networking_action/${id}/details`)).json.message as string;

  before(async () => {
    agent = await startQBridgeAgent({ ports: ['ge-0/0/1', 'ge-0/0/2'], vlans: [310, DUMMY], pvid: DUMMY });
    front = await startLossyFront(agent.port);
    d = await startDaemon({ config: '[timeouts]\nswitch_call = 2\nswitch_batch = 20\n' });
    ok(await call('PUT', '/project/p'));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: '', net_id: '310' }));
    ok(await call('PUT', '/switch/qb', { type: 'snmp', hostname: '127.0.0.1', port: front.port, community: agent.community, dummy_vlan: DUMMY }));
    await addNode('qb', 'ge-0/0/1', 'm');
    await addNode('qb', 'ge-0/0/2', 'n');
    for (const c of DIALECTS) {
      const emu = emus[c.vendor] = await startVendorEmulator({ vendor: c.vendor, ports: c.ports, ...c.emulator });
      ok(await call('PUT', `/switch/${c.vendor}`, { type: c.vendor, hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...c.fields }));
      for (const [i, port] of c.ports.entries()) {
        await addNode(c.vendor, port, `${c.vendor}-${i}`);
        // Factory-fresh Cisco/Dell ports are on VLAN 1: put them on no network first.
        const id = ok(await call('POST', `/switch/${c.vendor}/port/${enc(port)}/revert`)).json.status_id;
        assert.equal((await waitAction(d, id)).status, 'DONE');
      }
    }
  });
  after(async () => {
    await d?.cleanup();
    for (const emu of Object.values(emus)) await emu.close();
    front?.stop();
    agent?.stop();
  });

  for (const c of DIALECTS) {
    it(`${c.vendor}: the session drops right after the change's commands: DONE, attached`, async () => {
      const emu = emus[c.vendor]!;
      emu.dropSession = { match: c.after, when: 'after' };
      const id = await connect(`${c.vendor}-0`);
      assert.equal((await waitAction(d, id)).status, 'DONE', await message(id) ?? '');
      assert.equal(emu.dropSession, null, 'the session was dropped');
      assert.deepEqual(emu.effect(c.ports[0]), { native: 310, tagged: [] });
      assert.deepEqual(await networksOf(`${c.vendor}-0`), { 'vlan/native': 'red' });
    });

    it(`${c.vendor}: the session drops right before the VLAN is set: ERROR (not applied), no attachment`, async () => {
      const emu = emus[c.vendor]!;
      emu.dropSession = { match: c.before, when: 'before' };
      const id = await connect(`${c.vendor}-1`);
      assert.equal((await waitAction(d, id)).status, 'ERROR');
      assert.equal(emu.dropSession, null, 'the session was dropped');
      assert.match(await message(id), /read back on a new session: the switch does not carry the change/);
      assert.deepEqual(emu.effect(c.ports[1]), { native: null, tagged: [] });
      assert.deepEqual(await networksOf(`${c.vendor}-1`), {});
    });
  }

  it('SNMP: a SET applied whose answer was lost: DONE, attached', async () => {
    front.lose('set-answer');
    try {
      const id = await connect('m');
      assert.equal((await waitAction(d, id)).status, 'DONE');
    } finally { front.lose(null); }
    assert.deepEqual(agent.networks('ge-0/0/1'), { native: 310, tagged: [] });
    assert.deepEqual(await networksOf('m'), { 'vlan/native': 'red' });
    assert.match(d.stderr, /outcome unknown .*applying the changes: no answer/);
  });

  it('SNMP: a SET lost on its way: ERROR (not applied), no attachment', async () => {
    front.lose('set');
    let id: string;
    try {
      id = await connect('n');
      assert.equal((await waitAction(d, id)).status, 'ERROR');
    } finally { front.lose(null); }
    assert.match(await message(id), /no answer .*read back on a new session: the switch does not carry the change/);
    assert.deepEqual(agent.networks('ge-0/0/2'), { native: null, tagged: [] });
    assert.deepEqual(await networksOf('n'), {});
  });
});
