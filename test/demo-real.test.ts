// `haas demo --real`: the lab of real parts (Open vSwitch, node namespaces, ipmi_sim BMCs) that a newcomer
// drives with the commands it prints: two nodes on one network ping each other, a node on another network
// cannot be reached, power goes through ipmi to the simulated BMC, and Ctrl-C leaves nothing behind.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { realDemoRefusal } from '../src/daemon/demo-real.js';
import { installImage, PING_MARKER, READY_MARKER, tinyGuest, type TinyGuest } from './lab/guest.js';
import { haasCommand, repoRoot, runHaas } from './lib/daemon.js';

const skip = realDemoRefusal(false) ?? false;
const guest = realDemoRefusal(true) ?? tinyGuest();
const children: ChildProcess[] = [];
after(() => { for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT'); });

const exited = (c: ChildProcess) => new Promise<number | null>((r) => {
  if (c.exitCode !== null || c.signalCode !== null) r(c.exitCode);
  else c.on('exit', (code) => r(code));
});

/** Start `haas demo ARGS` and resolve with its printed text once the lab is ready. */
function startDemo(args: string[]): Promise<{ child: ChildProcess; text: string }> {
  const { cmd, args: pre } = haasCommand();
  const child = spawn(cmd, [...pre, 'demo', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HAAS_CONFIG: '/nonexistent/haas.conf' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C here')) resolve({ child, text: out });
    });
    child.on('exit', (code) => reject(new Error(`haas demo --real exited (${code}) before it was ready: ${err.slice(-3000)}`)));
  });
}

/** A printed line to try: its environment prefix, its argv, what its comment says, the line without the comment. */
interface Line { env: Record<string, string>; argv: string[]; comment: string; line: string }

/** The lines the demo prints to try (haas, ip netns exec and ovs-vsctl ones), in order. */
function linesIn(text: string): Line[] {
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    const comment = /\s#\s*(.*)$/.exec(raw)?.[1] ?? '';
    const line = raw.replace(/\s+#.*$/, '').trim();
    const m = /^((?:[A-Z_]+=\S+\s+)*)((?:haas|ip netns exec|ovs-vsctl)\s.*)$/.exec(line);
    if (!m) continue;
    const env: Record<string, string> = {};
    for (const a of m[1]!.trim().split(/\s+/).filter(Boolean)) { const [k, v] = a.split('='); env[k!] = v!; }
    out.push({ env, argv: m[2]!.split(/\s+/), comment, line });
  }
  return out;
}

/** The pids whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try { if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text)) out.push(Number(e)); } catch { /* gone */ }
  }
  return out;
}

