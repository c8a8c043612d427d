// Benchmark: 100 port changes on one `ovs` switch over SSH, queued at once
// through the daemon's API (one reused SSH connection, batched into ovs-vsctl
// transactions), versus the same 100 changes made with one SSH session each
// (connect, log in, one ovs-vsctl, close). Needs root and the OVS/SSH lab
// packages (.ci/run); otherwise it reports why it skipped.
//
// Alone: `node --import tsx bench/ovs.ts` (prints JSON).
import { labUnavailable } from '../test/lab/netns.js';
import { startOvsLab } from '../test/lab/ovs.js';
import { startSshd } from '../test/lab/sshd.js';
import { startDaemon } from '../test/lib/daemon.js';
import { ovsSwitchInventory } from './ovs-inventory.js';
import { SshConnection } from '../src/drivers/switch/ssh.js';

/** The figures of one run, in milliseconds. */
export interface OvsBenchResult {
  skipped?: string;
  changes: number;
  /** Through haas: queueing the first action to the last DONE. */
  batched?: { totalMs: number; p50Ms: number; p99Ms: number };
  /** One SSH session per change, one after the other. */
  sessionPerChange?: { totalMs: number; p50Ms: number; p99Ms: number };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function summary(totalMs: number, latencies: number[]) {
  const s = [...latencies].sort((a, b) => a - b);
  return { totalMs: Math.round(totalMs), p50Ms: Math.round(percentile(s, 50)), p99Ms: Math.round(percentile(s, 99)) };
}

/** Run the OVS benchmark with `changes` port changes (default 100). */
export async function benchOvs(changes = 100): Promise<OvsBenchResult> {
  const skip = labUnavailable();
  if (skip) return { skipped: skip, changes };
  const lab = await startOvsLab();
  try {
    const ports = Array.from({ length: changes }, (_, i) => `${lab.prefix}q${i}`);
    lab.addPorts(ports);
    const sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    const d = await startDaemon();
    try {
      const call = await ovsSwitchInventory(d, lab, sshd, ports);

      const t0 = Date.now();
      const ids: string[] = await Promise.all(ports.map((_, i) =>
        call('POST', `/node/n${i}/nic/eth0/connect_network`, { network: 'net' }).then((r) => r.status_id as string)));
      const pending = new Set(ids);
      const latencies: number[] = [];
      let last = t0;
      while (pending.size > 0) {
        for (const id of [...pending]) {
          const a = await call('GET', `/networking_action/${id}/details`);
          if (a.status === 'PENDING') continue;
          if (a.status !== 'DONE') throw new Error(`action ${id}: ${a.status} ${a.message}`);
          pending.delete(id);
          const done = Date.parse(a.finished_at);
          latencies.push(done - Date.parse(a.created_at));
          last = Math.max(last, done);
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 5));
      }
      const batched = summary(last - t0, latencies);

      const target = { host: sshd.host, port: sshd.port, username: sshd.username, password: sshd.password };
      const each: number[] = [];
      const t1 = Date.now();
      for (const port of ports) {
        const s = Date.now();
        const c = await SshConnection.open(target, 10_000);
        const r = await c.exec(`ovs-vsctl set port ${port} tag=600 vlan_mode=access trunks=[] protected=false`, 10_000);
        c.close();
        if (r.code !== 0) throw new Error(`ovs-vsctl: ${r.stderr}`);
        each.push(Date.now() - s);
      }
      return { changes, batched, sessionPerChange: summary(Date.now() - t1, each) };
    } finally {
      await d.cleanup();
      sshd.stop();
    }
  } finally {
    lab.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchOvs().then((r) => { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); }, (e) => { console.error(e); process.exitCode = 1; });
}
