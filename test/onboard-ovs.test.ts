// Adopting a running Open vSwitch (the lab's real OVS, ovs-vsctl run by the
// built daemon, drift checks every second with repair on): the bridge carries
// VLANs for running nodes before haas knows it. Discover reads them (and the
// links of the veth ports); an import registers every port and leaves those
// carrying VLANs unmanaged; once the nics are cabled in the inventory, import
// --adopt records the attachments of the ports whose node may use the
// networks (audited), and leaves a foreign VLAN and a network the node's
// project may not use for the admin. Nothing on the real OVS changes: not by
// the import, not by drift repair, not by verify --fix; packets still flow.
// Then the admin hands the foreign port to haas, which isolates it. The CLI
// commands run against the same daemon.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, runHaas } from './lib/daemon.js';
import { caller, fails, ok } from './lib/fixtures.js';
import { labUnavailable, pings } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';

const skip = labUnavailable();
type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const RED = 3101;
const BLUE = 3102;
const FOREIGN = 3999;

describe('onboarding a running Open vSwitch', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let d: TestDaemon;
  const call = caller(() => d);
  const enc = encodeURIComponent;
  let a: LabNode; let b: LabNode; let c: LabNode; let e: LabNode;
  let spare: string;
  const configs = () => Object.fromEntries([a, b, c, e].map((n) => [n.port, lab.portConfig(n.port)]));
  let running: ReturnType<typeof configs>;
  const cli = (...args: string[]) => runHaas([...args, '--endpoint', `unix:${d.socket}`]);

  before(async () => {
    lab = await startOvsLab();
    try {
      d = await startDaemon({ env: { OVS_RUNDIR: lab.rundir }, config: '[drift]\ninterval = 1\nrepair = true\n' });
    } catch (err) { lab.stop(); throw err; }
    // The switch as it runs before haas: a and b on red (a also tagged blue), c on a VLAN haas has no network for,
    // e on blue (which only project B may use), a spare port isolated.
    a = lab.addNode('a', 1); b = lab.addNode('b', 2); c = lab.addNode('c', 3); e = lab.addNode('e', 4);
    spare = `${lab.prefix}sp`;
    lab.addPorts([spare]);
    lab.vsctl('set', 'port', a.port, `tag=${RED}`, 'vlan_mode=native-untagged', `trunks=[${BLUE}]`, 'protected=false');
    lab.vsctl('set', 'port', b.port, `tag=${RED}`, 'vlan_mode=access', 'trunks=[]', 'protected=false');
    lab.vsctl('set', 'port', c.port, `tag=${FOREIGN}`, 'vlan_mode=access', 'trunks=[]', 'protected=false');
    lab.vsctl('set', 'port', e.port, `tag=${BLUE}`, 'vlan_mode=access', 'trunks=[]', 'protected=false');
    running = configs();
    ok(await call('PUT', '/switch/ovs1', { type: 'ovs', ovs_bridge: lab.bridge }));
    for (const p of ['A', 'B']) ok(await call('PUT', `/project/${p}`));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: 'A', net_id: String(RED) }));
    ok(await call('PUT', '/network/blue', { owner: 'admin', access: 'B', net_id: String(BLUE) }));
  });
  after(async () => {
    await d?.cleanup();
    lab?.stop();
  });

  it('discover lists the bridge\'s ports (not the bridge itself) with link and VLANs; nothing registered', async () => {
    assert.ok(pings(a.ns, b.ip), 'a and b talk on red before haas knows the switch');
    const r = ok(await call('GET', '/switch/ovs1/discover')).json;
    const byName = Object.fromEntries(r.interfaces.map((i: { name: string }) => [i.name, i]));
    assert.deepEqual(Object.keys(byName).sort(), [a.port, b.port, c.port, e.port, spare].sort());
    assert.deepEqual(byName[a.port], { name: a.port, valid: true, registered: false, unmanaged: null, link: 'up', native: RED, tagged: [BLUE] });
    assert.deepEqual([byName[c.port].native, byName[c.port].tagged], [FOREIGN, []]);
    assert.deepEqual([byName[spare].native, byName[spare].tagged, byName[spare].anomaly], [null, [], undefined], 'the spare port is isolated');
    const text = cli('switch', 'discover', 'ovs1');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`${a.port}\\s+up\\s+not registered\\s+native ${RED}, tagged ${BLUE}`));
  });

  it('bad input: a bad pattern, a pattern matching nothing, an unknown switch', async () => {
    fails(await call('POST', '/switch/ovs1/import', { ports: `${lab.prefix}[ab` }), 400, 'BadArgumentError', /"\[" without "\]"/);
    fails(await call('POST', '/switch/ovs1/import', { ports: 'nothing-*' }), 400, 'BadArgumentError', /matches none of the 5 interfaces/);
    fails(await call('POST', '/switch/nope/import', {}), 404, 'NotFoundError');
    fails(await call('POST', '/switch/ovs1/import', { adopt: 'yes' }), 400, 'ValidationError');
    const bad = cli('switch', 'import', 'ovs1', '--ports', '[x');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid --ports pattern/);
    assert.deepEqual(ok(await call('GET', '/switch/ovs1')).json.ports, []);
  });

  it('import registers every port in one go; those carrying VLANs are left unmanaged, and drift repair leaves them alone', async () => {
    const dry = cli('switch', 'import', 'ovs1', '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /dry run: nothing was changed/);
    assert.deepEqual(ok(await call('GET', '/switch/ovs1')).json.ports, []);
    const r = ok(await call('POST', '/switch/ovs1/import', {})).json;
    assert.deepEqual(r.registered.sort(), [a.port, b.port, c.port, e.port, spare].sort());
    assert.deepEqual(r.left.map((l: { port: string }) => l.port).sort(), [a.port, b.port, c.port, e.port].sort());
    // Wait for a drift check that ran after the import: it must not have parked anything.
    const after = Date.now();
    for (;;) {
      assert.ok(Date.now() < after + 30_000, 'a drift check ran after the import');
      const dr = ok(await call('GET', '/switch/ovs1/drift')).json;
      if (dr.checked_at !== null && Date.parse(dr.checked_at) > after + 1000) {
        assert.deepEqual(dr.drift, {}, 'unmanaged ports are not drift');
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.deepEqual(configs(), running);
  });

  it('import --adopt records the attachments where the node may use the networks, audited; the rest stays unmanaged; the switch is untouched', async () => {
    for (const [n, project] of [[a, 'A'], [b, 'A'], [c, 'A'], [e, 'A']] as const) {
      ok(await call('PUT', `/node/${n.name}`, { obm: { type: 'mock', host: `${n.name}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${n.name}/nic/eth0`, { macaddr: `${n.name}-mac` }));
      ok(await call('POST', `/switch/ovs1/port/${enc(n.port)}/connect_nic`, { node: n.name, nic: 'eth0' }));
      ok(await call('POST', `/project/${project}/connect_node`, { node: n.name }));
    }
    const out = cli('switch', 'import', 'ovs1', '--adopt');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /adopted \(the switch keeps them/);
    const r = ok(await call('GET', '/switch/ovs1/discover')).json;
    const unmanaged = r.interfaces.filter((i: { unmanaged: unknown }) => i.unmanaged !== null).map((i: { name: string }) => i.name).sort();
    assert.deepEqual(unmanaged, [a.port, c.port, e.port].sort(), 'a carries blue, which A may no longer use; c a foreign VLAN; e blue');
    assert.deepEqual(ok(await call('GET', '/node/b')).json.nics[0].networks, { 'vlan/native': 'red' });
    assert.deepEqual(ok(await call('GET', '/node/a')).json.nics[0].networks, {}, 'all or nothing per port');
    const why = Object.fromEntries(r.interfaces.map((i: { name: string; unmanaged: { reason: string } | null }) => [i.name, i.unmanaged?.reason]));
    assert.match(why[c.port], new RegExp(`VLAN ${FOREIGN} is the net_id of no network`));
    assert.match(why[e.port], /project "A" of node "e" may not use network "blue"/);
    // The admin decides: project A may use blue. A second --adopt takes a and e, unmanaged until then.
    ok(await call('PUT', '/network/blue/access/A'));
    const again = ok(await call('POST', '/switch/ovs1/import', { adopt: true, ports: `${lab.prefix}[ae]` })).json;
    assert.deepEqual(again.adopted.map((x: { port: string; channel: string }) => `${x.port} ${x.channel}`).sort(),
      [`${a.port} vlan/native`, `${a.port} vlan/${BLUE}`, `${e.port} vlan/native`].sort());
    const audit = ok(await call('GET', '/audit?operation=port_adopt')).json.entries;
    assert.deepEqual(audit.map((x: { node: string; network: string }) => `${x.node} ${x.network}`).sort(), ['a blue', 'a red', 'b red', 'e blue']);
    assert.deepEqual(configs(), running, 'nothing on the switch changed');
    assert.ok(pings(a.ns, b.ip), 'a and b still talk');
  });

  it('verify --fix leaves the foreign port alone; handed to haas with `port manage`, it is isolated', async () => {
    const v = ok(await call('POST', '/switch/ovs1/verify', { fix: true })).json;
    assert.deepEqual(v.drift, []);
    assert.ok(!(c.port in v.ports), 'the unmanaged port is not verified');
    assert.deepEqual(configs(), running);
    // Until the admin decides, nobody changes the port: neither a member's connect nor an admin's revert.
    const connect = await call('POST', '/node/c/nic/eth0/connect_network', { network: 'red' });
    assert.equal(connect.status, 409);
    assert.match(connect.json.msg, /unmanaged/);
    const revert = await call('POST', `/switch/ovs1/port/${enc(c.port)}/revert`);
    assert.equal(revert.status, 409);
    assert.deepEqual(configs(), running);
    const m = cli('port', 'manage', 'ovs1', c.port);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /managed by haas again/);
    const fixed = ok(await call('POST', '/switch/ovs1/verify', { fix: true })).json;
    assert.deepEqual(fixed.fixed, [c.port]);
    assert.deepEqual(lab.portConfig(c.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
    assert.deepEqual(lab.portConfig(a.port), running[a.port]);
  });
});
