// A device call cut off after it was sent is read back, never guessed
// (SPEC section 4): OVS over a real sshd whose session is killed right after
// (or right before) it applies a change, a read-back that cannot reach the
// switch (the action stays PENDING, the nic and its node stay blocked), a
// session that hangs after applying (the call's timeout, then read back),
// and local ovs-vsctl killed after committing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, waitAction } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, onCleanup } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';
import { startSshd, type LabSshd } from './lab/sshd.js';

const skip = labUnavailable();
type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

describe('uncertain outcomes on OVS are read back', { skip: skip ?? false }, () => {
  let lab: OvsLab;
  let sshd: LabSshd;
  let d: TestDaemon;
  let first: TestDaemon;
  let wrapDir: string;
  const nodes: Record<string, LabNode> = {};

  const call = caller(() => d);
  const connect = async (node: string, network: string) =>
    ok(await call('POST', `/node/${node}/nic/eth0/connect_network`, { network }), 202).json.status_id as string;
  const details = async (id: string) => ok(await call('GET', `/networking_action/${id}/details`)).json;
  const networksOf = async (node: string) => ok(await call('GET', `/node/${node}`)).json.nics[0].networks;
  const readBackFailures = () => d.stderr.split('reading the port back failed').length - 1;
  async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000) {
    const deadline = Date.now() + ms;
    while (!(await cond())) {
      assert.ok(Date.now() < deadline, `${what} did not happen`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const daemonOptions = () => ({
    env: { OVS_RUNDIR: lab.rundir, PATH: `${wrapDir}:${process.env.PATH}` },
    config: '[timeouts]\nswitch_call = 3\nswitch_batch = 20\n',
  });

  before(async () => {
    lab = await startOvsLab();
    for (const [i, n] of ['a', 'b', 'c', 'd', 'e', 'f'].entries()) nodes[n] = lab.addNode(n, i + 1);
    sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    // Local ovs-vsctl through a wrapper that, while `cut-local` exists, commits a write and then dies by SIGKILL.
    wrapDir = mkdtempSync(join(tmpdir(), 'haas-truth-'));
    onCleanup(() => rmSync(wrapDir, { recursive: true, force: true }));
    writeFileSync(join(wrapDir, 'ovs-vsctl'), `#!/bin/sh
case " $* " in *" set "*) if [ -e '${join(wrapDir, 'cut-local')}' ]; then /usr/bin/ovs-vsctl "$@" >/dev/null 2>&1; kill -9 $$; fi ;; esac
exec /usr/bin/ovs-vsctl "$@"
`);
    chmodSync(join(wrapDir, 'ovs-vsctl'), 0o755);
    first = d = await startDaemon(daemonOptions());
    ok(await call('PUT', '/switch/ovs1', {
      type: 'ovs', ovs_bridge: lab.bridge, hostname: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password,
    }));
    ok(await call('PUT', '/switch/local', { type: 'ovs', ovs_bridge: lab.bridge }));
    ok(await call('PUT', '/project/p'));
    ok(await call('PUT', '/project/q'));
    ok(await call('PUT', '/network/red', { owner: 'admin', access: '', net_id: '310' }));
    for (const n of Object.keys(nodes)) {
      const sw = n === 'f' ? 'local' : 'ovs1';
      ok(await call('PUT', `/switch/${sw}/port/${nodes[n]!.port}`));
      ok(await call('PUT', `/node/${n}`, { obm: { type: 'mock', host: `${n}-bmc`, user: 'u', password: 'p' } }));
      ok(await call('PUT', `/node/${n}/nic/eth0`, { macaddr: `${n}-mac` }));
      ok(await call('POST', `/switch/${sw}/port/${nodes[n]!.port}/connect_nic`, { node: n, nic: 'eth0' }));
      ok(await call('POST', '/project/p/connect_node', { node: n }));
    }
  });
  after(async () => {
    sshd?.cut(null);
    if (d !== first) await d?.cleanup();
    await first?.cleanup();
    sshd?.stop();
    lab?.stop();
  });

  it('a session cut right after the switch applied the change: DONE, and the attachment is there', async () => {
    sshd.cut('after');
    try {
      const a = await waitAction(d, await connect('a', 'red'));
      assert.equal(a.status, 'DONE');
    } finally { sshd.cut(null); }
    assert.deepEqual(await networksOf('a'), { 'vlan/native': 'red' });
    assert.equal(lab.portConfig(nodes.a!.port).tag, 310, 'the switch carries it');
    assert.match(d.stderr, /outcome unknown .*reading the port back/);
  });

  it('a session cut right before the switch applied it: ERROR (not applied), no attachment', async () => {
    sshd.cut('before');
    let id: string;
    try {
      id = await connect('b', 'red');
      assert.equal((await waitAction(d, id)).status, 'ERROR');
    } finally { sshd.cut(null); }
    assert.match((await details(id)).message, /read back on a new session: the switch does not carry the change/);
    assert.deepEqual(await networksOf('b'), {});
    assert.deepEqual(lab.portConfig(nodes.b!.port), { tag: null, trunks: [4095], vlan_mode: 'trunk', protected: true });
  });

  it('while the read-back cannot reach the switch the action stays PENDING, the nic and node are blocked; then the truth', async () => {
    sshd.cut('after-down');
    const id = await connect('c', 'red');
    try {
      await until('the switch applying the change', () => lab.portConfig(nodes.c!.port).tag === 310);
      await until('a failed read-back', () => readBackFailures() > 0);
    } finally { sshd.cut(null); }
    assert.equal(ok(await call('GET', `/networking_action/${id}`)).json.status, 'PENDING');
    const again = await call('POST', '/node/c/nic/eth0/connect_network', { network: 'red' });
    assert.deepEqual([again.status, again.json], [409, { type: 'BlockedError', msg: 'A networking operation is already active on the nic.' }]);
    const leave = await call('POST', '/project/p/detach_node', { node: 'c' });
    assert.equal(leave.status, 409, leave.text);
    assert.equal(leave.json.type, 'BlockedError');
    assert.equal(ok(await call('GET', '/node/c')).json.project, 'p', 'the node stays in its project');
    sshd.stop();
    await sshd.start();
    assert.equal((await waitAction(d, id, null, 40_000)).status, 'DONE');
    assert.deepEqual(await networksOf('c'), { 'vlan/native': 'red' });
  });

  it('a session that hangs after applying: the call times out, the port is read back: DONE', async () => {
    sshd.cut('hang-after');
    let id: string;
    try {
      id = await connect('d', 'red');
      await until('the switch applying the change', () => lab.portConfig(nodes.d!.port).tag === 310);
      assert.equal((await waitAction(d, id, null, 20_000)).status, 'DONE');
    } finally { sshd.cut(null); }
    assert.match(d.stderr, /did not finish within 3 s/);
    assert.deepEqual(await networksOf('d'), { 'vlan/native': 'red' });
  });

  it('local ovs-vsctl killed after committing: DONE', async () => {
    writeFileSync(join(wrapDir, 'cut-local'), '');
    try {
      const a = await waitAction(d, await connect('f', 'red'));
      assert.equal(a.status, 'DONE');
    } finally { rmSync(join(wrapDir, 'cut-local'), { force: true }); }
    assert.deepEqual(await networksOf('f'), { 'vlan/native': 'red' });
    assert.equal(lab.portConfig(nodes.f!.port).tag, 310);
    assert.match(d.stderr, /killed by SIGKILL|died before it answered/);
  });

  it('an action left PENDING by a crash, its switch still down at restart: still PENDING (never ERROR), then the truth', async () => {
    sshd.cut('after-down');
    const failuresBefore = readBackFailures();
    const id = await connect('e', 'red');
    try {
      await until('the switch applying the change', () => lab.portConfig(nodes.e!.port).tag === 310);
      await until('a failed read-back', () => readBackFailures() > failuresBefore);
    } finally { sshd.cut(null); }
    await d.kill();
    d = await startDaemon({ ...daemonOptions(), dir: first.dir });
    // The restarted daemon tries it again, cannot reach the switch, and must not call that "not applied".
    await until('a failed attempt after the restart', () => readBackFailures() > 0);
    assert.equal(ok(await call('GET', `/networking_action/${id}`)).json.status, 'PENDING');
    sshd.stop();
    await sshd.start();
    assert.equal((await waitAction(d, id, null, 40_000)).status, 'DONE');
    assert.deepEqual(await networksOf('e'), { 'vlan/native': 'red' });
  });
});
