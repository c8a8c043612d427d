// Discovery of a 48-port switch (issue 15): one fresh driver session per run (connect, log in,
// list the interfaces, read every port's VLANs, close), median of BENCH_DISCOVER_RUNS (default 5):
// each CLI dialect's SSH emulator (test/lab/vendor-emulator.ts: the listing, then one show per
// port), the Q-BRIDGE SNMP agent (test/lab/qbridge-agent.ts: ifName, ifOperStatus, the VLAN
// bitmaps), and the lab's real Open vSwitch (ovs-vsctl; root and the lab packages, skipped
// otherwise). Part of `npm run bench` (extras: "discover"), and runnable alone:
// node --import tsx bench/discover.ts
import { pathToFileURL } from 'node:url';
import { builtInSwitchDrivers } from '../src/drivers/switch/registry.js';
import type { SwitchDriver } from '../src/drivers/switch/types.js';
import type { FieldValues } from '../src/drivers/fields.js';
import { startVendorEmulator, type Vendor } from '../test/lab/vendor-emulator.js';
import { startQBridgeAgent } from '../test/lab/qbridge-agent.js';
import { labUnavailable } from '../test/lab/netns.js';
import { startOvsLab } from '../test/lab/ovs.js';

const PORTS = 48;
const RUNS = Number(process.env.BENCH_DISCOVER_RUNS ?? 5);

/** One figure: the median wall time of a 48-port discovery, with the ports found. */
export interface DiscoverFigure { switch: string; ports: number; medianMs: number; maxMs: number }

/** What the bench measured (ovs: skipped with the reason when the lab cannot run). */
export interface DiscoverBench { figures: DiscoverFigure[]; skipped: string[] }

async function time(name: string, driver: SwitchDriver, fields: FieldValues): Promise<DiscoverFigure> {
  const ms: number[] = [];
  let ports = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const session = driver.connect(name, fields);
    try { ports = (await session.listInterfaces()).length; } finally { await session.close(); }
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { switch: name, ports, medianMs: Math.round(ms[Math.floor(ms.length / 2)]!), maxMs: Math.round(ms[ms.length - 1]!) };
}

const VENDOR_PORTS: Record<Vendor, (i: number) => string> = {
  nexus: (i) => `Ethernet1/${i}`, powerconnect55xx: (i) => `gi1/0/${i}`, delln3000: (i) => `gi1/0/${i}`, dellnos9: (i) => `1/${i}`,
};
const VENDOR_FIELDS: Record<Vendor, FieldValues> = {
  nexus: { dummy_vlan: 2222 }, powerconnect55xx: {}, delln3000: { dummy_vlan: 2222 }, dellnos9: { interface_type: 'TenGigabitEthernet' },
};

/** Run every discovery figure. */
export async function benchDiscover(): Promise<DiscoverBench> {
  const drivers = builtInSwitchDrivers({ callTimeoutMs: 10_000 });
  const out: DiscoverBench = { figures: [], skipped: [] };
  const numbers = Array.from({ length: PORTS }, (_, i) => i + 1);
  for (const vendor of ['nexus', 'powerconnect55xx', 'delln3000', 'dellnos9'] as const) {
    const emu = await startVendorEmulator({ vendor, ports: numbers.map(VENDOR_PORTS[vendor]) });
    try {
      out.figures.push(await time(`${vendor} over SSH (emulator)`, drivers[vendor],
        { hostname: emu.host, port: emu.port, username: emu.username, password: emu.password, ...VENDOR_FIELDS[vendor] }));
    } finally { await emu.close(); }
  }
  const agent = await startQBridgeAgent({ ports: numbers.map((i) => `ge-0/0/${i}`), vlans: [310, 4001], pvid: 4001 });
  try {
    out.figures.push(await time('snmp v2c (Q-BRIDGE agent)', drivers.snmp,
      { hostname: agent.host, port: agent.port, version: '2c', community: agent.community, dummy_vlan: 4001 }));
  } finally { agent.stop(); }
  const why = labUnavailable();
  if (why !== null) { out.skipped.push(`ovs: ${why}`); return out; }
  const lab = await startOvsLab();
  const rundir = process.env.OVS_RUNDIR;
  try {
    lab.addPorts(numbers.map((i) => `${lab.prefix}p${i}`));
    process.env.OVS_RUNDIR = lab.rundir;
    out.figures.push(await time('ovs (local ovs-vsctl, real OVS)', drivers.ovs, { ovs_bridge: lab.bridge }));
  } finally {
    if (rundir === undefined) delete process.env.OVS_RUNDIR; else process.env.OVS_RUNDIR = rundir;
    lab.stop();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchDiscover().then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => { console.error(e); process.exit(1); });
}
