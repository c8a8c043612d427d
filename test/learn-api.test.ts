// haas switch learn through the API and the CLI on the built executable, with
// mock switches whose forwarding table is a file the test writes: matching
// (normalized MACs), --apply (ports registered, nics cabled, audited), every
// kind of conflict, a table of thousands of entries, an unreachable switch,
// bad input, and the discovery VLAN (ports put back afterwards).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, runHaas, NO_DRIFT_CHECKS, type Daemon } from './lib/daemon.js';
import { caller, label, ok, fails, MOCK_SWITCH_FIELDS } from './lib/fixtures.js';

describe('switch learn (mock switches)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let dir: string;
  const call = caller(() => d);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'haas-test-learn-'));
    d = await startDaemon({ config: `${NO_DRIFT_CHECKS}[network]\nvlan_pool = 100-200\n` });
  });
  after(async () => { await d.cleanup(); rmSync(dir, { recursive: true, force: true }); });

  /** A mock switch whose MAC table is `lines` (`MAC VLAN PORT`); returns its label and a setter for the table. */
  async function mockSwitch(lines: string[], hostname = 'sw.example') {
    const sw = label('sw');
    const file = join(dir, `${sw}.fdb`);
    writeFileSync(file, lines.join('\n') + '\n');
    ok(await call('PUT', `/switch/${sw}`, { type: 'mock', ...MOCK_SWITCH_FIELDS, hostname, mac_table: file }));
    return { sw, set: (l: string[]) => writeFileSync(file, l.join('\n') + '\n') };
  }
  async function node(macs: string[]): Promise<string> {
    const n = label('node');
    ok(await call('PUT', `/node/${n}`, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'p' } }));
    for (const [i, mac] of macs.entries()) ok(await call('PUT', `/node/${n}/nic/eth${i}`, { macaddr: mac }));
    return n;
  }
  type Learned = { node: string; nic: string; macaddr: string; status: string; port?: string; register_port?: boolean; reason?: string };
  const nicOf = (r: { json: { nics: Learned[] } }, n: string): Learned[] => r.json.nics.filter((x) => x.node === n);
  /** The one entry of node `n` in a learn report. */
  const one = (report: { nics: Learned[] }, n: string): Learned => {
    const found = report.nics.filter((x) => x.node === n);
    assert.equal(found.length, 1, `${n} in ${JSON.stringify(report.nics)}`);
    return found[0]!;
  };

  it('finds each nic\'s port whatever the MAC notation, and --apply registers the ports and cables the nics', async () => {
    const a = await node(['52:54:00:aa:00:01']);
    const b = await node(['52-54-00-AA-00-02']);
    const c = await node(['5254.00aa.0003']);
    const { sw } = await mockSwitch(['5254.00aa.0001 300 gi1/0/1', '52:54:00:AA:00:02 300 gi1/0/2', '52-54-00-aa-00-03 - gi1/0/3']);
    ok(await call('PUT', `/switch/${sw}/port/gi1/0/1`));
    const plan = ok(await call('GET', `/switch/${sw}/learn`)).json;
    assert.equal(plan.entries, 3);
    assert.equal(plan.applied, false);
    assert.deepEqual(nicOf({ json: plan }, a), [{ node: a, nic: 'eth0', macaddr: '52:54:00:aa:00:01', status: 'connect', port: 'gi1/0/1', register_port: false }]);
    assert.deepEqual(nicOf({ json: plan }, b), [{ node: b, nic: 'eth0', macaddr: '52-54-00-AA-00-02', status: 'connect', port: 'gi1/0/2', register_port: true }]);
    assert.equal(one(plan, c).port, 'gi1/0/3');
    // The plan changed nothing.
    assert.deepEqual(ok(await call('GET', `/switch/${sw}`)).json.ports.map((p: { label: string }) => p.label), ['gi1/0/1']);

    const applied = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
    assert.equal(applied.applied, true);
    for (const n of [a, b, c]) assert.equal(one(applied, n).status, 'connected');
    const ports = ok(await call('GET', `/switch/${sw}`)).json.ports.map((p: { label: string }) => p.label).sort();
    assert.deepEqual(ports, ['gi1/0/1', 'gi1/0/2', 'gi1/0/3']);
    assert.deepEqual(ok(await call('GET', `/switch/${sw}/port/gi1/0/2`)).json, { node: b, nic: 'eth0', networks: {} });
    // Again: everything is in place, nothing changes.
    const again = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
    for (const n of [a, b, c]) assert.equal(one(again, n).status, 'in_place');
    // Audited: the call, each port registered and each nic cabled, in the learning admin's name.
    const audit = ok(await call('GET', `/audit?operation=port_connect_nic&node=${b}`)).json;
    assert.equal(audit.entries.length, 1);
    assert.equal(audit.entries[0].detail.port, 'gi1/0/2');
    assert.equal(audit.entries[0].detail.via, 'switch_learn');
    const learnEntries = ok(await call('GET', '/audit?operation=switch_learn')).json.entries;
    assert.ok(learnEntries.some((e: { detail: { switch: string; connected?: number } }) => e.detail.switch === sw && e.detail.connected === 3));
    const regs = ok(await call('GET', '/audit?operation=switch_register_port')).json.entries
      .filter((e: { detail: { switch?: string; via?: string } }) => e.detail.switch === sw && e.detail.via === 'switch_learn');
    assert.deepEqual(regs.map((e: { detail: { port: string } }) => e.detail.port).sort(), ['gi1/0/2', 'gi1/0/3']);
  });

  it('reports conflicts and never resolves them', async () => {
    const twoPorts = await node(['52:54:00:bb:00:01']);
    const onUplink = await node(['52:54:00:bb:00:02']);
    const taken = await node(['52:54:00:bb:00:03']);
    const elsewhere = await node(['52:54:00:bb:00:04']);
    const dupA = await node(['52:54:00:bb:00:05']);
    const dupB = await node(['52:54:00:BB:00:05']);
    const busyPort = await node(['52:54:00:bb:00:06']);
    const sharedA = await node(['52:54:00:bb:00:07']);
    const sharedB = await node(['52:54:00:bb:00:08']);
    const uplink = Array.from({ length: 20 }, (_, i) => `02:00:00:00:01:${i.toString(16).padStart(2, '0')} 300 gi1/0/48`);
    const { sw } = await mockSwitch([
      '52:54:00:bb:00:01 300 gi1/0/1', '52:54:00:bb:00:01 300 gi1/0/2',
      '52:54:00:bb:00:02 300 gi1/0/48', ...uplink,
      '52:54:00:bb:00:03 300 gi1/0/3',
      '52:54:00:bb:00:04 300 gi1/0/4',
      '52:54:00:bb:00:05 300 gi1/0/5',
      '52:54:00:bb:00:06 300 gi1/0/6',
      '52:54:00:bb:00:07 300 gi1/0/7', '52:54:00:bb:00:08 300 gi1/0/7',
      '52:54:00:bb:00:09 300 Po1',
    ]);
    // gi1/0/3 already has another nic; `elsewhere` is cabled to another switch.
    ok(await call('PUT', `/switch/${sw}/port/gi1/0/3`));
    ok(await call('POST', `/switch/${sw}/port/gi1/0/3/connect_nic`, { node: busyPort, nic: 'eth0' }));
    const { sw: other } = await mockSwitch([]);
    ok(await call('PUT', `/switch/${other}/port/gi1/0/9`));
    ok(await call('POST', `/switch/${other}/port/gi1/0/9/connect_nic`, { node: elsewhere, nic: 'eth0' }));

    const r = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
    const reason = (n: string) => { const x = one(r, n); assert.equal(x.status, 'conflict', `${n}: ${JSON.stringify(x)}`); return x.reason ?? ''; };
    assert.match(reason(twoPorts), /seen on several ports: gi1\/0\/1, gi1\/0\/2/);
    assert.match(reason(taken), new RegExp(`port gi1/0/3 is already connected to ${busyPort}/eth0`));
    assert.match(reason(elsewhere), new RegExp(`already connected to port gi1/0/9 of switch ${other}`));
    assert.match(reason(dupA), new RegExp(`also registered for ${dupB}/eth0`));
    assert.match(reason(dupB), new RegExp(`also registered for ${dupA}/eth0`));
    assert.match(reason(sharedA), new RegExp(`port gi1/0/7 also carries the MAC addresses of ${sharedB}/eth0`));
    // The uplink's sightings are left out: the nic is not seen; the uplink and the port-channel are listed.
    assert.equal(one(r, onUplink).status, 'not_seen');
    assert.match(r.not_node_ports['gi1/0/48'], /carries 21 MAC addresses \(more than 8\): an uplink or a trunk/);
    assert.match(r.not_node_ports.Po1, /not a port name of a mock switch/);
    // A nic cabled to the seen port is in place, even beside conflicts.
    assert.equal(one(r, busyPort).status, 'conflict'); // its MAC is on gi1/0/6, not gi1/0/3
    // Nothing was changed: no port registered but the one the test made.
    assert.deepEqual(ok(await call('GET', `/switch/${sw}`)).json.ports.map((p: { label: string }) => p.label), ['gi1/0/3']);
    // A higher threshold makes the uplink a node port.
    const high = ok(await call('GET', `/switch/${sw}/learn?uplink_macs=50`)).json;
    assert.equal(high.not_node_ports['gi1/0/48'], undefined);
    assert.equal(one(high, onUplink).status, 'connect');
  });

  it('reads a table of thousands of entries', async () => {
    const nodes: string[] = [];
    for (let i = 0; i < 48; i++) nodes.push(await node([`52:54:00:cc:00:${i.toString(16).padStart(2, '0')}`]));
    const lines = nodes.map((_, i) => `52:54:00:cc:00:${i.toString(16).padStart(2, '0')} 300 gi1/0/${i + 1}`);
    for (let i = 0; i < 5000; i++) lines.push(`02:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01 ${300 + (i % 50)} te1/0/1`);
    const { sw } = await mockSwitch(lines);
    const r = ok(await call('POST', `/switch/${sw}/learn`, { apply: true })).json;
    assert.equal(r.entries, 5048);
    assert.equal(r.nics.filter((n: { status: string }) => n.status === 'connected').length, 48);
    assert.match(r.not_node_ports['te1/0/1'], /carries 5000 MAC addresses/);
  });

  it('answers 502 for an unreachable switch or an unreadable table, 404 for an unknown switch, 400 for bad options', async () => {
    const { sw } = await mockSwitch([], 'gone.invalid');
    fails(await call('GET', `/switch/${sw}/learn`), 502, 'SwitchError', /unreachable/);
    const { sw: bad, set } = await mockSwitch([]);
    set(['this is not a table']);
    fails(await call('GET', `/switch/${bad}/learn`), 502, 'SwitchError', /line 1 is not "MAC VLAN PORT"/);
    fails(await call('GET', '/switch/nope/learn'), 404, 'NotFoundError');
    set([]);
    fails(await call('GET', `/switch/${bad}/learn?uplink_macs=many`), 400, 'BadArgumentError', /uplink_macs/);
    fails(await call('GET', `/switch/${bad}/learn?what=1`), 400, 'ValidationError');
    fails(await call('POST', `/switch/${bad}/learn`, { apply: 'yes' }), 400, 'BadArgumentError', /apply/);
    fails(await call('POST', `/switch/${bad}/learn`, { discovery_vlan: 150 }), 400, 'BadArgumentError', /in the VLAN pool/);
    fails(await call('POST', `/switch/${bad}/learn`, { discovery_vlan: 3999, wait: 600 }), 400, 'BadArgumentError', /wait/);
    fails(await call('POST', `/switch/${bad}/learn`, { wait: 5 }), 400, 'BadArgumentError', /only apply with "discovery_vlan"/);
    fails(await call('POST', `/switch/${bad}/learn`, { discovery_vlan: 3999, ports: ['Ethernet1/1'] }), 400, 'BadArgumentError', /Invalid port name/);
    ok(await call('PUT', '/network/disc-net', { owner: 'admin', access: '', net_id: '3000' }));
    fails(await call('POST', `/switch/${bad}/learn`, { discovery_vlan: 3000 }), 400, 'BadArgumentError', /a network's VLAN/);
  });

  it('puts the free and named ports on a discovery VLAN while reading, and puts them back', async () => {
    const n = await node(['52:54:00:dd:00:01']);
    const { sw } = await mockSwitch(['52:54:00:dd:00:01 3999 gi1/0/2']);
    ok(await call('PUT', `/switch/${sw}/port/gi1/0/1`));
    const r = ok(await call('POST', `/switch/${sw}/learn`, { discovery_vlan: 3999, wait: 0, ports: ['gi1/0/2'], apply: true })).json;
    assert.deepEqual(r.discovery, { vlan: 3999, ports: ['gi1/0/1', 'gi1/0/2'] });
    assert.equal(one(r, n).status, 'connected');
    // Back as before: the registered ports carry nothing (verify sees no drift).
    const v = ok(await call('GET', `/switch/${sw}/verify`)).json;
    assert.deepEqual(v.drift, []);
    assert.deepEqual(v.ports['gi1/0/1'].actual, { native: null, tagged: [] });
  });

  it('works from the CLI: the plan, --apply, and exit 1 on conflicts', async () => {
    const n = await node(['52:54:00:ee:00:01']);
    const m = await node(['52:54:00:ee:00:02']);
    const { sw, set } = await mockSwitch(['5254.00ee.0001 300 gi1/0/1']);
    const ep = ['--endpoint', `unix:${d.socket}`];
    const plan = runHaas(['switch', 'learn', sw, ...ep]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`${n}\\s+eth0\\s+52:54:00:ee:00:01\\s+gi1/0/1\\s+connect \\(register the port\\)`));
    assert.match(plan.stdout, /1 nic\(s\) to connect: run again with --apply/);
    const applied = runHaas(['switch', 'learn', sw, '--apply', ...ep]);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`${n}\\s+eth0\\s+52:54:00:ee:00:01\\s+gi1/0/1\\s+connected`));
    set(['5254.00ee.0002 300 gi1/0/1']);
    const conflict = runHaas(['switch', 'learn', sw, '--json', ...ep]);
    assert.equal(conflict.code, 1);
    const json = JSON.parse(conflict.stdout);
    assert.match(one(json, m).reason ?? '', /port gi1\/0\/1 is already connected to/);
    const usage = runHaas(['switch', 'learn', sw, '--wait', '5', ...ep]);
    assert.notEqual(usage.code, 0);
    assert.match(usage.stdout + usage.stderr, /only apply with --discovery-vlan/);
    const help = runHaas(['switch', 'learn', '--help']);
    assert.match(help.stdout, /discovery-vlan/);
  });
});
