// Benchmark (statistical): sshd killed mid-burst. Each round queues a burst
// of port changes on one `ovs` switch over SSH (connect the ports that are
// on no network, detach the others), one after the other over the switch's
// open SSH connection, kills the switch's sshd and every session it runs
// after a different number of them each round, starts it again ~1 s
// later, waits until no action is PENDING, and counts the ports where the
// switch and the inventory disagree (`switch verify`). Expected: 0 in every
// round; actions end DONE or ERROR, and ERROR means not applied. Needs root
// and the OVS/SSH lab packages (.ci/run); otherwise it reports why it skipped.
//
// Alone: `node --import tsx bench/truth.ts` (prints JSON). BENCH_TRUTH_ROUNDS (default 12), 60 ports each.
import { labUnavailable } from '../test/lab/netns.js';
import { startOvsLab } from '../test/lab/ovs.js';
import { startSshd } from '../test/lab/sshd.js';
import { startDaemon } from '../test/lib/daemon.js';
import { ovsSwitchInventory } from './ovs-inventory.js';

/** The figures of one run. */
export interface TruthBenchResult {
  skipped?: string;
  rounds: number;
  portsPerRound: number;
  /** Ports drifting after each round (switch vs inventory). */
  driftPerRound?: number[];
  /** Actions of all rounds by how they ended, and how many were decided by reading the port back. */
  done?: number;
  error?: number;
  readBack?: number;
  /** Longest time from queueing a round's burst to its last action leaving PENDING. */
  maxSettleMs?: number;
}

/** Run `rounds` rounds of `ports` changes each, sshd killed part-way through each burst. */
export async function benchTruth(rounds = Number(process.env.BENCH_TRUTH_ROUNDS ?? 12), ports = 60): Promise<TruthBenchResult> {
  const skip = labUnavailable();
  if (skip) return { skipped: skip, rounds, portsPerRound: ports };
  const lab = await startOvsLab();
  try {
    const names = Array.from({ length: ports }, (_, i) => `${lab.prefix}t${i}`);
    lab.addPorts(names);
    const sshd = await startSshd({ dir: lab.dir, env: { OVS_RUNDIR: lab.rundir } });
    const d = await startDaemon({ config: '[timeouts]\nswitch_call = 3\nswitch_batch = 20\n' });
    try {
      const call = await ovsSwitchInventory(d, lab, sshd, names);
      const driftPerRound: number[] = [];
      let done = 0;
      let error = 0;
      let maxSettleMs = 0;
      for (let round = 0; round < rounds; round++) {
        // The switch's SSH connection is up (a login takes ~0.5 s here), then the burst, queued
        // at once; once the first batch is done, sshd is killed a different time later each round.
        await call('GET', '/switch/sw/verify');
        const attached = await Promise.all(names.map(async (_, i) => Object.keys((await call('GET', `/node/n${i}`)).nics[0].networks).length > 0));
        const t0 = Date.now();
        const ids: string[] = await Promise.all(names.map(async (_, i) =>
          (await call('POST', `/node/n${i}/nic/eth0/${attached[i] ? 'detach' : 'connect'}_network`, { network: 'net' })).status_id as string));
        for (let settled = false; !settled;) {
          settled = (await call('GET', `/networking_action/${ids[0]}`)).status !== 'PENDING';
          if (!settled) await new Promise((r) => setTimeout(r, 2));
        }
        await new Promise((r) => setTimeout(r, (round * 37) % 250));
        sshd.stop();
        await new Promise((r) => setTimeout(r, 1000));
        await sshd.start();
        const pending = new Set(ids);
        while (pending.size > 0) {
          if (Date.now() - t0 > 120_000) throw new Error(`round ${round}: ${pending.size} actions still PENDING after 120 s`);
          for (const id of [...pending]) {
            const a = await call('GET', `/networking_action/${id}`);
            if (a.status === 'PENDING') continue;
            pending.delete(id);
            if (a.status === 'DONE') done += 1; else error += 1;
          }
          if (pending.size > 0) await new Promise((r) => setTimeout(r, 20));
        }
        maxSettleMs = Math.max(maxSettleMs, Date.now() - t0);
        const v = await call('GET', '/switch/sw/verify');
        driftPerRound.push((v.drift as string[]).length);
      }
      const readBack = (d.stderr.match(/read back after/g) ?? []).length + (d.stderr.match(/read back on a new session/g) ?? []).length;
      return { rounds, portsPerRound: ports, driftPerRound, done, error, readBack, maxSettleMs };
    } finally {
      await d.cleanup();
      sshd.stop();
    }
  } finally {
    lab.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchTruth().then((r) => { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); }, (e) => { console.error(e); process.exitCode = 1; });
}
