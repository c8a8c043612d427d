// Console-log benchmark: the daemon's CPU while it logs 20 busy IPMI SOL
// consoles that nobody watches (ipmi_sim's serial ports writing a line every
// 10 ms each), against the same daemon with those consoles' OBM disabled.
// Run alone: `node --import tsx bench/console-log.ts` (prints JSON), or call
// benchConsoleLogs() from bench/run.ts. Needs ipmi_sim, ipmitool and script
// (the test lab's packages); skips with a reason otherwise.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDaemon } from '../test/lib/daemon.js';
import { ipmiLabAvailable, startIpmiSim, type IpmiSim } from '../test/lab/ipmi.js';

/** The figures. */
export interface ConsoleLogBench {
  consoles: number;
  /** Console lines each console writes per second. */
  linesPerSecondEach: number;
  /** Daemon CPU (% of one core) while logging every console. */
  loggingCpuPercent: number;
  /** Daemon CPU (% of one core) with the same nodes' OBM disabled (nothing to log). */
  idleCpuPercent: number;
  /** Log bytes written per second, all consoles together. */
  loggedBytesPerSecond: number;
  /** Daemon CPU time per KiB logged (µs), logging minus idle. */
  cpuMicrosPerKiB: number;
  windowSeconds: number;
}

const CONSOLES = Number(process.env.BENCH_CONSOLES ?? 20);
const INTERVAL_MS = 10;
const WINDOW_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

function logBytes(dir: string, nodes: string[]): number {
  let n = 0;
  for (const node of nodes) {
    for (const f of ['current.log', 'current.log.1']) {
      try { n += statSync(join(dir, 'console-logs', node, f)).size; } catch { /* none yet */ }
    }
  }
  return n;
}

async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuTicks(pid);
  await sleep(ms);
  return ((cpuTicks(pid) - t0) / 100) / (ms / 1000) * 100;
}

/** Run the benchmark; resolves with the figures, or with why it cannot run here. */
export async function benchConsoleLogs(): Promise<ConsoleLogBench | { skipped: string }> {
  if (!ipmiLabAvailable()) return { skipped: 'ipmi_sim, ipmitool or script not installed' };
  const password = randomBytes(8).toString('hex');
  const sims: IpmiSim[] = [];
  let d: Awaited<ReturnType<typeof startDaemon>> | null = null;
  try {
    for (let i = 0; i < CONSOLES; i++) sims.push(await startIpmiSim({ password, prefix: 'haas-bench-clog', intervalMs: INTERVAL_MS }));
    // A bound no window fills, so that the bytes written are the files' growth.
    d = await startDaemon({ config: '[drift]\ninterval = 0\n[drivers]\nobm_timeout = 10\n[console]\nlog_size = 256M\n' });
    const daemon = d;
    const nodes = sims.map((_, i) => `clog${i}`);
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await daemon.request(method, `/v0${path}`, body === undefined ? {} : { body });
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    };
    await call('PUT', '/project/bench');
    for (const [i, node] of nodes.entries()) {
      await call('PUT', `/node/${node}`, { obm: sims[i]!.obm(password) });
      await call('POST', '/project/bench/connect_node', { node });
    }
    const pid = daemon.child.pid!;
    await sleep(2000);
    const idle = await cpuPercent(pid, WINDOW_MS);
    for (const node of nodes) await call('PUT', `/node/${node}/obm`, { enabled: true });
    const deadline = Date.now() + 60_000;
    while (nodes.some((n) => logBytes(daemon.dir, [n]) === 0)) {
      if (Date.now() > deadline) throw new Error('not every console was logged within 60 s');
      await sleep(200);
    }
    await sleep(2000);
    const before = logBytes(daemon.dir, nodes);
    const logging = await cpuPercent(pid, WINDOW_MS);
    const bytes = logBytes(daemon.dir, nodes) - before;
    const perSecond = bytes / (WINDOW_MS / 1000);
    for (const node of nodes) await call('PUT', `/node/${node}/obm`, { enabled: false });
    return {
      consoles: CONSOLES,
      linesPerSecondEach: 1000 / INTERVAL_MS,
      loggingCpuPercent: Math.round(logging * 10) / 10,
      idleCpuPercent: Math.round(idle * 10) / 10,
      loggedBytesPerSecond: Math.round(perSecond),
      cpuMicrosPerKiB: Math.round(((logging - idle) / 100) * 1e6 / (perSecond / 1024)),
      windowSeconds: WINDOW_MS / 1000,
    };
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; daemon said: ${d?.stderr.slice(-2000) ?? '(not started)'}`);
  } finally {
    await d?.cleanup();
    for (const s of sims) await s.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchConsoleLogs().then((r) => { process.stdout.write(JSON.stringify(r, null, 2) + '\n'); }, (e: unknown) => { console.error(e); process.exit(1); });
}
