// Headnodes end to end with real QEMU (TCG): the tiny Debian guest boots on
// its project's networks (an OVS lab with node namespaces), reports its
// addresses and pings on its serial console, obeys HIL's freeze rules, stops,
// restarts, survives a daemon crash (adopted, not duplicated) and leaves
// nothing behind when deleted, or when OVS cannot attach its tap.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { haasCommand, runHaas, startDaemon, type ApiResponse } from './lib/daemon.js';
import { caller, ok } from './lib/fixtures.js';
import { labUnavailable, killAll, onCleanup, pings, run } from './lab/netns.js';
import { startOvsLab, type LabNode, type OvsLab } from './lab/ovs.js';
import { installImage, PING_MARKER, READY_MARKER, tinyGuest, type TinyGuest } from './lab/guest.js';

const guest = labUnavailable() ?? tinyGuest();
const skip = typeof guest === 'string' ? `headnode lab unavailable: ${guest}` : false;

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

/** Pids of the QEMUs whose command line mentions `text` (a run directory). */
function qemusOf(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(text) && !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

describe('headnodes (real QEMU, OVS lab)', { skip }, () => {
  const g = guest as TinyGuest;
  let root: string;
  let lab: OvsLab;
  let d: TestDaemon;
  let config: string;
  const nodes: Record<string, LabNode> = {};
  let subnet = '';
  let guestRed = '', guestBlue = '';
  const vlan: Record<string, number> = {};

  const call = caller(() => d);
  const refused = (r: ApiResponse, status: number, type: string) => {
    assert.equal(r.status, status, `${r.status}: ${r.text}`);
    assert.equal(r.json?.type, type, r.text);
  };
  const runDir = () => join(root, 'run');
  const show = async (h: string) => ok(await call('GET', `/headnode/${h}`)).json;

  /** Read the headnode's console until `pattern` shows up `times` times (it starts with earlier boots' output). */
  function waitConsole(h: string, pattern: RegExp, timeoutMs = 60_000, times = 1): Promise<string> {
    const found = (text: string) => (text.match(new RegExp(pattern.source, 'g')) ?? []).length >= times;
    return new Promise((resolve, reject) => {
      let text = '';
      const req = httpRequest({ socketPath: d.socket, path: `/v0/headnode/${h}/console` }, (res) => {
        if (res.statusCode !== 200) { reject(new Error(`console: HTTP ${res.statusCode}`)); res.resume(); return; }
        res.setEncoding('utf8');
        res.on('data', (c: string) => { text += c; if (found(text)) { clearTimeout(timer); req.destroy(); resolve(text); } });
        res.on('end', () => { clearTimeout(timer); reject(new Error(`console ended before ${pattern}: ${text.slice(-2000)}`)); });
      });
      const timer = setTimeout(() => { req.destroy(); reject(new Error(`no ${pattern} on the console within ${timeoutMs / 1000} s: ${text.slice(-2000)}`)); }, timeoutMs);
      req.on('error', () => { /* destroyed */ });
      req.end();
    });
  }

  /** Put a lab node's switch port on a VLAN (the nodes' side is not what this test is about). */
  function portOnVlan(n: LabNode, v: number) {
    lab.vsctl('clear', 'port', n.port, 'trunks', '--', 'set', 'port', n.port, `tag=${v}`, 'vlan_mode=access', 'protected=false');
  }

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'haas-hn-'));
    onCleanup(() => { killAll(qemusOf(root)); rmSync(root, { recursive: true, force: true }); });
    lab = await startOvsLab();
    for (const [i, n] of ['red', 'blue', 'other'].entries()) nodes[n] = lab.addNode(n.slice(0, 3), i + 1);
    subnet = nodes.red!.ip.split('.').slice(0, 3).join('.');
    const second = subnet.replace(/^10\.231\./, '10.232.');
    run('ip', ['-n', nodes.blue!.ns, 'addr', 'add', `${second}.2/24`, 'dev', 'eth0']);
    guestRed = `${subnet}.100`;
    guestBlue = `${second}.100`;
    // The guest pings: red's node (same network), blue's node on blue's subnet (its other network),
    // "other" (same subnet, another project's network) and blue's node on red's subnet (wrong network).
    installImage(join(root, 'images'), 'tiny', g, {
      net: [`eth0:${guestRed}/24`, `eth1:${guestBlue}/24`],
      ping: [nodes.red!.ip, `${second}.2`, nodes.other!.ip, nodes.blue!.ip],
    });
    installImage(join(root, 'images'), 'also-tiny', g);
    config = [
      '[network]', 'vlan_pool = 3100-3199',
      '[headnode]', `image_dir = ${join(root, 'images')}`, `run_dir = ${runDir()}`, 'kvm = auto', 'max_per_project = 3',
      'backend = ovs', `ovs_bridge = ${lab.bridge}`, `ovs_db = unix:${join(lab.rundir, 'db.sock')}`, `bridge_netns = ${lab.switchNs}`,
    ].join('\n');
    mkdirState();
    d = await startDaemon({ dir: join(root, 'state'), config });
    for (const p of ['proj', 'rival']) ok(await call('PUT', `/project/${p}`));
    ok(await call('PUT', '/network/red', { owner: 'proj', access: 'proj', net_id: '' }));
    ok(await call('PUT', '/network/blue', { owner: 'proj', access: 'proj', net_id: '' }));
    ok(await call('PUT', '/network/other', { owner: 'rival', access: 'rival', net_id: '' }));
    const nets = ok(await call('GET', '/networks')).json;
    for (const n of ['red', 'blue', 'other']) vlan[n] = Number(nets[n].network_id);
    for (const n of ['red', 'blue', 'other']) portOnVlan(nodes[n]!, vlan[n]!);
  });
  function mkdirState() { run('mkdir', ['-p', join(root, 'state')]); }

  after(async () => {
    await d?.cleanup().catch(() => {});
    killAll(qemusOf(root ?? '/nonexistent'));
    lab?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('follows HIL\'s rules before a headnode is started', async () => {
    assert.deepEqual(ok(await call('GET', '/headnode_images/')).json, ['also-tiny', 'tiny']);
    refused(await call('PUT', '/headnode/hn', { project: 'proj', base_img: 'nope' }), 400, 'BadArgumentError');
    refused(await call('PUT', '/headnode/hn', { project: 'ghost', base_img: 'tiny' }), 404, 'NotFoundError');
    ok(await call('PUT', '/headnode/hn', { project: 'proj', base_img: 'tiny' }));
    refused(await call('PUT', '/headnode/hn', { project: 'proj', base_img: 'tiny' }), 409, 'DuplicateError');
    ok(await call('PUT', '/headnode/aa', { project: 'proj', base_img: 'also-tiny' }));
    ok(await call('PUT', '/headnode/zz', { project: 'proj', base_img: 'also-tiny' }));
    refused(await call('PUT', '/headnode/over', { project: 'proj', base_img: 'tiny' }), 409, 'BlockedError');
    assert.deepEqual(ok(await call('GET', '/project/proj/headnodes')).json, ['aa', 'hn', 'zz']);
    for (const h of ['aa', 'zz']) ok(await call('DELETE', `/headnode/${h}`));

    for (const nic of ['eth0', 'eth1', 'spare']) ok(await call('PUT', `/headnode/hn/hnic/${nic}`));
    refused(await call('PUT', '/headnode/hn/hnic/eth0'), 409, 'DuplicateError');
    ok(await call('DELETE', '/headnode/hn/hnic/spare'));
    refused(await call('DELETE', '/headnode/hn/hnic/spare'), 404, 'NotFoundError');
    ok(await call('PUT', '/network/fixed', { owner: 'admin', access: 'proj', net_id: '42' }));
    refused(await call('POST', '/headnode/hn/hnic/eth0/connect_network', { network: 'fixed' }), 400, 'BadArgumentError');
    refused(await call('POST', '/headnode/hn/hnic/eth0/connect_network', { network: 'other' }), 409, 'ProjectMismatchError');
    ok(await call('POST', '/headnode/hn/hnic/eth1/detach_network'));
    ok(await call('POST', '/headnode/hn/hnic/eth0/connect_network', { network: 'blue' }));
    ok(await call('POST', '/headnode/hn/hnic/eth0/connect_network', { network: 'red' })); // replaces blue
    ok(await call('POST', '/headnode/hn/hnic/eth1/connect_network', { network: 'blue' }));
    refused(await call('DELETE', '/network/red'), 409, 'BlockedError');
    refused(await call('DELETE', '/project/proj'), 409, 'BlockedError');
    // An admin network the project may use: revoking its access is blocked while an hnic is on it.
    ok(await call('PUT', '/network/shared', { owner: 'admin', access: 'proj', net_id: '' }));
    ok(await call('PUT', '/headnode/hn2', { project: 'proj', base_img: 'tiny' }));
    ok(await call('PUT', '/headnode/hn2/hnic/n0'));
    ok(await call('POST', '/headnode/hn2/hnic/n0/connect_network', { network: 'shared' }));
    refused(await call('DELETE', '/network/shared/access/proj'), 409, 'BlockedError');
    ok(await call('DELETE', '/headnode/hn2'));
    ok(await call('DELETE', '/network/shared/access/proj'));

    const h = await show('hn');
    assert.deepEqual({ ...h, uuid: typeof h.uuid }, {
      name: 'hn', project: 'proj', hnics: ['eth0', 'eth1'], vncport: null, uuid: 'string', base_img: 'tiny', status: 'created',
    });
    refused(await call('GET', '/headnode/hn/console'), 409, 'IllegalStateError');
  });

  it('boots on its two networks: ready on the serial console, pings only its own networks', async () => {
    const t0 = Date.now();
    ok(await call('POST', '/headnode/hn/start'));
    await waitConsole('hn', new RegExp(READY_MARKER));
    const bootMs = Date.now() - t0;
    const text = await waitConsole('hn', new RegExp(PING_MARKER), 30_000, 4);
    assert.match(text, new RegExp(`${READY_MARKER} eth0=${guestRed}/24 eth1=${guestBlue}/24`));
    const pingOf = (ip: string) => new RegExp(`${PING_MARKER} ${ip.replace(/\./g, '\\.')} (\\w+)`).exec(text)?.[1];
    assert.equal(pingOf(nodes.red!.ip), 'ok', 'same network (red, eth0)');
    assert.equal(pingOf(guestBlue.replace(/\.100$/, '.2')), 'ok', 'its other network (blue, eth1)');
    assert.equal(pingOf(nodes.other!.ip), 'fail', 'another project\'s network');
    assert.equal(pingOf(nodes.blue!.ip), 'fail', 'blue\'s node is not on red');
    assert.equal(pings(nodes.red!.ns, guestRed), true, 'red\'s node reaches the guest');
    assert.equal(pings(nodes.other!.ns, guestRed), false, 'the other project\'s node does not');
    console.log(`# headnode start to ${READY_MARKER} on the console: ${bootMs} ms`);

    const h = await show('hn');
    assert.equal(h.status, 'running');
    assert.equal(typeof h.vncport, 'number');
    const banner = await new Promise<string>((res, rej) => {
      const s = connect(h.vncport, '127.0.0.1');
      s.once('data', (b) => { res(b.toString()); s.destroy(); });
      s.once('error', rej);
    });
    assert.match(banner, /^RFB \d{3}\.\d{3}/, 'VNC answers on the reported port');
    const taps = lab.vsctl('list-ports', lab.bridge).split('\n').filter((p) => p.startsWith('hn'));
    assert.equal(taps.length, 2, taps.join(' '));
    assert.deepEqual(taps.map((t) => lab.portConfig(t).tag).sort(), [vlan.red, vlan.blue].sort());
    assert.equal(qemusOf(runDir()).length, 1);

    ok(await call('POST', '/headnode/hn/start')); // already running: nothing changes
    assert.equal(qemusOf(runDir()).length, 1);
  });

  it('shows status, VNC address and console in the CLI', async () => {
    const env = { HAAS_ENDPOINT: `unix:${d.socket}` };
    const port = (await show('hn')).vncport;
    assert.deepEqual(runHaas(['headnode', 'status', 'hn'], { env }), { code: 0, stdout: 'running\n', stderr: '' });
    assert.deepEqual(runHaas(['headnode', 'vnc', 'hn'], { env }), { code: 0, stdout: `127.0.0.1:${port}\n`, stderr: '' });
    assert.match(runHaas(['headnode', 'show', 'hn'], { env }).stdout, new RegExp(`vnc:\\s+127\\.0\\.0\\.1:${port}`));
    const { cmd, args } = haasCommand();
    const cli = spawn(cmd, [...args, 'headnode', 'console', 'hn'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => { cli.kill(); reject(new Error(`no marker from the CLI console: ${out}`)); }, 20_000);
      cli.stdout.setEncoding('utf8');
      cli.stdout.on('data', (c: string) => { out += c; if (out.includes(READY_MARKER)) { clearTimeout(timer); cli.kill(); resolve(out); } });
    });
    assert.match(seen, new RegExp(`${READY_MARKER} eth0=`));
  });

  /** An interactive session: `GET /v0/headnode/<h>/console` upgraded to a raw stream (haas's extension). */
  function serialSession(h: string): Promise<{ status: number; socket?: import('node:stream').Duplex; text?: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ socketPath: d.socket, path: `/v0/headnode/${h}/console`, headers: { connection: 'Upgrade', upgrade: 'tcp' } });
      req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
      req.on('response', (res) => { let text = ''; res.on('data', (c) => { text += c; }); res.on('end', () => resolve({ status: res.statusCode ?? 0, text })); });
      req.on('error', reject);
      req.end();
    });
  }

  function readUntil(stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out.slice(-500)}`)), timeoutMs);
      stream.on('data', (c: Buffer) => { out += c.toString(); if (pattern.test(out)) { clearTimeout(timer); resolve(out); } });
    });
  }

  it('takes keystrokes on an interactive console: a shell on ttyS0 answers, through the API and the CLI', async () => {
    const s = await serialSession('hn');
    assert.equal(s.status, 101, s.text);
    s.socket!.write('echo hello-$((6*7))\n');
    assert.match(await readUntil(s.socket!, /hello-42/), /hello-42/);
    s.socket!.destroy();

    // The CLI in a terminal (a pty from script(1)): typed lines reach the guest, Ctrl-] leaves.
    const { cmd, args } = haasCommand();
    const line = [cmd, ...args, 'headnode', 'console', 'hn'].map((a) => `'${a}'`).join(' ');
    const cli = spawn('script', ['-qfec', line, '/dev/null'], { env: { ...process.env, HAAS_ENDPOINT: `unix:${d.socket}` }, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    await readUntil(cli.stdout, /Ctrl-\] to leave/);
    cli.stdin.write('echo typed-$((7*6))\r');
    assert.match(await readUntil(cli.stdout, /typed-42/), /typed-42/);
    cli.stdin.write('\x1d');
    assert.equal(await exited, 0);

    ok(await call('PUT', '/headnode/idle', { project: 'proj', base_img: 'tiny' }));
    const idle = await serialSession('idle');
    assert.equal(idle.status, 409, idle.text);
    assert.equal(JSON.parse(idle.text!).type, 'IllegalStateError');
    ok(await call('DELETE', '/headnode/idle'));
    const ghost = await serialSession('ghost');
    assert.equal(ghost.status, 404, ghost.text);
  });

  it('is frozen once started', async () => {
    refused(await call('PUT', '/headnode/hn/hnic/eth2'), 409, 'IllegalStateError');
    refused(await call('DELETE', '/headnode/hn/hnic/eth1'), 409, 'IllegalStateError');
    refused(await call('POST', '/headnode/hn/hnic/eth1/connect_network', { network: 'red' }), 409, 'IllegalStateError');
    refused(await call('POST', '/headnode/hn/hnic/eth1/detach_network'), 409, 'IllegalStateError');
    assert.deepEqual((await show('hn')).hnics, ['eth0', 'eth1']);
  });

  it('stops hard, takes its taps off the bridge, and starts again', async () => {
    ok(await call('POST', '/headnode/hn/stop'));
    assert.deepEqual(qemusOf(runDir()), []);
    const h = await show('hn');
    assert.equal(h.status, 'stopped');
    assert.equal(h.vncport, null);
    assert.deepEqual(lab.vsctl('list-ports', lab.bridge).split('\n').filter((p) => p.startsWith('hn')), []);
    assert.equal(pings(nodes.red!.ns, guestRed), false);
    ok(await call('POST', '/headnode/hn/stop')); // stopping a stopped headnode changes nothing
    ok(await call('POST', '/headnode/hn/start'));
    await waitConsole('hn', new RegExp(READY_MARKER), 60_000, 2); // the first boot's marker, then this one's
    assert.equal(pings(nodes.red!.ns, guestRed), true);
  });

  it('survives a daemon crash: adopted, not duplicated, and still stoppable', async () => {
    const before = qemusOf(runDir());
    assert.equal(before.length, 1);
    await d.kill();
    assert.deepEqual(qemusOf(runDir()), before, 'QEMU outlives the daemon');
    d = await startDaemon({ dir: join(root, 'state'), config });
    const h = await show('hn');
    assert.equal(h.status, 'running');
    assert.equal(typeof h.vncport, 'number');
    ok(await call('POST', '/headnode/hn/start'));
    assert.deepEqual(qemusOf(runDir()), before, 'one QEMU, the same one');
    assert.equal(pings(nodes.red!.ns, guestRed), true);
    ok(await call('POST', '/headnode/hn/stop'));
    assert.deepEqual(qemusOf(runDir()), []);
    assert.equal((await show('hn')).status, 'stopped');
  });

  it('marks a headnode whose QEMU died while the daemon was away', async () => {
    ok(await call('POST', '/headnode/hn/start'));
    await d.kill();
    killAll(qemusOf(runDir()));
    d = await startDaemon({ dir: join(root, 'state'), config });
    const h = await show('hn');
    assert.equal(h.status, 'dead');
    assert.deepEqual(lab.vsctl('list-ports', lab.bridge).split('\n').filter((p) => p.startsWith('hn')), [], 'its taps are off the bridge');
  });

  it('delete removes the VM, its disk, run files, taps and hnics', async () => {
    ok(await call('POST', '/headnode/hn/start'));
    const uuid = (await show('hn')).uuid as string;
    assert.ok(existsSync(join(runDir(), uuid, 'disk.qcow2')));
    ok(await call('DELETE', '/headnode/hn'));
    assert.deepEqual(qemusOf(runDir()), []);
    assert.equal(existsSync(join(runDir(), uuid)), false);
    assert.deepEqual(lab.vsctl('list-ports', lab.bridge).split('\n').filter((p) => p.startsWith('hn')), []);
    assert.deepEqual(run('ip', ['-n', lab.switchNs, '-o', 'link', 'show']).split('\n').filter((l) => / hn[0-9a-f]{8}x/.test(l)), []);
    refused(await call('GET', '/headnode/hn'), 404, 'NotFoundError');
    assert.deepEqual(ok(await call('GET', '/project/proj/headnodes')).json, []);
    ok(await call('DELETE', '/network/red'));
  });

  it('a tap OVS cannot open (ofport -1) fails the start with OVS\'s words and leaves nothing behind', async () => {
    // Without bridge_netns the tap stays in the daemon's namespace, which the lab's
    // ovs-vswitchd (in the switch namespace) cannot see: add-port succeeds, the interface gets
    // ofport -1 and the error "could not open network device ... (No such device)".
    const runDir2 = join(root, 'run-misconfigured');
    const config2 = config.replace(`bridge_netns = ${lab.switchNs}`, '').replace(`run_dir = ${runDir()}`, `run_dir = ${runDir2}`);
    run('mkdir', ['-p', join(root, 'state-misconfigured')]);
    const d2 = await startDaemon({ dir: join(root, 'state-misconfigured'), config: config2 });
    try {
      const call2 = caller(() => d2);
      ok(await call2('PUT', '/project/lost'));
      ok(await call2('PUT', '/network/lostnet', { owner: 'lost', access: 'lost', net_id: '' }));
      ok(await call2('PUT', '/headnode/stray', { project: 'lost', base_img: 'tiny' }));
      ok(await call2('PUT', '/headnode/stray/hnic/eth0'));
      ok(await call2('POST', '/headnode/stray/hnic/eth0/connect_network', { network: 'lostnet' }));
      const uuid = ok(await call2('GET', '/headnode/stray')).json.uuid as string;
      const tap = `hn${uuid.replace(/-/g, '').slice(0, 8)}x0`;

      const r = await call2('POST', '/headnode/stray/start');
      refused(r, 502, 'HeadnodeError');
      assert.equal(r.json.msg, `OVS cannot attach ${tap} to bridge ${lab.bridge}: could not open network device ${tap} (No such device)`);
      const h = ok(await call2('GET', '/headnode/stray')).json;
      assert.equal(h.status, 'created');
      assert.equal(h.vncport, null);
      assert.deepEqual(qemusOf(runDir2), [], 'QEMU stopped');
      assert.deepEqual(lab.vsctl('list-ports', lab.bridge).split('\n').filter((p) => p === tap), [], 'tap off the bridge');
      assert.equal(lab.vsctl('--if-exists', 'get', 'Interface', tap, 'ofport'), '', 'no Interface row left');
      for (const ns of [null, lab.switchNs]) {
        const links = run('ip', [...(ns ? ['-n', ns] : []), '-o', 'link', 'show']);
        assert.doesNotMatch(links, new RegExp(`: ${tap}[:@]`), `tap deleted (${ns ?? 'daemon namespace'})`);
      }
      assert.equal(existsSync(join(runDir2, uuid)), false, 'no run directory, no overlay');
      // Not frozen by a start that never happened: the hnic can still change.
      ok(await call2('POST', '/headnode/stray/hnic/eth0/detach_network'));
      ok(await call2('DELETE', '/headnode/stray'));
    } finally {
      await d2.cleanup();
      killAll(qemusOf(runDir2));
    }
  });
});
