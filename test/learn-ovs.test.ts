// switch learn on a real Open vSwitch (the OVS lab): the MACs are learned
// from real traffic between node namespaces, read with `ovs-appctl fdb/show`
// and mapped from OpenFlow port numbers to port names. A node on no network
// is not seen (haas's isolated ports drop its frames) until the discovery
// VLAN lets it in; the ports are put back to isolation afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { startDaemon, NO_DRIFT_CHECKS, type Daemon } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, pings, run } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';

const skip = labUnavailable();

describe('switch learn on Open vSwitch (real traffic)', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let d: Daemon & { cleanup(): Promise<void> };
  const call = caller(() => d);
  const nodes: LabNode[] = [];
  const macOf = (n: LabNode) => /link\/ether ([0-9a-f:]{17})/.exec(run('ip', ['-n', n.ns, 'link', 'show', 'eth0']))![1]!;
  const background: ChildProcess[] = [];

  before(async () => {
    lab = await startOvsLab();
    for (const [i, name] of ['a', 'b', 'c', 'e'].entries()) nodes.push(lab.addNode(name, 10 + i));
    d = await startDaemon({ env: { OVS_RUNDIR: lab.rundir }, config: NO_DRIFT_CHECKS });
    ok(await call('PUT', '/switch/ovs', { type: 'ovs', ovs_bridge: lab.bridge }));
    for (const n of nodes) {
      ok(await call('PUT', `/node/${lab.prefix}${n.name}`, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'p' } }));
      // Upper case, as some BMCs print it: compared normalized.
      ok(await call('PUT', `/node/${lab.prefix}${n.name}/nic/eth0`, { macaddr: macOf(n).toUpperCase() }));
    }
  });
  after(async () => {
    for (const p of background) p.kill('SIGKILL');
    await d?.cleanup();
    lab?.stop();
  });

  const entry = (r: { nics: Array<{ node: string; status: string; port?: string }> }, n: LabNode) => r.nics.find((x) => x.node === `${lab.prefix}${n.name}`)!;

  it('finds the ports of the nodes that talked, not of the isolated ones; --apply registers and cables them', async () => {
    const [a, b, c] = nodes as [LabNode, LabNode, LabNode];
    // a and b are on VLAN 300 (set up outside haas) and talk; c stays isolated and sends too.
    for (const n of [a, b]) lab.vsctl('set', 'port', n.port, 'tag=300', 'vlan_mode=access', 'trunks=[]', 'protected=false');
    assert.ok(pings(a.ns, b.ip), 'a reaches b on VLAN 300');
    assert.ok(!pings(c.ns, a.ip), 'c is isolated');
    const plan = ok(await call('GET', '/switch/ovs/learn')).json;
    assert.deepEqual(entry(plan, a), { node: `${lab.prefix}a`, nic: 'eth0', macaddr: macOf(a).toUpperCase(), status: 'connect', port: a.port, register_port: true });
    assert.equal(entry(plan, b).port, b.port);
    assert.equal(entry(plan, c).status, 'not_seen');
    const applied = ok(await call('POST', '/switch/ovs/learn', { apply: true })).json;
    assert.equal(entry(applied, a).status, 'connected');
    assert.equal(entry(applied, b).status, 'connected');
    assert.deepEqual(ok(await call('GET', `/switch/ovs/port/${b.port}`)).json, { node: `${lab.prefix}b`, nic: 'eth0', networks: {} });
    // Back to what haas expects of a port on no network.
    for (const n of [a, b]) lab.vsctl('clear', 'port', n.port, 'tag', '--', 'set', 'port', n.port, 'vlan_mode=trunk', 'trunks=4095', 'protected=true');
  });

  it('with a discovery VLAN, learns the isolated nodes while they send, and isolates their ports again', async () => {
    const [, , c, e] = nodes as [LabNode, LabNode, LabNode, LabNode];
    // e's port is registered (free); c's is not and is named.
    ok(await call('PUT', `/switch/ovs/port/${e.port}`));
    // The nodes "PXE-boot": they keep sending (ARP for each other) while haas waits.
    for (const [from, to] of [[c, e], [e, c]] as const) {
      const p = spawn('ip', ['netns', 'exec', from.ns, 'ping', '-i', '0.2', '-w', '30', '-q', to.ip], { stdio: 'ignore' });
      background.push(p);
    }
    const r = ok(await call('POST', '/switch/ovs/learn', { discovery_vlan: 4001, wait: 3, ports: [c.port], apply: true })).json;
    for (const p of background) p.kill('SIGKILL');
    // Every free registered port (a's and b's too: their nics are on no network) and the named one.
    assert.deepEqual(r.discovery.ports.sort(), nodes.map((n) => n.port).sort());
    assert.equal(r.discovery.errors, undefined);
    assert.equal(entry(r, c).status, 'connected');
    assert.equal(entry(r, c).port, c.port);
    assert.equal(entry(r, e).status, 'connected');
    // The ports are isolated again, as before.
    for (const n of nodes) assert.deepEqual(lab.portConfig(n.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
    assert.ok(!pings(c.ns, e.ip));
  });
});
