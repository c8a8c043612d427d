// Headnode benchmark: create+start to the guest's ready marker on its
// serial console (real QEMU, TCG here), one at a time and five at once.
// Run alone: `node --import tsx bench/headnode.ts` (prints JSON), or call
// benchHeadnodes() from bench/run.ts. Needs qemu-system-x86, qemu-utils,
// busybox-static and the Debian cloud kernel package (downloaded once and
// cached, see test/lab/guest.ts); skips with a reason otherwise.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from '../test/lib/daemon.js';
import { installImage, READY_MARKER, tinyGuest } from '../test/lab/guest.js';
import { killAll } from '../test/lab/netns.js';

/** The figures: milliseconds from create to the ready marker, and memory per VM. */
export interface HeadnodeBench {
  /** The first start of the daemon's life (includes the one-time KVM probe). */
  firstStartMs: number;
  /** create + start -> ready, one headnode at a time (best and median of `rounds`). */
  singleBestMs: number;
  singleMedianMs: number;
  rounds: number;
  /** Five headnodes created and started at once, until all five are ready. */
  fiveAtOnceMs: number;
  /** Resident memory of one QEMU (MiB, mean over the five). */
  qemuRssMiB: number;
  accel: string;
}

function waitReady(d: Daemon, h: string, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = httpRequest({ socketPath: d.socket, path: `/v0/headnode/${h}/console` }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; if (text.includes(READY_MARKER)) { clearTimeout(timer); req.destroy(); resolve(); } });
      res.on('end', () => reject(new Error(`console of ${h} ended: ${text.slice(-500)}`)));
    });
    const timer = setTimeout(() => { req.destroy(); reject(new Error(`${h}: no ready marker within ${timeoutMs / 1000} s`)); }, timeoutMs);
    req.on('error', () => { /* destroyed */ });
    req.end();
  });
}

function qemuPids(text: string): number[] {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((e) => {
    try { const c = readFileSync(`/proc/${e}/cmdline`, 'utf8'); return c.startsWith('qemu-system') && c.includes(text); } catch { return false; }
  }).map(Number);
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Run the headnode benchmark; resolves with the figures, or with why it cannot run here. */
export async function benchHeadnodes(rounds = 3): Promise<HeadnodeBench | { skipped: string }> {
  const guest = tinyGuest();
  if (typeof guest === 'string') return { skipped: guest };
  const root = mkdtempSync(join(tmpdir(), 'haas-bench-hn-'));
  let d: Awaited<ReturnType<typeof startDaemon>> | null = null;
  try {
    installImage(join(root, 'images'), 'tiny', guest);
    d = await startDaemon({
      dir: root,
      config: ['[headnode]', `image_dir = ${join(root, 'images')}`, `run_dir = ${join(root, 'run')}`, 'kvm = auto', 'max_per_project = 0'].join('\n'),
    });
    const dd = d;
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await dd.request(method, `/v0${path}`, { body });
      if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
      return r;
    };
    await call('PUT', '/project/bench');
    let n = 0;
    const createStartReady = async () => {
      const h = `hn${++n}`;
      const t0 = performance.now();
      await call('PUT', `/headnode/${h}`, { project: 'bench', base_img: 'tiny' });
      await call('PUT', `/headnode/${h}/hnic/eth0`);
      await call('POST', `/headnode/${h}/start`);
      await waitReady(dd, h);
      return { h, ms: performance.now() - t0 };
    };
    const first = await createStartReady();
    await call('DELETE', `/headnode/${first.h}`);
    const singles: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const r = await createStartReady();
      singles.push(r.ms);
      await call('DELETE', `/headnode/${r.h}`);
    }
    singles.sort((a, b) => a - b);
    const t0 = performance.now();
    const five = await Promise.all([0, 1, 2, 3, 4].map(() => createStartReady()));
    const fiveAtOnceMs = performance.now() - t0;
    const pids = qemuPids(join(root, 'run'));
    const qemuRssMiB = pids.map(rssMiB).reduce((a, b) => a + b, 0) / Math.max(1, pids.length);
    await Promise.all(five.map((r) => call('DELETE', `/headnode/${r.h}`)));
    const accel = /headnodes: (KVM|TCG[^:]*)/.exec(dd.stderr)?.[1] ?? 'unknown';
    return {
      firstStartMs: Math.round(first.ms), singleBestMs: Math.round(singles[0]!), singleMedianMs: Math.round(singles[Math.floor(singles.length / 2)]!),
      rounds, fiveAtOnceMs: Math.round(fiveAtOnceMs), qemuRssMiB: Math.round(qemuRssMiB), accel,
    };
  } finally {
    await d?.stop().catch(() => {});
    killAll(qemuPids(root));
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchHeadnodes().then((r) => { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); },
    (e: Error) => { process.stderr.write(`bench/headnode: ${e.stack ?? e.message}\n`); process.exitCode = 1; });
}
