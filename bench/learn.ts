// Benchmark: `switch learn` of a 48-port switch with 48 registered nics, one
// learned MAC per port plus an uplink carrying 200 more: over SSH (the NX-OS
// emulator), on a real Open vSwitch (the OVS lab, MACs learned from frames
// sent into each port) and over SNMP (the lab agent's Q-BRIDGE FDB table).
// Each figure: the plan (GET), cold (first call: connect and log in) and the
// median of 5 warm calls, then --apply (POST: ports registered, nics cabled).
// Target: under 2 s for 48 ports. The OVS part needs root and the lab packages.
//
// Alone: `node --import tsx bench/learn.ts` (prints JSON).
import { labUnavailable, run } from '../test/lab/netns.js';
import { startOvsLab } from '../test/lab/ovs.js';
import { startVendorEmulator } from '../test/lab/vendor-emulator.js';
import { startQBridgeAgent } from '../test/lab/qbridge-agent.js';
import { startDaemon, NO_DRIFT_CHECKS, type Daemon } from '../test/lib/daemon.js';

const PORTS = 48;
const UPLINK_MACS = 200;

/** One transport's figures (ms). */
export interface LearnFigures { coldMs: number; warmMedianMs: number; applyMs: number; connected: number }

/** The figures of each transport, or why it was skipped. */
export type LearnBench = Record<'ssh' | 'ovs' | 'snmp', LearnFigures | { skipped: string } | { error: string }>;

const mac = (i: number) => `52:54:00:4c:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

/** Register 48 nodes with these MACs, the switch, then time learn. */
async function measure(d: Daemon, sw: string, fields: Record<string, unknown>, macs: string[]): Promise<LearnFigures> {
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await d.request(method, `/v0${path}`, body === undefined ? {} : { body });
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json as { nics: Array<{ status: string }> } | undefined;
  };
  await api('PUT', `/switch/${sw}`, fields);
  for (const [i, m] of macs.entries()) {
    await api('PUT', `/node/${sw}-n${i}`, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'p' } });
    await api('PUT', `/node/${sw}-n${i}/nic/eth0`, { macaddr: m });
  }
  const [, coldMs] = await timed(() => api('GET', `/switch/${sw}/learn`));
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await timed(() => api('GET', `/switch/${sw}/learn`)))[1]);
  warm.sort((a, b) => a - b);
  const [applied, applyMs] = await timed(() => api('POST', `/switch/${sw}/learn`, { apply: true }));
  const connected = applied!.nics.filter((n) => n.status === 'connected').length;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { coldMs: r(coldMs), warmMedianMs: r(warm[2]!), applyMs: r(applyMs), connected };
}

async function sshPart(d: Daemon): Promise<LearnFigures> {
  const ports = Array.from({ length: PORTS }, (_, i) => `Ethernet1/${i + 1}`);
  const emu = await startVendorEmulator({ vendor: 'nexus', ports: [...ports, 'Ethernet1/49'] });
  try {
    const macs = ports.map((_, i) => mac(i));
    emu.macTable = [
      ...ports.map((port, i) => ({ mac: macs[i]!, vlan: 300, port })),
      ...Array.from({ length: UPLINK_MACS }, (_, k) => ({ mac: `0200000${k.toString(16).padStart(5, '0')}`, vlan: 300, port: 'Ethernet1/49' })),
    ];
    return await measure(d, 'bench-nexus', { type: 'nexus', hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, dummy_vlan: '2222' }, macs);
  } finally {
    await emu.close();
  }
}

async function snmpPart(d: Daemon): Promise<LearnFigures> {
  const ports = Array.from({ length: PORTS + 1 }, (_, i) => `ge-0/0/${i + 1}`);
  const macs = Array.from({ length: PORTS }, (_, i) => mac(100 + i));
  const agent = await startQBridgeAgent({
    ports, vlans: [4000], pvid: 4000,
    fdb: { table: 'qbridge', entries: [
      ...macs.map((m, i) => ({ mac: m, vlan: 300, port: ports[i]! })),
      ...Array.from({ length: UPLINK_MACS }, (_, k) => ({ mac: `02:00:00:01:${(k >> 8).toString(16).padStart(2, '0')}:${(k & 255).toString(16).padStart(2, '0')}`, vlan: 300, port: ports[PORTS]! })),
    ] },
  });
  try {
    return await measure(d, 'bench-snmp', { type: 'snmp', hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: 4000 }, macs);
  } finally {
    agent.stop();
  }
}

async function ovsPart(): Promise<LearnFigures | { skipped: string }> {
  const skip = labUnavailable();
  if (skip) return { skipped: skip };
  const lab = await startOvsLab();
  let d: (Daemon & { cleanup(): Promise<void> }) | null = null;
  try {
    const ports = Array.from({ length: PORTS }, (_, i) => `${lab.prefix}p${i}`);
    lab.addPorts(ports);
    // Each port's far end sends one broadcast frame on VLAN 300: the bridge learns its MAC on that port.
    lab.vsctl(...ports.flatMap((p) => ['--', 'set', 'port', p, 'tag=300', 'vlan_mode=access', 'trunks=[]', 'protected=false']));
    const macs = ports.map((p) => /link\/ether ([0-9a-f:]{17})/.exec(run('ip', ['-n', lab.switchNs, 'link', 'show', `${p}x`]))![1]!);
    const batch = ports.map((p, i) => `addr add 10.233.${i}.1/24 dev ${p}x\n`).join('');
    run('ip', ['-n', lab.switchNs, '-batch', '-'], { input: batch, stdio: ['pipe', 'pipe', 'pipe'] });
    for (const [i, p] of ports.entries()) {
      try { run('ip', ['netns', 'exec', lab.switchNs, 'ping', '-c', '1', '-W', '0.05', '-I', `${p}x`, `10.233.${i}.2`]); } catch { /* no answer: the frame was sent */ }
    }
    d = await startDaemon({ env: { OVS_RUNDIR: lab.rundir }, config: NO_DRIFT_CHECKS });
    return await measure(d, 'bench-ovs', { type: 'ovs', ovs_bridge: lab.bridge }, macs);
  } finally {
    await d?.cleanup();
    lab.stop();
  }
}

/** Run the three parts. */
export async function benchLearn(): Promise<LearnBench> {
  const out: Partial<LearnBench> = {};
  const d = await startDaemon({ config: NO_DRIFT_CHECKS });
  try {
    for (const [name, part] of [['ssh', () => sshPart(d)], ['snmp', () => snmpPart(d)], ['ovs', ovsPart]] as const) {
      try { out[name] = await part(); } catch (e) { out[name] = { error: e instanceof Error ? e.message : String(e) }; }
    }
  } finally {
    await d.cleanup();
  }
  return out as LearnBench;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchLearn(), null, 2));
  process.exit(0);
}
