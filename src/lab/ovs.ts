// A real Open vSwitch (userspace datapath) in its own network namespace, with
// its database, sockets and logs in a private temp dir, and node namespaces
// cabled into its bridge by veth pairs (LAB.md). Nothing global is touched;
// stop() (also run at process exit) removes everything. Used by
// `haas demo --real` and by the lab tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNetns, cable, killAll, labPrefix, onCleanup, run } from './netns.js';

/** A node: a namespace with eth0 cabled to an OVS port. */
export interface LabNode { name: string; ns: string; port: string; ip: string }

/** A running OVS lab. */
export interface OvsLab {
  /** The prefix of every name the lab made (namespaces, ports, bridge). */
  prefix: string;
  /** Its private directory (database, sockets, logs). */
  dir: string;
  /** OVS_RUNDIR: where ovs-vsctl finds the database socket (`db.sock`). */
  rundir: string;
  /** The namespace ovs-vswitchd (and so the bridge and its ports) lives in. */
  switchNs: string;
  bridge: string;
  /** Run ovs-vsctl against this lab's database. */
  vsctl(...args: string[]): string;
  /** One port's tag, trunks, vlan_mode and protected columns. */
  portConfig(port: string): { tag: number | null; trunks: number[]; vlan_mode: string | null; protected: boolean };
  /** A node namespace cabled to a new bridge port (isolated: trunks=4095, protected), eth0 at 10.231.<subnet>.<host>/24. */
  addNode(name: string, host: number): LabNode;
  /** Bridge ports with nothing behind them but a veth end in the switch namespace (isolated), for benchmarks. */
  addPorts(names: string[]): void;
  /** Stop the daemons and remove the namespaces and the temp dir. */
  stop(): void;
}

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`lab: ${what} did not come up within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Start ovsdb-server and ovs-vswitchd (inside a new switch namespace) and create a netdev bridge; its directory is
 * made under `parent` (default: the temp dir).
 */
export async function startOvsLab(opts: { prefix?: string; bridge?: string; parent?: string } = {}): Promise<OvsLab> {
  const prefix = opts.prefix ?? labPrefix();
  const bridge = opts.bridge ?? `${prefix}br`;
  const dir = mkdtempSync(join(opts.parent ?? tmpdir(), `haas-lab-${prefix}-`));
  const rmDir = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, OVS_RUNDIR: dir, OVS_DBDIR: dir, OVS_LOGDIR: dir, OVS_PKGDATADIR: '/usr/share/openvswitch' };
  const switchNs = `${prefix}-sw`;
  const subnet = 1 + Math.floor(Math.random() * 250);
  const procs: ChildProcess[] = [];
  const cleanups: Array<() => void> = [];
  const vsctl = (...args: string[]) => run('ovs-vsctl', ['--timeout=10', ...args], { env });

  const pids = () => procs.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
  const stopAll = () => {
    killAll(pids());
    for (const c of cleanups.reverse()) c();
    rmDir();
  };
  const stopProcs = onCleanup(() => killAll(pids()));
  try {
    cleanups.push(addNetns(switchNs));
    run('ovsdb-tool', ['create', join(dir, 'conf.db'), '/usr/share/openvswitch/vswitch.ovsschema']);
    const sock = join(dir, 'db.sock');
    procs.push(spawn('ovsdb-server', [`--remote=punix:${sock}`, `--unixctl=${join(dir, 'ovsdb-server.ctl')}`,
      `--log-file=${join(dir, 'ovsdb-server.log')}`, join(dir, 'conf.db')], { env, stdio: 'ignore' }));
    for (const p of procs) p.unref(); // the exit hook stops them if stop() is forgotten
    await waitFor('ovsdb-server', () => existsSync(sock));
    run('ovs-vsctl', ['--no-wait', 'init'], { env });
    procs.push(spawn('ip', ['netns', 'exec', switchNs, 'ovs-vswitchd', `--unixctl=${join(dir, 'ovs-vswitchd.ctl')}`,
      `--pidfile=${join(dir, 'ovs-vswitchd.pid')}`, `--log-file=${join(dir, 'ovs-vswitchd.log')}`, `unix:${sock}`], { env, stdio: 'ignore' }));
    for (const p of procs) p.unref();
    await waitFor('ovs-vswitchd', () => existsSync(join(dir, 'ovs-vswitchd.ctl')) && existsSync(join(dir, 'ovs-vswitchd.pid')));
    // `ovs-appctl -t ovs-vswitchd` (the default target, e.g. of `fdb/show`) finds the daemon as
    // $OVS_RUNDIR/ovs-vswitchd.<pid>.ctl, the pid read from its pidfile.
    const pid = readFileSync(join(dir, 'ovs-vswitchd.pid'), 'utf8').trim();
    symlinkSync(join(dir, 'ovs-vswitchd.ctl'), join(dir, `ovs-vswitchd.${pid}.ctl`));
    vsctl('add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev');
  } catch (e) {
    stopProcs();
    stopAll();
    throw e;
  }

  return {
    prefix, dir, rundir: dir, switchNs, bridge, vsctl,
    portConfig(port) {
      const out: unknown = JSON.parse(vsctl('--format=json', '--columns=tag,trunks,vlan_mode,protected', 'list', 'port', port));
      const row = out !== null && typeof out === 'object' && 'data' in out && Array.isArray(out.data) && Array.isArray(out.data[0]) ? out.data[0] : [];
      const [tag, trunks, mode, prot] = row;
      // ovs-vsctl's JSON writes an empty or multi-valued column as ["set", [...]] and a single value as itself.
      const values = (v: unknown): unknown[] => (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1]) ? v[1] : [v]);
      const first = values(tag)[0];
      const firstMode = values(mode)[0];
      return {
        tag: typeof first === 'number' ? first : null,
        trunks: values(trunks).map(Number).sort((a, b) => a - b),
        vlan_mode: typeof firstMode === 'string' ? firstMode : null,
        protected: prot === true,
      };
    },
    addNode(name, host) {
      const ns = `${prefix}-${name}`;
      const port = `${prefix}${name}`;
      cleanups.push(addNetns(ns));
      cable(port, switchNs, 'eth0', ns);
      const ip = `10.231.${subnet}.${host}`;
      run('ip', ['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      vsctl('add-port', bridge, port, '--', 'set', 'port', port, 'vlan_mode=trunk', 'trunks=4095', 'protected=true');
      return { name, ns, port, ip };
    },
    addPorts(names) {
      const batch = names.map((n) => `link add ${n} type veth peer name ${n}x\nlink set ${n} up\nlink set ${n}x up\n`).join('');
      run('ip', ['-n', switchNs, '-batch', '-'], { input: batch, stdio: ['pipe', 'pipe', 'pipe'] });
      vsctl(...names.flatMap((n) => ['--', 'add-port', bridge, n, '--', 'set', 'port', n, 'vlan_mode=trunk', 'trunks=4095', 'protected=true']));
    },
    stop() { stopProcs(); stopAll(); },
  };
}
