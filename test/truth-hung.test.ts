// A switch that hangs (TCP accepted, never a word; or an SNMP agent that
// never answers) holds its queued actions up for one call's timeout, not
// one per batch: the actions queued while the first attempt hangs end with
// that attempt's failure, and the switch is tried once. Also the settings:
// `[timeouts] switch_call` / `switch_batch`, and `[drivers] switch_timeout`
// as the old name of switch_batch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runHaas, startDaemon, waitAction, NO_DRIFT_CHECKS } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

/** A TCP listener that accepts and never speaks (python3, as LAB.md says); counts the connections it accepted. */
async function startHungListener(): Promise<{ port: number; accepted(): number; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn('python3', ['-u', '-c', `
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${port})); s.listen(50)
print("listening"); held = []
while True:
    c, _ = s.accept(); held.append(c); print("accepted")
`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  const deadline = Date.now() + 10_000;
  while (!out.includes('listening')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the hung listener did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, accepted: () => out.split('\n').filter((l) => l === 'accepted').length, stop: () => { child.kill('SIGKILL'); } };
}

describe('a hung switch holds its queued actions for one timeout', () => {
  let d: TestDaemon;
  let tcp: Awaited<ReturnType<typeof startHungListener>>;
  let udp: Socket;
  let datagrams = 0;
  const call = caller(() => d);
  const connect = async (node: string) =>
    ok(await call('POST', `/node/${node}/nic/eth0/connect_network`, { network: 'net' }), 202).json.status_id as string;
  const message = async (id: string) => ok(await call('GET', `/networking_action/${id}/details`)).json.message as string;
  async function until(what: string, cond: () => boolean) {
    const deadline = Date.now() + 10_000;
    while (!cond()) {
      assert.ok(Date.now() < deadline, `${what} did not happen`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async function nodesOn(sw: string, names: string[], port: (i: number) => string) {
    for (const [i, n] of names.entries()) {
      ok(await call('PUT', `/switch/${sw}/port/${encodeURIComponent(port(i))}`));
      ok(await call('PUT', `/node/${n}`, { obm: { type: 'mock', host: `${n}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${n}/nic/eth0`, { macaddr: `${n}-mac` }));
      ok(await call('POST', `/switch/${sw}/port/${encodeURIComponent(port(i))}/connect_nic`, { node: n, nic: 'eth0' }));
      ok(await call('POST', '/project/p/connect_node', { node: n }));
    }
  }

  before(async () => {
    tcp = await startHungListener();
    udp = createSocket('udp4');
    udp.on('message', () => { datagrams += 1; });
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    // No drift checks: they would add their own attempts to the hung switches whose attempts are counted here.
    d = await startDaemon({ config: `[timeouts]\nswitch_call = 3\nswitch_batch = 30\n${NO_DRIFT_CHECKS}` });
    ok(await call('PUT', '/project/p'));
    ok(await call('PUT', '/network/net', { owner: 'admin', access: '', net_id: '310' }));
    ok(await call('PUT', '/switch/hung-ssh', { type: 'ovs', ovs_bridge: 'br0', hostname: '127.0.0.1', port: tcp.port, username: 'u', password: 'p' }));
    await nodesOn('hung-ssh', ['s1', 's2', 's3', 's4'], (i) => `p${i + 1}`);
    ok(await call('PUT', '/switch/hung-snmp', {
      type: 'snmp', hostname: '127.0.0.1', port: udp.address().port, community: 'c', dummy_vlan: 4000, port_map: 'q1=1,q2=2,q3=3,q4=4',
    }));
    await nodesOn('hung-snmp', ['n1', 'n2', 'n3', 'n4'], (i) => `q${i + 1}`);
  });
  after(async () => {
    await d?.cleanup();
    tcp?.stop();
    udp?.close();
  });

  it('SSH: four actions queued while the switch hangs end ERROR from one attempt (one connection)', async () => {
    const first = await connect('s1');
    await until('the first connection', () => tcp.accepted() === 1);
    const rest = [await connect('s2'), await connect('s3'), await connect('s4')];
    const results = await Promise.all([first, ...rest].map((id) => waitAction(d, id)));
    assert.deepEqual(results.map((a) => a.status), ['ERROR', 'ERROR', 'ERROR', 'ERROR']);
    assert.match(await message(first), /no answer within 3 s/);
    for (const id of rest) assert.match(await message(id), /no answer within 3 s .*not sent: the switch could not be reached while this action was queued/);
    assert.equal(tcp.accepted(), 1, 'the hung switch was connected to once');
  });

  it('SNMP: the same, within one call (one request and its retry)', async () => {
    const first = await connect('n1');
    await until('the first request', () => datagrams >= 1);
    const rest = [await connect('n2'), await connect('n3'), await connect('n4')];
    const results = await Promise.all([first, ...rest].map((id) => waitAction(d, id)));
    assert.deepEqual(results.map((a) => a.status), ['ERROR', 'ERROR', 'ERROR', 'ERROR']);
    assert.match(await message(first), /no answer from the SNMP agent .* within 3 s/);
    for (const id of rest) assert.match(await message(id), /not sent: the switch could not be reached while this action was queued/);
    assert.equal(datagrams, 2, 'one request and its one retry: the agent was tried once');
  });
});

describe('[timeouts] switch_call and switch_batch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'haas-timeouts-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const check = (text: string) => {
    const path = join(dir, 'haas.conf');
    writeFileSync(path, text, { mode: 0o600 });
    return { path, ...runHaas(['serve', '--check-config', '--config', path]) };
  };

  it('shows both, with their defaults, and takes switch_timeout as switch_batch', () => {
    assert.match(check('').stdout, /\[timeouts\]\nswitch_call = 10\nswitch_batch = 60\n/);
    assert.match(check('[timeouts]\nswitch_call = 4\nswitch_batch = 30\n').stdout, /switch_call = 4\nswitch_batch = 30\n/);
    assert.match(check('[drivers]\nswitch_timeout = 30\n').stdout, /switch_call = 10\nswitch_batch = 30\n/);
    // An old switch_timeout below 10 s bounded every call too: it still does.
    assert.match(check('[drivers]\nswitch_timeout = 5\n').stdout, /switch_call = 5\nswitch_batch = 5\n/);
  });

  it('refuses nonsense at its line', () => {
    for (const [text, line, problem] of [
      ['[timeouts]\nswitch_call = 0\n', 2, /switch_call: at least 1/],
      ['[timeouts]\nswitch_call = 20\nswitch_batch = 10\n', 2, /switch_call \(20 s\) must not exceed switch_batch \(10 s\)/],
      ['[drivers]\nswitch_timeout = 30\n[timeouts]\nswitch_batch = 30\n', 2, /old name of \[timeouts\] switch_batch/],
      ['[timeouts]\nswitch_batch = soon\n', 2, /switch_batch: expected a non-negative integer/],
    ] as const) {
      const r = check(text);
      assert.equal(r.code, 2, text);
      assert.ok(r.stderr.startsWith(`${r.path}:${line}: `), `${text}: ${r.stderr}`);
      assert.match(r.stderr, problem);
    }
  });
});