describe('haas demo --real', { skip }, () => {
  it('builds a real lab; the printed commands put nodes on networks, ping proves isolation, power goes to ipmi_sim; Ctrl-C removes all', async () => {
    const { child, text } = await startDemo(['--real']);
    const dir = /throwaway lab of real parts in (\S+)/.exec(text)![1]!;
    const prefix = /in namespace (\S+)-sw\b/.exec(text)![1]!;
    const member = /export HAAS_CLIENT_CONFIG=(\S+)/.exec(text)![1]!;
    assert.ok(existsSync(join(dir, 'haas.db')));
    assert.match(text, /No headnode: no base image was given/);
    const tryBlock = text.indexOf('Try,');
    const lines = linesIn(text.slice(tryBlock, text.indexOf('\n\n', tryBlock)));
    const pingLines = lines.filter((l) => l.argv[0] === 'ip');
    assert.equal(pingLines.length, 2, text);
    const sameNetwork = pingLines.find((l) => /same network: answers/.test(l.comment))!;
    const otherNetwork = pingLines.find((l) => /another network: no answer/.test(l.comment))!;
    const run = (l: Line) => spawnSync(l.argv[0]!, l.argv.slice(1), { env: { ...process.env, ...l.env }, encoding: 'utf8', timeout: 30_000 });

    // Before haas puts them on a network, every port is isolated.
    assert.notEqual(run(sameNetwork).status, 0, 'node1 reaches node2 before they share a network');

    const env = { HAAS_CLIENT_CONFIG: member, HAAS_ENDPOINT: '', HAAS_USERNAME: '', HAAS_PASSWORD: undefined };
    for (const l of lines) {
      if (l.argv[0] === 'ip') {
        const r = run(l);
        if (l === sameNetwork) assert.equal(r.status, 0, `${l.line}: ${r.stdout}${r.stderr}`);
        else assert.notEqual(r.status, 0, `${l.line} got an answer across networks`);
        continue;
      }
      if (l.argv[0] === 'ovs-vsctl') {
        const r = run(l);
        assert.equal(r.status, 0, `${l.line}: ${r.stderr}`);
        assert.match(r.stdout, /tag: \d+/);
        continue;
      }
      const argv = l.argv.slice(1);
      if (argv[0] === 'node' && argv[1] === 'console') {
        // A console streams until Ctrl-]: read until the BMC's serial port speaks, then leave.
        const { cmd, args } = haasCommand();
        const con = spawn(cmd, [...args, ...argv], { env: { ...process.env, ...env, ...l.env }, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(con);
        const seen = await new Promise<string>((r) => { let t = ''; con.stdout!.on('data', (d) => { t += d; if (/node1-\w+ console line/.test(t)) r(t); }); });
        assert.match(seen, new RegExp(`${prefix}-node1-\\w+ console line`));
        con.kill('SIGINT');
        await exited(con);
        continue;
      }
      const r = runHaas(argv, { env: { ...env, ...l.env } });
      assert.equal(r.code, 0, `${l.line}: ${r.stderr}${r.stdout}`);
      if (l.line === 'haas node power status node1') assert.equal(r.stdout.trim(), 'on');
      if (/switch verify/.test(l.line)) assert.match(r.stdout, /no drift/);
    }
    // The power change reached the simulated BMC: its chassis_control script holds it.
    const bmcDir = readdirSync(dir).find((f) => f.startsWith(`${prefix}-node1-`));
    assert.ok(bmcDir, `no ipmi_sim directory for node1 in ${dir}`);
    assert.equal(readFileSync(join(dir, bmcDir, 'power'), 'utf8').trim(), '1');
    assert.ok(processesMentioning(dir).length > 0, 'the lab runs no process of its own (ipmi_sim, OVS)');

    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
    assert.equal(existsSync(dir), false, `${dir} is left behind`);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.equal(netns.split('\n').filter((n) => n.startsWith(prefix)).join(', '), '', 'namespaces left behind');
    assert.deepEqual(processesMentioning(dir), [], 'processes left behind');
    assert.deepEqual(processesMentioning(prefix), [], 'processes left behind');
  });

  it('boots a headnode from --images on the provisioning network, where it reaches node1', { skip: typeof guest === 'string' ? guest : false }, async () => {
    const images = mkdtempSync(join(tmpdir(), 'haas-test-demo-images-'));
    try {
      installImage(images, 'tiny', guest as TinyGuest);
      const { child, text } = await startDemo(['--real', '--images', images]);
      const dir = /throwaway lab of real parts in (\S+)/.exec(text)![1]!;
      const member = /export HAAS_CLIENT_CONFIG=(\S+)/.exec(text)![1]!;
      const node1 = /addresses (\S+)\.\./.exec(text)![1]!;
      // The guest takes an address on node1's subnet and pings node1 once it is up.
      installImage(images, 'tiny', guest as TinyGuest, { net: [`eth0:${node1.replace(/\.\d+$/, '.100')}/24`], ping: [node1] });
      const env = { HAAS_CLIENT_CONFIG: member, HAAS_ENDPOINT: '', HAAS_USERNAME: '', HAAS_PASSWORD: undefined };
      const tryBlock = text.indexOf('Try,');
      const headnodeBlock = text.indexOf('A headnode on the provisioning network');
      assert.ok(headnodeBlock > 0, text);
      const lines = [...linesIn(text.slice(tryBlock, text.indexOf('\n\n', tryBlock))), ...linesIn(text.slice(headnodeBlock))]
        .filter((l) => l.argv[0] === 'haas' && !/console|power|audit|verify|obm/.test(l.line));
      assert.ok(lines.some((l) => l.line === 'haas headnode start hn1'), text);
      for (const l of lines) {
        const r = runHaas(l.argv.slice(1), { env: { ...env, ...l.env } });
        assert.equal(r.code, 0, `${l.line}: ${r.stderr}${r.stdout}`);
      }
      let log = '';
      const giveUp = Date.now() + 180_000; // a bound on a hung boot, not a speed check
      while (!log.includes(`${PING_MARKER} ${node1} `)) {
        assert.ok(Date.now() < giveUp, `the headnode never reported its ping: ${log.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 500));
        log = runHaas(['headnode', 'console-log', 'hn1'], { env }).stdout;
        assert.doesNotMatch(log, /Kernel panic/);
      }
      assert.match(log, new RegExp(READY_MARKER));
      assert.match(log, new RegExp(`${PING_MARKER} ${node1.replace(/\./g, '\\.')} ok`));
      child.kill('SIGINT');
      assert.equal(await exited(child), 0);
      assert.equal(existsSync(dir), false, `${dir} is left behind`);
      assert.deepEqual(processesMentioning(dir), [], 'QEMU or other processes left behind');
    } finally {
      rmSync(images, { recursive: true, force: true });
    }
  });

  it('removes what it built when stopped half-way through the build', async () => {
    const before = new Set(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]));
    const { cmd, args } = haasCommand();
    const child = spawn(cmd, [...args, 'demo', '--real', '--nodes', '6'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HAAS_CONFIG: '/nonexistent/haas.conf' } });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    // Its first node namespace is the sign that the switch is up and the nodes are being made.
    let prefix: string | undefined;
    while (prefix === undefined) {
      assert.equal(child.exitCode, null, `haas demo --real ended before building: ${err}`);
      const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!)
        .find((n) => n.endsWith('-node1') && !before.has(n));
      prefix = ns?.replace(/-node1$/, '');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const code = await exited(child);
    assert.match(err, /interrupted while the lab was being built/);
    assert.equal(code, 1);
    const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
    assert.equal(netns.split('\n').filter((n) => n.startsWith(prefix!)).join(', '), '', 'namespaces left behind');
    assert.deepEqual(processesMentioning(prefix), [], 'processes left behind');
  });

  it('refuses --images without --real, and an image directory with no image, leaving nothing', () => {
    const r = runHaas(['demo', '--images', '/nonexistent']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--images: only with --real/);
    const empty = runHaas(['demo', '--real', '--images', '/nonexistent']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /no base image .* in \/nonexistent/);
    const few = runHaas(['demo', '--real', '--nodes', '2']);
    assert.equal(few.code, 2);
    assert.match(few.stderr, /--nodes: expected a whole number from 3 to 16/);
  });
});
