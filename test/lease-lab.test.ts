// A lease that ends on the real lab: the node's nic is on a network on Open vSwitch (userspace
// datapath, ovs-vsctl run by the daemon) and its OBM is ipmi_sim through the ipmi driver. At the
// end the port is back to no VLAN on OVS (isolated, as haas leaves a port with no network) and
// ipmi_sim reports power off; the node is free. Polls for the state change, nothing is timed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { startDaemon, waitAction } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, pings } from './lab/netns.js';
import { startOvsLab, type OvsLab } from './lab/ovs.js';
import { ipmiLabAvailable, startIpmiSim, type IpmiSim } from './lab/ipmi.js';

const skip = labUnavailable() ?? (ipmiLabAvailable() ? null : 'ipmi_sim, ipmitool and script are needed (apt-get install openipmi ipmitool)');
type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const ISOLATED = { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true };

describe('a lease ending on the lab: OVS and ipmi_sim', { skip: skip ?? false }, () => {
  let lab: OvsLab | undefined;
  let sim: IpmiSim | undefined;
  let d: TestDaemon | undefined;
  const call = caller(() => d!);

  before(async () => {
    try {
      lab = await startOvsLab();
      sim = await startIpmiSim({ password: `bmc-${randomBytes(6).toString('hex')}`, prefix: 'haas-lease-test' });
      d = await startDaemon({ env: { OVS_RUNDIR: lab.rundir }, config: '[drift]\ninterval = 0\n' });
    } catch (e) {
      await d?.cleanup();
      await sim?.stop();
      lab?.stop();
      throw e;
    }
  });
  after(async () => {
    const dir = d?.dir;
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await sim?.stop();
    lab?.stop();
  });

  it('releases the node: the OVS port has no VLAN again, ipmi_sim is off, the node is free', async () => {
    const enc = encodeURIComponent;
    ok(await call('PUT', '/switch/ovs1', { type: 'ovs', ovs_bridge: lab!.bridge }));
    ok(await call('PUT', '/project/P'));
    ok(await call('PUT', '/network/red', { owner: 'P', access: 'P', net_id: '' }));
    const red = Number(ok(await call('GET', '/networks')).json.red.network_id);
    const a = lab!.addNode('a', 1);
    const b = lab!.addNode('b', 2);
    for (const [name, n] of [['a', a], ['b', b]] as const) {
      ok(await call('PUT', `/switch/ovs1/port/${enc(n.port)}`));
      ok(await call('PUT', `/node/${name}`, name === 'a' ? { obm: sim!.obm() } : { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${name}/nic/eth0`, { macaddr: `${name}-mac` }));
      ok(await call('POST', `/switch/ovs1/port/${enc(n.port)}/connect_nic`, { node: name, nic: 'eth0' }));
      ok(await call('POST', '/project/P/connect_node', { node: name }));
      const id = ok(await call('POST', `/node/${name}/nic/eth0/connect_network`, { network: 'red' }), 202).json.status_id;
      assert.equal((await waitAction(d!, id)).status, 'DONE');
    }
    assert.equal(lab!.portConfig(a.port).tag, red);
    assert.equal(pings(a.ns, b.ip), true, 'a and b share red');
    ok(await call('PUT', '/node/a/obm', { enabled: true }));
    ok(await call('POST', '/node/a/power_on'));
    assert.equal(sim!.power(), 'on');

    ok(await call('PUT', '/node/a/lease', { for: '2s' }));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const shown = ok(await call('GET', '/node/a')).json;
      if (shown.project === null) break;
      assert.ok(Date.now() < deadline, `a not released: ${JSON.stringify(ok(await call('GET', '/node/a/lease')).json)}\n${d!.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(lab!.portConfig(a.port), ISOLATED, 'the port carries no VLAN');
    assert.equal(pings(a.ns, b.ip), false, 'a no longer reaches red');
    assert.equal(sim!.power(), 'off');
    assert.equal(sim!.changes().at(-1), 'power 0');
    assert.equal(lab!.portConfig(b.port).tag, red, 'b keeps its network and its lease');
    assert.equal(ok(await call('GET', '/node/b')).json.project, 'P');
  });
});
