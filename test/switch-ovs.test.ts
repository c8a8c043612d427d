// The `ovs` switch driver end to end: a real Open vSwitch (userspace
// datapath) behind a real sshd, node namespaces cabled into it, and haas
// configuring it through its API. Isolation is checked with packets (ping),
// tagged channels on the switch's configuration, failures (sshd gone
// mid-batch, wrong password, a port missing on the bridge) on the actions,
// the inventory and `switch verify`.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, runHaas } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { switchApi } from './lib/switch-api.js';
import { labUnavailable, pings } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';
import { startSshd, type LabSshd } from './lab/sshd.js';

const HIL_OVS = 'http://schema.massopencloud.org/haas/v0/switches/ovs';
const skip = labUnavailable();

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

describe('ovs switch driver (OVS lab over SSH)', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let sshd: LabSshd;
  let d: TestDaemon;
  const nodes: Record<string, LabNode> = {};
  const vlan: Record<string, number> = {};

  const { call, addNode, queue, apply, networksOf, verify, details } = switchApi(() => d);
  const enc = encodeURIComponent;

  async function until(cond: () => boolean) {
    const deadline = Date.now() + 10_000;
    while (!cond()) {
      assert.ok(Date.now() < deadline, 'the batch never reached the switch');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  before(async () => {
    lab = await startOvsLab();
    for (const [i, n] of ['a', 'b', 'c', 'd'].entries()) nodes[n] = lab.addNode(n, i + 1);
    sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    // OVS_RUNDIR lets the daemon's local-mode (no hostname) switch find the lab's database.
    d = await startDaemon({ env: { OVS_RUNDIR: lab.rundir } });
    ok(await call('PUT', '/switch/ovs1', {
      type: HIL_OVS, ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password,
    }));
    ok(await call('PUT', '/project/lab'));
    for (const n of ['a', 'b', 'c', 'd']) await addNode('ovs1', nodes[n]!.port, n);
    for (const [net, id] of [['red', '310'], ['blue', '320']] as const) {
      ok(await call('PUT', `/network/${net}`, { owner: 'admin', access: '', net_id: id }));
      vlan[net] = Number(id);
    }
  });
  after(async () => {
    await d?.cleanup();
    sshd?.stop();
    lab?.stop();
  });

  it('isolates every port until it is on a network; same network pings, others cannot', async () => {
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false, 'registered ports start isolated');
    await apply('a', 'connect', 'red');
    await apply('b', 'connect', 'red');
    await apply('c', 'connect', 'blue');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true, 'a and b are both on red');
    assert.equal(pings(nodes.a!.ns, nodes.c!.ip), false, 'c is on blue');
    assert.equal(pings(nodes.d!.ns, nodes.a!.ip), false, 'd is on no network');
    assert.equal(pings(nodes.d!.ns, nodes.c!.ip), false, 'd is on no network');
    assert.equal(pings(nodes.c!.ns, nodes.d!.ip), false, 'c is alone on blue');
    assert.deepEqual(lab.portConfig(nodes.a!.port), { tag: vlan.red, trunks: [], vlan_mode: 'access', protected: false });
    assert.deepEqual(lab.portConfig(nodes.d!.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
    const v = await verify('ovs1');
    assert.deepEqual(v.drift, [], JSON.stringify(v));
    assert.deepEqual(v.ports[nodes.a!.port], { expected: { native: vlan.red, tagged: [] }, actual: { native: vlan.red, tagged: [] } });
  });

  it('puts tagged networks on trunks (native-untagged beside a native one, trunk mode without)', async () => {
    await apply('a', 'connect', 'blue', `vlan/${vlan.blue}`);
    assert.deepEqual(lab.portConfig(nodes.a!.port), { tag: vlan.red, trunks: [vlan.blue!], vlan_mode: 'native-untagged', protected: false });
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true, 'the native network still works beside a tagged one');
    await apply('d', 'connect', 'blue', `vlan/${vlan.blue}`);
    assert.deepEqual(lab.portConfig(nodes.d!.port), { tag: null, trunks: [vlan.blue!], vlan_mode: 'trunk', protected: false });
    assert.equal(pings(nodes.d!.ns, nodes.c!.ip), false, 'untagged frames of a tagged-only port go nowhere');
    assert.deepEqual((await verify('ovs1')).drift, []);
    await apply('a', 'detach', 'blue');
    await apply('d', 'detach', 'blue');
    assert.deepEqual(lab.portConfig(nodes.a!.port), { tag: vlan.red, trunks: [], vlan_mode: 'access', protected: false });
    assert.deepEqual(lab.portConfig(nodes.d!.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
  });

  it('cuts a detached node off', async () => {
    await apply('b', 'detach', 'red');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false);
    assert.deepEqual(await networksOf('b'), {});
    assert.deepEqual((await verify('ovs1')).drift, []);
  });

  it('verify reports drift made behind its back, and --fix re-applies the inventory', async () => {
    lab.vsctl('set', 'port', nodes.c!.port, 'tag=999');
    lab.vsctl('clear', 'port', nodes.d!.port, 'trunks', 'vlan_mode', '--', 'set', 'port', nodes.d!.port, 'protected=false');
    const v = await verify('ovs1');
    assert.deepEqual(v.drift.sort(), [nodes.c!.port, nodes.d!.port].sort());
    assert.deepEqual(v.ports[nodes.c!.port].actual, { native: 999, tagged: [] });
    assert.match(v.ports[nodes.d!.port].actual.anomaly, /every/);
    const cli = runHaas(['switch', 'verify', 'ovs1', '--endpoint', `unix:${d.socket}`]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, new RegExp(`${nodes.c!.port}\\s+DRIFT`));
    const fixed = runHaas(['switch', 'verify', 'ovs1', '--fix', '--json', '--endpoint', `unix:${d.socket}`]);
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    const report = JSON.parse(fixed.stdout);
    assert.deepEqual(report.drift, []);
    assert.deepEqual(report.fixed.sort(), [nodes.c!.port, nodes.d!.port].sort());
    assert.deepEqual((await verify('ovs1')).drift, []);
    assert.deepEqual(lab.portConfig(nodes.c!.port).tag, vlan.blue);
    assert.deepEqual(lab.portConfig(nodes.d!.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
  });

  it('fails only the action whose port is missing on the bridge, in ovs-vsctl\'s words', async () => {
    const ghost = { port: `${lab.prefix}zz` };
    await addNode('ovs1', ghost.port, 'ghost');
    // Hold the switch on a first batch, so that the next two actions make one batch (one transaction).
    sshd.hold(true);
    try {
      const first = await queue('d', 'connect', 'blue');
      await until(() => sshd.held());
      const bad = await queue('ghost', 'connect', 'red');
      const good = await queue('b', 'connect', 'red');
      sshd.hold(false);
      assert.equal((await waitAction(d, first)).status, 'DONE');
      const [badA, goodA] = [await waitAction(d, bad), await waitAction(d, good)];
      assert.equal(goodA.status, 'DONE');
      assert.equal(badA.status, 'ERROR');
      assert.match((await details(bad)).message, new RegExp(`no row "${ghost.port}" in table Port`));
    } finally {
      sshd.hold(false);
    }
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), true);
    assert.deepEqual(await networksOf('ghost'), {});
    const v = await verify('ovs1');
    assert.deepEqual(v.drift, [ghost.port], 'the missing port is the only difference');
    assert.match(v.ports[ghost.port].actual.anomaly, /no port/);
  });

  it('sshd gone mid-batch: the actions are ERROR, the inventory matches the switch, and it recovers', async () => {
    sshd.hold(true);
    const ids = [await queue('b', 'detach', 'red'), await queue('c', 'detach', 'blue')];
    await until(() => sshd.held());
    sshd.stop();
    sshd.hold(false);
    for (const id of ids) {
      const a = await waitAction(d, id);
      assert.equal(a.status, 'ERROR');
      assert.match((await details(id)).message, /SSH connection .* closed|cannot reach/);
    }
    assert.deepEqual(await networksOf('b'), { 'vlan/native': 'red' });
    assert.equal(lab.portConfig(nodes.b!.port).tag, vlan.red, 'the switch did not change either');
    const down = await call('GET', '/switch/ovs1/verify');
    assert.equal(down.status, 502, down.text);
    assert.equal(down.json.type, 'SwitchError');
    assert.match(down.json.msg, /cannot reach/);

    await sshd.start();
    assert.deepEqual((await verify('ovs1')).drift.filter((p: string) => !p.endsWith('zz')), []);
    await apply('b', 'detach', 'red');
    await apply('c', 'detach', 'blue');
    assert.equal(pings(nodes.a!.ns, nodes.b!.ip), false);
    assert.deepEqual((await verify('ovs1')).drift.filter((p: string) => !p.endsWith('zz')), []);
  });

  it('a wrong password fails the action quickly with a clear message, and only that switch', async () => {
    const e = lab.addNode('e', 5);
    ok(await call('PUT', '/switch/ovs-badpw', {
      type: 'ovs', ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: 'wrong',
    }));
    await addNode('ovs-badpw', e.port, 'e');
    const t0 = Date.now();
    const [bad, good] = [await queue('e', 'connect', 'red'), await queue('b', 'connect', 'red')];
    const badA = await waitAction(d, bad);
    assert.equal(badA.status, 'ERROR');
    assert.ok(Date.now() - t0 < 5000, 'no hang');
    assert.match((await details(bad)).message, /authentication .* failed/);
    assert.equal((await waitAction(d, good)).status, 'DONE', 'the other switch is not held up');
    const v = await call('GET', '/switch/ovs-badpw/verify');
    assert.equal(v.status, 502);
    assert.match(v.json.msg, /authentication/);
    assert.equal(pings(e.ns, nodes.a!.ip), false);
  });

  it('logs in with a private key', async () => {
    ok(await call('PUT', '/switch/ovs-key', {
      type: 'ovs', ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, private_key: sshd.privateKey,
    }));
    const v = await verify('ovs-key');
    assert.deepEqual(v, { switch: 'ovs-key', ports: {}, drift: [] });
  });

  it('runs ovs-vsctl locally without a hostname', async () => {
    const f = lab.addNode('f', 6);
    ok(await call('PUT', '/switch/ovs-local', { type: 'ovs', ovs_bridge: lab.bridge }));
    await addNode('ovs-local', f.port, 'f');
    await apply('f', 'connect', 'red');
    assert.equal(pings(f.ns, nodes.a!.ip), true);
    assert.deepEqual((await verify('ovs-local')).drift, []);
    await apply('f', 'detach', 'red');
    assert.equal(pings(f.ns, nodes.a!.ip), false);
  });

  it('validates the ovs fields and port names', async () => {
    const base = { type: 'ovs', ovs_bridge: 'br0' };
    for (const body of [
      { ...base, hostname: 'h', username: 'u' },
      { ...base, hostname: 'h', username: 'u', password: 'p', private_key: 'k' },
      { ...base, hostname: 'h', password: 'p' },
      { ...base, username: 'u' },
      { ...base, hostname: 'h', username: 'u', password: 'p', port: 70000 },
      { type: 'ovs', ovs_bridge: 'br 0; reboot' },
    ]) {
      const r = await call('PUT', '/switch/ovs-bad', body);
      assert.equal(r.status, 400, JSON.stringify(body) + r.text);
    }
    for (const port of ['gi1/0/1', 'a-name-longer-than-15', 'eth 0']) {
      assert.equal((await call('PUT', `/switch/ovs1/port/${enc(port)}`)).status, 400, port);
    }
    ok(await call('PUT', '/switch/ovs1/port/vnet0.1:x-y_z'));
    ok(await call('DELETE', '/switch/ovs1/port/vnet0.1:x-y_z'));
  });
});

describe('switch verify on the mock switch (no lab needed)', () => {
  let d: TestDaemon;
  const call = caller(() => d);
  before(async () => { d = await startDaemon(); });
  after(async () => { await d?.cleanup(); });

  it('reports each registered port against the inventory, and fix re-applies nothing when in sync', async () => {
    for (const [m, p, b] of [
      ['PUT', '/switch/m1', { type: 'mock', hostname: 'm1', username: 'u', password: 'p' }],
      ['PUT', '/switch/m1/port/gi1%2F0%2F1'], ['PUT', '/switch/m1/port/gi1%2F0%2F2'],
      ['PUT', '/project/p'], ['PUT', '/node/n1', { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }],
      ['PUT', '/node/n1/nic/eth0', { macaddr: 'm' }], ['POST', '/switch/m1/port/gi1%2F0%2F1/connect_nic', { node: 'n1', nic: 'eth0' }],
      ['POST', '/project/p/connect_node', { node: 'n1' }], ['PUT', '/network/net', { owner: 'admin', access: '', net_id: '42' }],
    ] as const) assert.ok((await call(m, p, b)).status < 300, `${m} ${p}`);
    const id = (await call('POST', '/node/n1/nic/eth0/connect_network', { network: 'net' })).json.status_id;
    assert.equal((await waitAction(d, id)).status, 'DONE');
    const r = await call('GET', '/switch/m1/verify');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      switch: 'm1', drift: [],
      ports: {
        'gi1/0/1': { expected: { native: 42, tagged: [] }, actual: { native: 42, tagged: [] } },
        'gi1/0/2': { expected: { native: null, tagged: [] }, actual: { native: null, tagged: [] } },
      },
    });
    const f = await call('POST', '/switch/m1/verify', { fix: true });
    assert.equal(f.status, 200, f.text);
    assert.deepEqual([f.json.drift, f.json.fixed], [[], []]);
    assert.equal((await call('POST', '/switch/m1/verify', { fix: 'yes' })).status, 400);
    assert.equal((await call('GET', '/switch/nope/verify')).status, 404);
  });

  it('answers 502 SwitchError when the switch cannot be read', async () => {
    assert.equal((await call('PUT', '/switch/gone', { type: 'mock', hostname: 'gone.invalid', username: 'u', password: 'p' })).status, 200);
    const r = await call('GET', '/switch/gone/verify');
    assert.equal(r.status, 502, r.text);
    assert.equal(r.json.type, 'SwitchError');
  });
});
