// The periodic drift check on the lab's real Open vSwitch (userspace
// datapath, ovs-vsctl run by the daemon): drift is made behind haas's back
// with ovs-vsctl, the daemon checks every second ([drift] interval = 1), and
// the tests poll GET /v0/switch/<s>/drift (no timing assertions). Repair off:
// drift is reported and logged, not repaired, until the node changes project
// (then the old project's VLAN is a leak and is taken off). Repair on: every
// drifting registered port is repaired. Ports haas does not know are never
// touched. A node that changes project has its switch read back at once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, runHaas } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, pings } from './lab/netns.js';
import { startOvsLab, type LabNode } from './lab/ovs.js';
import { rmSync } from 'node:fs';

const skip = labUnavailable();
type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const ISOLATED = { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true };

/** A lab, a daemon checking drift every `interval` seconds (default 1), and helpers; `repair` as in [drift]. */
async function setUp(repair: boolean, interval = 1) {
  const lab = await startOvsLab();
  const env = { OVS_RUNDIR: lab.rundir };
  const config = `[drift]\ninterval = ${interval}\nrepair = ${repair}\n`;
  let d: TestDaemon;
  try {
    d = await startDaemon({ env, config });
  } catch (e) { lab.stop(); throw e; }
  const dir = d.dir;
  const call = caller(() => d);
  const enc = encodeURIComponent;
  ok(await call('PUT', '/switch/ovs1', { type: 'ovs', ovs_bridge: lab.bridge }));
  for (const p of ['A', 'B']) ok(await call('PUT', `/project/${p}`));
  ok(await call('PUT', '/network/red', { owner: 'A', access: 'A', net_id: '' }));
  const red = Number(ok(await call('GET', '/networks')).json.red.network_id);
  return {
    lab, call, ok, red,
    get d() { return d; },
    /** Stop the daemon and start it again on the same database (its first check runs at start-up). */
    async restart() {
      await d.stop();
      d = await startDaemon({ env, config, dir });
    },
    /** A lab node whose port is registered and cabled to a nic of a node in `project`. */
    async node(name: string, host: number, project: string): Promise<LabNode> {
      const n = lab.addNode(name, host);
      ok(await call('PUT', `/switch/ovs1/port/${enc(n.port)}`));
      ok(await call('PUT', `/node/${name}`, { obm: { type: 'mock', host: `${name}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${name}/nic/eth0`, { macaddr: `${name}-mac` }));
      ok(await call('POST', `/switch/ovs1/port/${enc(n.port)}/connect_nic`, { node: name, nic: 'eth0' }));
      ok(await call('POST', `/project/${project}/connect_node`, { node: name }));
      return n;
    },
    async connect(node: string, network: string) {
      const id = ok(await call('POST', `/node/${node}/nic/eth0/connect_network`, { network }), 202).json.status_id;
      assert.equal((await waitAction(d, id)).status, 'DONE');
    },
    /** Poll the switch's drift report until `done` holds for it (a generous deadline, no timing asserted). */
    async until(what: string, done: (report: any) => boolean): Promise<any> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = ok(await call('GET', '/switch/ovs1/drift')).json;
        if (done(r)) return r;
        assert.ok(Date.now() < deadline, `${what}: still ${JSON.stringify(r)}\n${d.stderr}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    /** Wait until the daemon has logged a line matching `re` (it logs once the check has ended). */
    async logged(re: RegExp) {
      const deadline = Date.now() + 30_000;
      while (!re.test(d.stderr)) {
        assert.ok(Date.now() < deadline, `no log line ${re}:\n${d.stderr}`);
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    /** Put `port` on VLAN `tag` (access) behind haas's back. */
    drift(port: string, tag: number) {
      lab.vsctl('set', 'port', port, `tag=${tag}`, 'vlan_mode=access', 'protected=false', '--', 'clear', 'port', port, 'trunks');
    },
    async stop() { await d?.cleanup(); rmSync(dir, { recursive: true, force: true }); lab.stop(); },
  };
}

describe('drift check on real OVS, repair off', { skip: skip ?? false }, () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  let a: LabNode; let b: LabNode; let stranger: LabNode;
  before(async () => {
    t = await setUp(false);
    a = await t.node('a', 1, 'A');
    b = await t.node('b', 2, 'A');
    stranger = t.lab.addNode('stranger', 3); // on the bridge, never registered in haas
    await t.connect('a', 'red');
  });
  after(async () => { await t?.stop(); });

  it('reports and logs drift on a registered port, repeatedly, without repairing it; unknown ports are not looked at', async () => {
    t.drift(b.port, t.red);
    t.drift(stranger.port, t.red);
    const first = await t.until('b drifts', (r) => r.drift[b.port] !== undefined);
    assert.equal(first.result, 'drift');
    assert.equal(first.ports, 2);
    assert.deepEqual(Object.keys(first.drift), [b.port], 'only registered ports are reported');
    assert.deepEqual(first.drift[b.port], {
      expected: { native: null, tagged: [] }, actual: { native: t.red, tagged: [] }, leak: false, state: 'reported',
    }, 'b is in A, red is A\'s: drift, but no leak');
    // A later check still finds it: nothing was repaired.
    await t.until('a later check', (r) => r.checked_at !== first.checked_at && r.drift[b.port]?.state === 'reported');
    assert.equal(pings(b.ns, a.ip), true, 'the drift is real: b reaches a on red');
    assert.equal(t.lab.portConfig(b.port).tag, t.red);
    await t.logged(new RegExp(`WARN drift: switch "ovs1" port "${b.port}": inventory nothing; switch native ${t.red}; reported \\(repair is off\\)`));

    const all = t.ok(await t.call('GET', '/drift')).json;
    assert.equal(all.interval, 1);
    assert.equal(all.repair, false);
    assert.deepEqual(all.switches.map((s: any) => [s.switch, s.result]), [['ovs1', 'drift']]);
    const cli = runHaas(['switch', 'drift', '--endpoint', `unix:${t.d.socket}`]);
    assert.equal(cli.code, 1, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /every 1 s, repair off/);
    assert.match(cli.stdout, new RegExp(`ovs1\\s+${b.port}\\s+reported\\s+no\\s+native -, tagged -\\s+native ${t.red}, tagged -`));
    const json = runHaas(['switch', 'drift', 'ovs1', '--json', '--endpoint', `unix:${t.d.socket}`]);
    assert.equal(json.code, 1, json.stderr);
    assert.equal(JSON.parse(json.stdout).drift[b.port].state, 'reported');
    assert.equal(t.lab.portConfig(stranger.port).tag, t.red, 'a port haas does not know stays as it was');
  });

  it('takes the old project\'s VLAN off a drifting port once its node moves to another project, even with repair off', async () => {
    t.ok(await t.call('POST', '/project/A/detach_node', { node: 'b' }));
    t.ok(await t.call('POST', '/project/B/connect_node', { node: 'b' }));
    const deadline = Date.now() + 30_000;
    while (t.lab.portConfig(b.port).tag !== null) {
      assert.ok(Date.now() < deadline, `b still on red: ${t.d.stderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(t.lab.portConfig(b.port), ISOLATED);
    assert.equal(pings(b.ns, a.ip), false, 'B\'s node no longer reaches A\'s network');
    await t.logged(new RegExp(`WARN drift: switch "ovs1" port "${b.port}": inventory nothing; switch native ${t.red} ` +
      '\\(a VLAN its node\'s project may not use\\); repaired: the inventory was re-applied'));
    const r = await t.until('b repaired or clean', (x) => x.drift[b.port] === undefined || x.drift[b.port].state === 'repaired');
    if (r.drift[b.port]) assert.equal(r.drift[b.port].leak, true);
    await t.until('the switch matches again', (x) => x.result === 'ok');
    assert.equal(t.lab.portConfig(a.port).tag, t.red, 'a keeps its network');
    assert.equal(t.lab.portConfig(stranger.port).tag, t.red, 'a port haas does not know stays as it was');
    assert.equal(pings(a.ns, stranger.ip), true, 'and keeps working');
  });
});

describe('drift check on real OVS, repair on', { skip: skip ?? false }, () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  let a: LabNode; let spare: LabNode; let stranger: LabNode;
  before(async () => {
    t = await setUp(true);
    a = await t.node('a', 1, 'A');
    spare = t.lab.addNode('spare', 2); // registered, no nic cabled: the inventory says "nothing"
    t.ok(await t.call('PUT', `/switch/ovs1/port/${encodeURIComponent(spare.port)}`));
    stranger = t.lab.addNode('stranger', 3);
    await t.connect('a', 'red');
    await t.until('a first clean check', (r) => r.result === 'ok');
  });
  after(async () => { await t?.stop(); });

  it('re-applies the inventory to every drifting registered port, and leaves unknown ports alone', async () => {
    t.drift(a.port, 999);
    t.drift(spare.port, t.red);
    t.drift(stranger.port, t.red);
    const deadline = Date.now() + 30_000;
    while (t.lab.portConfig(a.port).tag !== t.red || t.lab.portConfig(spare.port).tag !== null) {
      assert.ok(Date.now() < deadline, `not repaired: ${t.d.stderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(t.lab.portConfig(a.port), { tag: t.red, trunks: [], vlan_mode: 'access', protected: false });
    assert.deepEqual(t.lab.portConfig(spare.port), ISOLATED);
    await t.logged(new RegExp(`WARN drift: switch "ovs1" port "${a.port}": inventory native ${t.red}; switch native 999 ` +
      '\\(a VLAN its node\'s project may not use\\); repaired: the inventory was re-applied'));
    await t.logged(new RegExp(`WARN drift: switch "ovs1" port "${spare.port}": inventory nothing; switch native ${t.red} ` +
      '\\(a VLAN its node\'s project may not use\\); repaired'));
    await t.until('the switch matches again', (x) => x.result === 'ok');
    assert.equal(t.lab.portConfig(stranger.port).tag, t.red, 'a port haas does not know stays as it was');
    assert.equal(pings(a.ns, stranger.ip), true, 'a is on red again (with the stranger, whom haas does not manage)');
    // Drift within the node's own project is repaired too with repair on.
    t.ok(await t.call('PUT', '/network/blue', { owner: 'A', access: 'A', net_id: '' }));
    const blue = Number(t.ok(await t.call('GET', '/networks')).json.blue.network_id);
    t.drift(a.port, blue);
    while (t.lab.portConfig(a.port).tag !== t.red) {
      assert.ok(Date.now() < deadline + 30_000, `not repaired: ${t.d.stderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    await t.logged(new RegExp(`port "${a.port}": inventory native ${t.red}; switch native ${blue}; repaired`));
  });
});

describe('drift check on real OVS: a drifting node that changes project is checked at once', { skip: skip ?? false }, () => {
  let t: Awaited<ReturnType<typeof setUp>>;
  let a: LabNode; let b: LabNode;
  before(async () => {
    // One round an hour: only the start-up round and the watch on drift left in place can act within the test.
    t = await setUp(false, 3600);
    a = await t.node('a', 1, 'A');
    b = await t.node('b', 2, 'A');
    await t.connect('a', 'red');
  });
  after(async () => { await t?.stop(); });

  it('takes the old project\'s VLAN off when the node moves, without waiting for the next round', async () => {
    t.drift(b.port, t.red);
    await t.restart();
    await t.until('the start-up round reports b', (r) => r.drift[b.port]?.state === 'reported');
    assert.equal(pings(b.ns, a.ip), true, 'b reaches a on red');
    t.ok(await t.call('POST', '/project/A/detach_node', { node: 'b' }));
    t.ok(await t.call('POST', '/project/B/connect_node', { node: 'b' }));
    // The move itself has the switch read back (or the watch on drift left in place notices it first).
    await t.logged(new RegExp(`drift check: switch "ovs1"(?: port "${b.port}" changed hands while drifting|: a node cabled to it changed project)`));
    await t.logged(new RegExp(`port "${b.port}": inventory nothing; switch native ${t.red} \\(a VLAN its node's project may not use\\); repaired`));
    assert.deepEqual(t.lab.portConfig(b.port), ISOLATED);
    assert.equal(pings(b.ns, a.ip), false);
    assert.equal(t.lab.portConfig(a.port).tag, t.red);
  });

  it('reads a node\'s switch back as soon as it changes project, so drift nobody has seen yet does not outlive the move', async () => {
    await t.until('the switch matches the inventory', (r) => r.result === 'ok');
    const before = t.d.stderr.length;
    t.drift(b.port, t.red); // after the last check: no round has seen it, and none is due for an hour
    assert.equal(pings(b.ns, a.ip), true, 'b reaches a on red');
    t.ok(await t.call('POST', '/project/B/detach_node', { node: 'b' }));
    const deadline = Date.now() + 30_000;
    while (t.lab.portConfig(b.port).tag !== null) {
      assert.ok(Date.now() < deadline, `b still on red: ${t.d.stderr.slice(before)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(t.lab.portConfig(b.port), ISOLATED);
    assert.equal(pings(b.ns, a.ip), false);
    assert.match(t.d.stderr.slice(before), /drift check: switch "ovs1": a node cabled to it changed project: checking the switch now/);
    assert.equal(t.lab.portConfig(a.port).tag, t.red, 'a keeps its network');
  });
});
