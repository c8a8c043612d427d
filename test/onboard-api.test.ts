// Onboarding through the API and CLI of the built executable, with the mock
// switch (48 ports, no device) and a Q-BRIDGE SNMP agent (test/lab/
// qbridge-agent.ts: IF-MIB ifName/ifOperStatus joined with Q-BRIDGE
// membership): discover, import, the admin's decision, an unreachable switch
// (502, not a 500), and a port manage on a port that was never
// unmanaged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, runHaas, NO_DRIFT_CHECKS } from './lib/daemon.js';
import { caller, fails, MOCK_SWITCH_FIELDS, ok } from './lib/fixtures.js';
import { startQBridgeAgent, type QBridgeAgent } from './lab/qbridge-agent.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const DUMMY = 4001;

describe('onboarding through the API: mock and SNMP switches', () => {
  let d: TestDaemon;
  let agent: QBridgeAgent;
  const call = caller(() => d);
  const cli = (...args: string[]) => runHaas([...args, '--endpoint', `unix:${d.socket}`]);

  before(async () => {
    agent = await startQBridgeAgent({ ports: ['ge-0/0/1', 'ge-0/0/2', 'ge-0/0/3'], vlans: [310, 320, DUMMY], pvid: DUMMY });
    d = await startDaemon({ config: `[timeouts]\nswitch_call = 3\n${NO_DRIFT_CHECKS}` });
  });
  after(async () => {
    await d?.cleanup();
    agent?.stop();
  });

  it('mock: discover lists 48 ports; import registers them in one go; again, nothing new', async () => {
    ok(await call('PUT', '/switch/m1', { type: 'mock', ...MOCK_SWITCH_FIELDS }));
    const r = ok(await call('GET', '/switch/m1/discover')).json;
    assert.equal(r.interfaces.length, 48);
    assert.deepEqual(r.interfaces[4], { name: 'gi1/0/5', valid: true, registered: false, unmanaged: null, link: 'unknown', native: null, tagged: [] });
    const imp = ok(await call('POST', '/switch/m1/import', { ports: 'gi1/0/1?' })).json;
    assert.deepEqual(imp.registered, Array.from({ length: 10 }, (_, i) => `gi1/0/1${i}`));
    assert.deepEqual(imp.left, []);
    const all = ok(await call('POST', '/switch/m1/import', {})).json;
    assert.equal(all.registered.length, 38);
    assert.equal(all.unchanged.length, 10);
    assert.equal(ok(await call('GET', '/switch/m1')).json.ports.length, 48);
    const out = cli('switch', 'import', 'm1');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /no new port to register/);
    assert.deepEqual(ok(await call('POST', '/switch/m1/port/gi1%2F0%2F3/manage')).json, { switch: 'm1', port: 'gi1/0/3', was_unmanaged: false });
    fails(await call('POST', '/switch/m1/port/gi1%2F0%2F99/manage'), 404, 'NotFoundError');
  });

  it('an unreachable switch: 502 SwitchError for discover and import, nothing registered', async () => {
    ok(await call('PUT', '/switch/gone', { type: 'mock', ...MOCK_SWITCH_FIELDS, hostname: 'gone.invalid' }));
    fails(await call('GET', '/switch/gone/discover'), 502, 'SwitchError', /cannot list its interfaces: mock switch gone.invalid is unreachable/);
    fails(await call('POST', '/switch/gone/import', { adopt: true }), 502, 'SwitchError');
    assert.deepEqual(ok(await call('GET', '/switch/gone')).json.ports, []);
    const out = cli('switch', 'discover', 'gone');
    assert.equal(out.code, 1);
    assert.match(out.stderr, /unreachable/);
    fails(await call('GET', '/switch/nope/discover'), 404, 'NotFoundError');
  });

  it('snmp: ifName, ifOperStatus and Q-BRIDGE membership per port; a stopped agent is a 502', async () => {
    agent.setConfig('ge-0/0/1', { pvid: 310, untagged: [310], tagged: [320] });
    agent.setLink('ge-0/0/2', false);
    ok(await call('PUT', '/switch/s1', { type: 'snmp', hostname: agent.host, port: agent.port, community: agent.community, dummy_vlan: DUMMY }));
    const r = ok(await call('GET', '/switch/s1/discover')).json;
    assert.deepEqual(r.interfaces.map((i: { name: string; link: string; native: number | null; tagged: number[] }) => [i.name, i.link, i.native, i.tagged]), [
      ['ge-0/0/1', 'up', 310, [320]],
      ['ge-0/0/2', 'down', null, []],
      ['ge-0/0/3', 'up', null, []],
    ]);
    const imp = ok(await call('POST', '/switch/s1/import', {})).json;
    assert.deepEqual(imp.registered, ['ge-0/0/1', 'ge-0/0/2', 'ge-0/0/3']);
    assert.deepEqual(imp.left.map((l: { port: string }) => l.port), ['ge-0/0/1']);
    assert.deepEqual(agent.config('ge-0/0/1'), { pvid: 310, untagged: [310], tagged: [320] }, 'nothing was SET');
    agent.stop();
    fails(await call('GET', '/switch/s1/discover'), 502, 'SwitchError');
  });
});
