// switch learn over SNMP: the lab agent serves a Q-BRIDGE dot1qTpFdbTable
// (MACs per VLAN) or, like an older agent, only BRIDGE-MIB's dot1dTpFdbTable;
// bridge ports are named by dot1dBasePortIfIndex and ifName. Also: an agent
// that does not answer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, NO_DRIFT_CHECKS, type Daemon } from './lib/daemon.js';
import { caller, fails, ok } from './lib/fixtures.js';
import { startQBridgeAgent, type QBridgeAgent } from './lab/qbridge-agent.js';

const PORTS = ['ge-0/0/1', 'ge-0/0/2', 'ge-0/0/3', 'xe-0/1/0'];
const DUMMY = 4000;

describe('switch learn over SNMP (Q-BRIDGE and the BRIDGE-MIB fallback)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const agents: QBridgeAgent[] = [];
  const call = caller(() => d);
  before(async () => {
    d = await startDaemon({ config: NO_DRIFT_CHECKS });
    for (const [n, mac] of [['snmp-a', '52:54:00:5a:00:01'], ['snmp-b', '52:54:00:5a:00:02'], ['snmp-c', '52:54:00:5a:00:03']]) {
      ok(await call('PUT', `/node/${n}`, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${n}/nic/eth0`, { macaddr: mac! }));
    }
  });
  after(async () => {
    await d?.cleanup();
    for (const a of agents) a.stop();
  });

  const entries = [
    { mac: '52:54:00:5a:00:01', vlan: 300, port: 'ge-0/0/1' },
    { mac: '52:54:00:5a:00:02', vlan: 301, port: 'ge-0/0/2' },
    // The uplink carries many addresses; one on a bridge port with no ifName.
    ...Array.from({ length: 10 }, (_, k) => ({ mac: `02:00:00:00:00:${k.toString(16).padStart(2, '0')}`, vlan: 300, port: 'xe-0/1/0' })),
    { mac: '02:00:00:00:01:00', vlan: 300, port: 9 },
  ];

  for (const table of ['qbridge', 'bridge'] as const) {
    it(`${table === 'qbridge' ? 'Q-BRIDGE dot1qTpFdbTable' : 'BRIDGE-MIB dot1dTpFdbTable (no Q-BRIDGE table)'}: places the nics, --apply cables them`, async () => {
      const agent = await startQBridgeAgent({ ports: PORTS, vlans: [DUMMY], pvid: DUMMY, fdb: { table, entries } });
      agents.push(agent);
      const sw = `snmp-${table}`;
      ok(await call('PUT', `/switch/${sw}`, { type: 'snmp', hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: DUMMY }));
      const plan = ok(await call('GET', `/switch/${sw}/learn`)).json;
      assert.equal(plan.entries, entries.length);
      const find = (n: string) => plan.nics.find((x: { node: string }) => x.node === n);
      assert.deepEqual(find('snmp-a'), { node: 'snmp-a', nic: 'eth0', macaddr: '52:54:00:5a:00:01', status: 'connect', port: 'ge-0/0/1', register_port: true });
      assert.equal(find('snmp-b').port, 'ge-0/0/2');
      assert.equal(find('snmp-c').status, 'not_seen');
      assert.match(plan.not_node_ports['xe-0/1/0'], /carries 10 MAC addresses/);
      assert.match(plan.not_node_ports['bridge port 9'], /not a port name/);
      const applied = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
      assert.equal(applied.nics.filter((x: { status: string }) => x.status === 'connected').length, 2);
      assert.deepEqual(ok(await call('GET', `/switch/${sw}/port/ge-0/0/1`)).json, { node: 'snmp-a', nic: 'eth0', networks: {} });
      // Cabled here now: the second switch must not take them.
      ok(await call('POST', `/switch/${sw}/port/ge-0/0/1/detach_nic`));
      ok(await call('POST', `/switch/${sw}/port/ge-0/0/2/detach_nic`));
    });
  }

  it('an agent that does not answer: 502', async () => {
    const agent = await startQBridgeAgent({ ports: PORTS, vlans: [DUMMY], pvid: DUMMY });
    ok(await call('PUT', '/switch/snmp-gone', { type: 'snmp', hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: DUMMY }));
    agent.stop();
    fails(await call('GET', '/switch/snmp-gone/learn'), 502, 'SwitchError', /no answer from the SNMP agent/);
  });
});
