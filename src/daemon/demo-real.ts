// The real parts of `haas demo --real`, built the way the lab tests build them
// (src/lab): one Open vSwitch in its own network namespace, a namespace per
// node with eth0 cabled (veth) to a bridge port, and an ipmi_sim BMC per
// node. Every name carries one random prefix; everything lives under the
// demo's directory, and stop() (or, if the process dies first, the exit hooks)
// removes the namespaces and processes.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIpmiSim, type IpmiSim } from '../lab/ipmi.js';
import { killAll, labPrefix, missingTools, run, type LabTool } from '../lab/netns.js';
import { startOvsLab, type OvsLab } from '../lab/ovs.js';

/** What the real lab runs, with the Debian package of each. */
const TOOLS: readonly LabTool[] = [
  { cmd: 'ip', pkg: 'iproute2' }, { cmd: 'ping', pkg: 'iputils-ping' },
  { cmd: 'ovs-vsctl', pkg: 'openvswitch-switch' }, { cmd: 'ovsdb-server', pkg: 'openvswitch-switch' },
  { cmd: 'ovs-vswitchd', pkg: 'openvswitch-switch' }, { cmd: 'ovsdb-tool', pkg: 'openvswitch-switch' },
  { cmd: '/usr/share/openvswitch/vswitch.ovsschema', pkg: 'openvswitch-common' },
  { cmd: 'ipmi_sim', pkg: 'openipmi' }, { cmd: 'ipmitool', pkg: 'ipmitool' }, { cmd: 'script', pkg: 'bsdutils' },
];

/** What a headnode needs besides the lab. */
const HEADNODE_TOOLS: readonly LabTool[] = [{ cmd: 'qemu-system-x86_64', pkg: 'qemu-system-x86' }, { cmd: 'qemu-img', pkg: 'qemu-utils' }];

/** Why the real demo cannot run here (not root, or what to install), or null when it can. */
export function realDemoRefusal(withHeadnode: boolean): string | null {
  if (process.getuid?.() !== 0) return 'haas demo --real needs root (network namespaces, Open vSwitch); run it with sudo, or try `haas demo` (no root)';
  const missing = missingTools(withHeadnode ? [...TOOLS, ...HEADNODE_TOOLS] : TOOLS);
  if (missing.length === 0) return null;
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  return `haas demo --real needs ${missing.map((t) => t.cmd).join(', ')}: apt-get install ${pkgs.join(' ')}`;
}

/** One node of the real lab: its namespace, the bridge port its eth0 is cabled to, its address, and its BMC. */
export interface RealDemoNode {
  name: string;
  ns: string;
  port: string;
  ip: string;
  mac: string;
  /** The `obm` body that registers its ipmi_sim BMC with the `ipmi` driver. */
  obm: { type: string; host: string; port: number; user: string; password: string };
}

/** The running real lab. */
export interface RealDemoLab {
  /** The prefix of every namespace, port and bridge made. */
  prefix: string;
  ovs: OvsLab;
  nodes: RealDemoNode[];
  /** Stop every BMC and QEMU of the lab and remove OVS and the namespaces (the caller removes the directory). */
  stop(): Promise<void>;
}

/**
 * Build the lab under `dir`: OVS, `count` nodes and their BMCs; `interrupted` is asked between steps so that a
 * Ctrl-C during the build stops it. Whatever was made is removed when the build fails.
 */
export async function startRealDemoLab(dir: string, count: number, interrupted: () => boolean): Promise<RealDemoLab> {
  const prefix = labPrefix();
  const sims: IpmiSim[] = [];
  let ovs: OvsLab | null = null;
  const stop = async () => {
    killAll(qemusUnder(dir));
    for (const s of sims) await s.stop();
    ovs?.stop();
  };
  const check = async () => {
    // The build is mostly synchronous commands: a signal that came meanwhile is only delivered once the event loop
    // turns through a timer or immediate (an await on a socket alone was seen not to deliver it).
    await new Promise((r) => setImmediate(r));
    if (interrupted()) throw new Error('interrupted while the lab was being built');
  };
  try {
    ovs = await startOvsLab({ prefix, parent: dir });
    const nodes: RealDemoNode[] = [];
    for (let i = 1; i <= count; i++) {
      await check();
      const n = ovs.addNode(`node${i}`, i);
      // The MAC haas is told is the one the node's eth0 really has (what `switch learn` finds on the port).
      const mac = `52:54:00:00:00:${i.toString(16).padStart(2, '0')}`;
      run('ip', ['-n', n.ns, 'link', 'set', 'eth0', 'down']);
      run('ip', ['-n', n.ns, 'link', 'set', 'eth0', 'address', mac]);
      run('ip', ['-n', n.ns, 'link', 'set', 'eth0', 'up']);
      // Its console writes a line every 5 s and answers what is typed, like a shell.
      const sim = await startIpmiSim({ password: randomBytes(9).toString('base64url'), prefix: `${prefix}-node${i}`, parent: dir, intervalMs: 5000, echo: true });
      sims.push(sim);
      nodes.push({ name: `node${i}`, ns: n.ns, port: n.port, ip: n.ip, mac, obm: sim.obm() });
    }
    await check();
    return { prefix, ovs, nodes, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The QEMU processes whose command line names a path under `dir` (headnodes the daemon leaves running on exit). */
function qemusUnder(dir: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(join('/proc', e, 'cmdline'), 'utf8');
      if (cmd.startsWith('qemu-system') && cmd.includes(dir)) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}
