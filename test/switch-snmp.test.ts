// The `snmp` switch driver: a net-snmp agent serving a writable Q-BRIDGE-MIB
// (test/lab/qbridge-agent.ts). The driver's batching and failure handling are
// checked against the agent directly; end to end, haas configures the agent
// through its API and the agent drives a real Open vSwitch, so isolation is
// checked with packets (ping), tagged channels on the agent's tables, drift
// with `switch verify`, and failures (wrong community or v3 key, a port the
// switch refuses, the agent gone) on the actions and the inventory.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, NO_DRIFT_CHECKS } from './lib/daemon.js';
import { ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { labUnavailable, pings } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';
import { ovsApplier, startQBridgeAgent, type QBridgeAgent } from './lab/qbridge-agent.js';
import { snmpSwitchDriver, parsePortMap } from '../src/drivers/switch/snmp.js';
import { hasPort, portsOf, samePorts, withPort } from '../src/drivers/switch/snmp-portlist.js';
import type { PortChange } from '../src/drivers/switch/types.js';

const HIL_SNMP = 'http://schema.massopencloud.org/haas/v0/switches/snmp';
const DUMMY = 4000;
const skip = labUnavailable();

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const native = (port: string, vlan: number | null): PortChange => ({ kind: 'modify', port, channel: { native: true }, vlan });
const tagged = (port: string, vlan: number, on = true): PortChange => ({ kind: 'modify', port, channel: { native: false, vlan }, vlan: on ? vlan : null });

describe('Q-BRIDGE PortList bitmaps', () => {
  it('numbers bridge ports from the most significant bit of the first byte', () => {
    const list = withPort(withPort(Buffer.alloc(0), 1, true), 10, true);
    assert.deepEqual([...list], [0x80, 0x40]);
    assert.ok(hasPort(list, 1) && hasPort(list, 10) && !hasPort(list, 2) && !hasPort(list, 99));
    assert.deepEqual(portsOf(list), [1, 10]);
    assert.deepEqual([...withPort(list, 1, false)], [0x00, 0x40]);
    assert.ok(samePorts(Buffer.from([0x40]), Buffer.from([0x40, 0, 0])));
    assert.equal(withPort(Buffer.alloc(64), 3, true).length, 64, 'keeps the length the switch uses');
  });

  it('parses port_map and refuses bad ones', () => {
    assert.deepEqual([...parsePortMap('gi1/0/1=1, gi1/0/2=2')], [['gi1/0/1', 1], ['gi1/0/2', 2]]);
    for (const bad of ['', 'gi1/0/1', 'a=0', 'a=1,b=1', 'a=1,a=2', 'a b=1']) assert.throws(() => parsePortMap(bad), /port_map/, bad);
  });
});

describe('snmp driver against a Q-BRIDGE agent', () => {
  const ports = Array.from({ length: 12 }, (_, i) => `ge-0/0/${i + 1}`);
  let agent: QBridgeAgent;
  const driver = snmpSwitchDriver({ callTimeoutMs: 3000 });
  const v2c = () => ({ hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: DUMMY });

  before(async () => { agent = await startQBridgeAgent({ ports, vlans: [310, DUMMY], pvid: DUMMY }); });
  after(() => agent?.stop());

  it('applies a batch in one SET, creating missing VLANs, and reads it back', async () => {
    const s = driver.connect('t', v2c());
    try {
      const before = agent.setRequests;
      const results = await s.applyBatch([
        native('ge-0/0/1', 310), native('ge-0/0/10', 320), tagged('ge-0/0/10', 330), tagged('ge-0/0/1', 330), tagged('ge-0/0/1', 330, false),
      ]);
      assert.deepEqual(results, [null, null, null, null, null]);
      assert.equal(agent.setRequests - before, 1, 'one SET for the whole batch');
      assert.deepEqual(agent.config('ge-0/0/1'), { pvid: 310, untagged: [310], tagged: [] });
      assert.deepEqual(agent.config('ge-0/0/10'), { pvid: 320, untagged: [320], tagged: [330] });
      const read = await s.getPortNetworks(['ge-0/0/1', 'ge-0/0/10', 'ge-0/0/2']);
      assert.deepEqual(Object.fromEntries(read), {
        'ge-0/0/1': { native: 310, tagged: [] }, 'ge-0/0/10': { native: 320, tagged: [330] }, 'ge-0/0/2': { native: null, tagged: [] },
      });
      const again = agent.setRequests;
      assert.deepEqual(await s.applyBatch([native('ge-0/0/1', 310)]), [null]);
      assert.equal(agent.setRequests, again, 'nothing to change: no SET');
      assert.deepEqual(await s.applyBatch([{ kind: 'revert', port: 'ge-0/0/10' }, native('ge-0/0/1', null)]), [null, null]);
      assert.deepEqual(agent.config('ge-0/0/10'), { pvid: DUMMY, untagged: [], tagged: [] });
      assert.deepEqual(agent.config('ge-0/0/1'), { pvid: DUMMY, untagged: [], tagged: [] });
    } finally {
      await s.close();
    }
  });

  it('takes a factory-default port (untagged in VLAN 1) off VLAN 1, and reports odd shapes as anomalies', async () => {
    const s = driver.connect('t', v2c());
    try {
      agent.setConfig('ge-0/0/3', { pvid: 1, untagged: [1], tagged: [] });
      agent.setConfig('ge-0/0/4', { pvid: 1, untagged: [], tagged: [] });
      const read = await s.getPortNetworks(['ge-0/0/3', 'ge-0/0/4']);
      assert.deepEqual(read.get('ge-0/0/3'), { native: 1, tagged: [] });
      assert.match(read.get('ge-0/0/4')!.anomaly ?? '', /PVID 1 without being an untagged member/);
      assert.deepEqual(await s.applyBatch([tagged('ge-0/0/3', 310), native('ge-0/0/3', null), { kind: 'revert', port: 'ge-0/0/4' }]), [null, null, null]);
      assert.deepEqual(agent.config('ge-0/0/3'), { pvid: DUMMY, untagged: [], tagged: [310] });
      assert.deepEqual(agent.config('ge-0/0/4'), { pvid: DUMMY, untagged: [], tagged: [] });
      assert.deepEqual(await s.applyBatch([{ kind: 'revert', port: 'ge-0/0/3' }]), [null]);
    } finally {
      await s.close();
    }
  });

  it('fails only the changes the switch refuses, with its words, and applies the rest', async () => {
    // port_map names bridge port 40 on a 12-port switch: the agent refuses bitmaps with that bit.
    const s = driver.connect('t', { ...v2c(), port_map: 'ge-0/0/5=5,ge-0/0/6=6,ghost=40' });
    try {
      const results = await s.applyBatch([native('ghost', 310), native('ge-0/0/5', 310), tagged('ge-0/0/6', 330), native('ge-0/0/9', 310), native('ge-0/0/6', DUMMY)]);
      assert.equal(results[1], null);
      assert.match(results[0]!.error, /answered WrongValue for dot1qVlanStaticEgressPorts\.310/);
      assert.match(results[2]!.error, /dummy_vlan/, 'the port of a refused change fails as a whole');
      assert.match(results[3]!.error, /not in this switch's port_map/);
      assert.match(results[4]!.error, /VLAN 4000 is this switch's dummy_vlan/);
      assert.deepEqual(agent.config('ge-0/0/5'), { pvid: 310, untagged: [310], tagged: [] });
      assert.deepEqual(agent.config('ge-0/0/6'), { pvid: DUMMY, untagged: [], tagged: [] });
      assert.deepEqual(await s.applyBatch([{ kind: 'revert', port: 'ge-0/0/5' }]), [null]);
    } finally {
      await s.close();
    }
  });

  it('speaks v3 authPriv (SHA/AES)', async () => {
    const s = driver.connect('t', { hostname: agent.host, port: agent.port, version: '3', user: agent.v3.user, auth_key: agent.v3.authKey, priv_key: agent.v3.privKey, dummy_vlan: DUMMY });
    try {
      assert.deepEqual(await s.applyBatch([native('ge-0/0/7', 310)]), [null]);
      assert.deepEqual(agent.config('ge-0/0/7'), { pvid: 310, untagged: [310], tagged: [] });
      assert.deepEqual(await s.applyBatch([{ kind: 'revert', port: 'ge-0/0/7' }]), [null]);
    } finally {
      await s.close();
    }
  });

  it('gives up on a wrong v3 key within seconds, saying what to check', async () => {
    const s = driver.connect('t', { hostname: agent.host, port: agent.port, version: '3', user: agent.v3.user, auth_key: 'not-the-key', priv_key: agent.v3.privKey, dummy_vlan: DUMMY });
    const t0 = Date.now();
    await assert.rejects(s.applyBatch([native('ge-0/0/7', 310)]), /no answer from the SNMP agent at 127\.0\.0\.1:\d+ within 3 s .*auth_key or priv_key/);
    assert.ok(Date.now() - t0 < 5000);
    await s.close();
  });
});

describe('snmp switch driver end to end (daemon, Q-BRIDGE agent, OVS lab)', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let agent: QBridgeAgent;
  let d: TestDaemon;
  const nodes: Record<string, LabNode> = {};
  const vlan = { red: 310, blue: 320 };

  const { call, addNode, queue, apply, networksOf, verify, details } = switchApi(() => d);
  const enc = encodeURIComponent;
  const snmpFields = () => ({ hostname: agent.host, port: agent.port, community: agent.community, dummy_vlan: DUMMY });

  before(async () => {
    lab = await startOvsLab();
    for (const [i, n] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) nodes[n] = lab.addNode(n, i + 1);
    const labPorts = new Set(Object.values(nodes).map((n) => n.port));
    const toOvs = ovsApplier(lab);
    // Nine ports without cables first, so bitmaps span several bytes.
    const fillers = Array.from({ length: 9 }, (_, i) => `ge-0/0/${i + 1}`);
    agent = await startQBridgeAgent({
      ports: [...fillers, ...Object.values(nodes).map((n) => n.port)],
      vlans: [vlan.red, DUMMY],
      pvid: DUMMY,
      apply: (port, v) => { if (labPorts.has(port)) toOvs(port, v); },
    });
    // One SNMP request and its retry take [timeouts] switch_call: 3 s here (10 s by default).
    // No drift checks: they would add their own requests to the agents whose failures are timed here.
    d = await startDaemon({ config: `[timeouts]\nswitch_call = 3\n${NO_DRIFT_CHECKS}` });
    ok(await call('PUT', '/switch/snmp1', { type: HIL_SNMP, ...snmpFields() }));
    ok(await call('PUT', '/project/lab'));
    for (const n of ['a', 'b', 'c', 'd']) await addNode('snmp1', nodes[n]!.port, n);
    for (const [net, id] of Object.entries(vlan)) ok(await call('PUT', `/network/${net}`, { owner: 'admin', access: '', net_id: String(id) }));
  });
  after(async () => {
    await d?.cleanup();
    agent?.stop();
    lab?.stop();
  });

  it('shows the switch with its capability and without its community', async () => {
    const r = ok(await call('GET', '/switch/snmp1')).json;
    assert.deepEqual(r.capabilities, ['nativeless-trunk-mode']);
    assert.ok(!JSON.stringify(r).includes(agent.community));
  });

  it('puts ports on networks: the same network pings, others and no network cannot', async () => {
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false, 'ports start isolated');
    await apply('a', 'connect', 'red');
    await apply('b', 'connect', 'red');
    await apply('c', 'connect', 'blue'); // VLAN 320 does not exist on the switch yet: created
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true, 'a and b are both on red');
    assert.equal(pings(nodes.a!.ns, nodes.c!.ip), false, 'c is on blue');
    assert.equal(pings(nodes.d!.ns, nodes.a!.ip), false, 'd is on no network');
    assert.deepEqual(agent.config(nodes.a!.port), { pvid: vlan.red, untagged: [vlan.red], tagged: [] });
    assert.deepEqual(agent.config(nodes.c!.port), { pvid: vlan.blue, untagged: [vlan.blue], tagged: [] });
    assert.deepEqual(agent.config(nodes.d!.port), { pvid: DUMMY, untagged: [], tagged: [] });
    const v = await verify('snmp1');
    assert.deepEqual(v.drift, [], JSON.stringify(v));
    assert.deepEqual(v.ports[nodes.a!.port], { expected: { native: vlan.red, tagged: [] }, actual: { native: vlan.red, tagged: [] } });
  });

  it('carries tagged networks beside a native one, and without one', async () => {
    await apply('a', 'connect', 'blue', `vlan/${vlan.blue}`);
    assert.deepEqual(agent.config(nodes.a!.port), { pvid: vlan.red, untagged: [vlan.red], tagged: [vlan.blue] });
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true, 'the native network still works beside a tagged one');
    await apply('d', 'connect', 'blue', `vlan/${vlan.blue}`);
    assert.deepEqual(agent.config(nodes.d!.port), { pvid: DUMMY, untagged: [], tagged: [vlan.blue] });
    assert.equal(pings(nodes.d!.ns, nodes.c!.ip), false, 'untagged frames of a tagged-only port go nowhere');
    assert.deepEqual(lab.portConfig(nodes.d!.port), { tag: null, trunks: [vlan.blue], vlan_mode: 'trunk', protected: false });
    assert.deepEqual((await verify('snmp1')).drift, []);
    await apply('a', 'detach', 'blue');
    await apply('d', 'detach', 'blue');
    assert.deepEqual(agent.config(nodes.a!.port), { pvid: vlan.red, untagged: [vlan.red], tagged: [] });
    assert.deepEqual(agent.config(nodes.d!.port), { pvid: DUMMY, untagged: [], tagged: [] });
  });

  it('cuts a detached node off', async () => {
    await apply('b', 'detach', 'red');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false);
    assert.deepEqual(await networksOf('b'), {});
    assert.deepEqual((await verify('snmp1')).drift, []);
  });

  it('verify reports drift made behind its back, and fix re-applies the inventory', async () => {
    agent.setConfig(nodes.c!.port, { pvid: 1, untagged: [1], tagged: [] });
    const v = await verify('snmp1');
    assert.deepEqual(v.drift, [nodes.c!.port]);
    assert.deepEqual(v.ports[nodes.c!.port].actual, { native: 1, tagged: [] });
    const fixed = ok(await call('POST', '/switch/snmp1/verify', { fix: true })).json;
    assert.deepEqual(fixed.drift, []);
    assert.deepEqual(fixed.fixed, [nodes.c!.port]);
    assert.deepEqual(agent.config(nodes.c!.port), { pvid: vlan.blue, untagged: [vlan.blue], tagged: [] });
  });

  it('works over v3 authPriv (SHA/AES) too', async () => {
    ok(await call('PUT', '/switch/snmp3', {
      type: 'snmp', hostname: agent.host, port: agent.port, version: '3', user: agent.v3.user,
      auth_protocol: 'sha', auth_key: agent.v3.authKey, priv_protocol: 'aes', priv_key: agent.v3.privKey, dummy_vlan: DUMMY,
    }));
    await addNode('snmp3', nodes.e!.port, 'e');
    await apply('e', 'connect', 'red');
    assert.equal(pings(nodes.e!.ns, nodes.a!.ip), true);
    assert.deepEqual((await verify('snmp3')).drift, []);
    await apply('e', 'detach', 'red');
    assert.equal(pings(nodes.e!.ns, nodes.a!.ip), false);
  });

  it('a port the switch refuses: that action is ERROR in the switch\'s words, the inventory keeps what the switch has', async () => {
    const f = nodes.f!;
    ok(await call('PUT', '/switch/snmp-map', { type: 'snmp', ...snmpFields(), port_map: `${f.port}=15,ghost=40` }));
    await addNode('snmp-map', 'ghost', 'ghost');
    await addNode('snmp-map', f.port, 'f');
    const [bad, good] = [await queue('ghost', 'connect', 'red'), await queue('f', 'connect', 'red')];
    assert.equal((await waitAction(d, good)).status, 'DONE');
    assert.equal((await waitAction(d, bad)).status, 'ERROR');
    assert.match((await details(bad)).message, /answered WrongValue for dot1qVlanStaticEgressPorts\.310/);
    assert.deepEqual(await networksOf('ghost'), {});
    assert.equal(pings(f.ns, nodes.a!.ip), true);
    const v = await verify('snmp-map');
    assert.deepEqual(v.drift, ['ghost'], 'the port the switch lacks is the only difference');
    await apply('f', 'detach', 'red');
  });

  it('a wrong community or v3 key fails the action within seconds, with a clear message, and only that switch', async () => {
    for (const [sw, fields, hint] of [
      ['snmp-badc', { ...snmpFields(), community: 'wrong' }, /wrong community/],
      ['snmp-badk', { hostname: agent.host, port: agent.port, version: '3', user: agent.v3.user, auth_key: 'wrong-auth-key', priv_key: agent.v3.privKey, dummy_vlan: DUMMY }, /auth_key or priv_key/],
    ] as const) {
      ok(await call('PUT', `/switch/${sw}`, { type: 'snmp', ...fields }));
      const node = `${sw}-n`;
      await addNode(sw, 'ge-0/0/8', node);
      const t0 = Date.now();
      const [bad, good] = [await queue(node, 'connect', 'red'), await queue('b', 'connect', 'red')];
      assert.equal((await waitAction(d, good)).status, 'DONE', 'the other switch is not held up');
      assert.equal((await waitAction(d, bad)).status, 'ERROR');
      assert.ok(Date.now() - t0 < 6000, `no hang (${Date.now() - t0} ms)`);
      assert.match((await details(bad)).message, hint);
      assert.deepEqual(await networksOf(node), {});
      const v = await call('GET', `/switch/${sw}/verify`);
      assert.equal(v.status, 502, v.text);
      assert.match(v.json.msg, /no answer from the SNMP agent/);
      await apply('b', 'detach', 'red');
    }
  });

  it('validates the snmp fields and port names', async () => {
    const base = { type: 'snmp', hostname: 'sw', dummy_vlan: DUMMY };
    for (const body of [
      { ...base },
      { ...base, community: 'c', user: 'u' },
      { ...base, version: '3', user: 'u', auth_key: 'k'.repeat(8) },
      { ...base, version: '3', community: 'c', user: 'u', auth_key: 'k'.repeat(8), priv_key: 'p'.repeat(8) },
      { ...base, version: '3', user: 'u', auth_key: 'short', priv_key: 'p'.repeat(8) },
      { ...base, version: '3', user: 'u', auth_key: 'k'.repeat(8), priv_key: 'p'.repeat(8), auth_protocol: 'crc32' },
      { ...base, version: '3', user: 'u', auth_key: 'k'.repeat(8), priv_key: 'p'.repeat(8), priv_protocol: 'rot13' },
      { ...base, version: '1', community: 'c' },
      { ...base, community: 'c', port_map: 'gi1=0' },
      { ...base, community: 'c', dummy_vlan: 4095 },
      { type: 'snmp', hostname: 'sw', community: 'c' },
    ]) {
      const r = await call('PUT', '/switch/snmp-bad', body);
      assert.equal(r.status, 400, JSON.stringify(body) + r.text);
    }
    assert.equal((await call('PUT', `/switch/snmp1/port/${enc('eth 0')}`)).status, 400);
    ok(await call('PUT', `/switch/snmp1/port/${enc('Gi1/0/48')}`));
    ok(await call('DELETE', `/switch/snmp1/port/${enc('Gi1/0/48')}`));
  });

  it('the agent gone: actions are ERROR within seconds, the inventory is unchanged', async () => {
    agent.stop();
    const t0 = Date.now();
    const id = await queue('a', 'detach', 'red');
    const a = await waitAction(d, id);
    assert.equal(a.status, 'ERROR');
    assert.ok(Date.now() - t0 < 6000, `no hang (${Date.now() - t0} ms)`);
    assert.match((await details(id)).message, /no answer from the SNMP agent/);
    assert.deepEqual(await networksOf('a'), { 'vlan/native': 'red' });
    assert.equal(lab.portConfig(nodes.a!.port).tag, vlan.red, 'the switch did not change either');
  });
});
