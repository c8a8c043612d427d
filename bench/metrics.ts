// The cost of observing: read throughput (GET /v0/node/<n>, database auth, c=1 and c=16) of one
// build with /metrics and the access log on (the defaults; the log written to a file) against the
// same build with both off (`[metrics] enabled = off`, `[log] access = off`). Target: on >= 95% of
// off. Part of `npm run bench` (extras: "metrics"), and runnable alone:
//   node --import tsx bench/metrics.ts [HAAS_EXECUTABLE]
// The daemons are measured back to back (the order turning each round) in BENCH_METRICS_PAIRS
// rounds (default 21) of BENCH_METRICS_SECONDS s (default 1; autocannon runs whole seconds); the
// figure is the median of the rounds' ratios, so that a busy machine (other work comes and goes)
// disturbs both sides of a round alike. A third daemon configured like "off" gives the method's
// own spread in the same run (off2 / off, an A/A test). With two CPUs or more and `taskset`
// (util-linux), the load generator (this process) runs on CPU 0 and the daemons on CPU 1, so that
// the scheduler does not put them on one core at times; BENCH_METRICS_PIN=0 lets them roam.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { freePort } from '../test/lib/daemon.js';
import { Api, pool } from './http.js';

const DURATION = Math.max(1, Math.round(Number(process.env.BENCH_METRICS_SECONDS ?? 1)));
const PAIRS = Number(process.env.BENCH_METRICS_PAIRS ?? 21);
const NODES = 200;
/** Rounds and seconds of the CPU-share measurement (pinned only). */
const SHARE_ROUNDS = 5;
const SHARE_SECONDS = 5;
const CONCURRENCIES = [1, 16] as const;
const ADMIN = { username: 'admin', password: 'bench-metrics-pw' };
const AUTH = 'Basic ' + Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64');

/** One concurrency: median requests per second with both on and both off, and the median of the rounds' on / off in percent. */
export interface MetricsFigure {
  connections: number; onRps: number; offRps: number; ratio: number;
  /** The median of the rounds' off2 / off (two daemons configured alike): how finely the method resolves. */
  aaRatio: number;
  /** The daemon's CPU time per answer (µs), median: less disturbed by a busy machine than req/s. */
  onCpuUs: number; offCpuUs: number;
  logLines: number;
}
/**
 * The three daemons loaded at once on one CPU: answers of "on" / "off" (and "off2" / "off") in
 * percent, the median of the rounds; the CPU cost of observing, measured in the same seconds.
 */
export interface MetricsShare { rounds: number; seconds: number; ratio: number; aaRatio: number }
/** The figures of one build; `pinned`: the load generator on CPU 0, the daemons on CPU 1; `share`: null unpinned. */
export interface MetricsBench { haas: string; route: string; pinned: boolean; figures: MetricsFigure[]; share: MetricsShare | null }

/** The CPUs this process may run on (taskset's list form), or null without taskset or with one CPU. */
function pinnable(): string | null {
  if (process.env.BENCH_METRICS_PIN === '0') return null;
  const r = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' });
  const cpus = /list:\s*(\S+)/.exec(r.stdout ?? '')?.[1];
  if (r.status !== 0 || !cpus) return null;
  const set = new Set(cpus.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return Array.from({ length: (b ?? a!) - a! + 1 }, (_, i) => a! + i);
  }));
  return set.has(0) && set.has(1) ? cpus : null;
}

/** Pin every thread of this process to `cpus`. */
function pinSelf(cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-c', '-p', cpus, String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset: ${r.stderr}`);
}

interface Daemon { name: string; config: string; child?: ChildProcess; dir: string; port: number; api?: Api; logFile: string }

async function start(cmd: string, args: string[], d: Daemon, cpu: string | null): Promise<void> {
  writeFileSync(join(d.dir, 'haas.conf'), d.config, { mode: 0o600 });
  writeFileSync(join(d.dir, 'pw'), ADMIN.password + '\n', { mode: 0o600 });
  const db = join(d.dir, 'haas.db');
  const made = spawnSync(cmd, [...args, 'admin', 'create-user', ADMIN.username, '--admin', '--password-file', join(d.dir, 'pw'), '--db', db, '--init'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`create-user: ${made.stderr}`);
  d.port = await freePort();
  // The log goes to a file, as with `haas serve --detach` (journald reads a pipe the same way).
  const log = openSync(d.logFile, 'a');
  const argv = [...args, 'serve', '--db', db, '--socket', join(d.dir, 'haas.sock'), '--listen', `127.0.0.1:${d.port}`,
    '--auth', 'database', '--config', join(d.dir, 'haas.conf')];
  // taskset execs the daemon: the child's pid is the daemon's.
  d.child = cpu === null ? spawn(cmd, argv, { stdio: ['ignore', 'ignore', log] })
    : spawn('taskset', ['-c', cpu, cmd, ...argv], { stdio: ['ignore', 'ignore', log] });
  closeSync(log);
  d.api = new Api('127.0.0.1', d.port, ADMIN, 16);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (d.child.exitCode !== null) throw new Error(`${d.name} exited ${d.child.exitCode}`);
    try { if ((await d.api.request('GET', '/v0/nodes/all')).status === 200) break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${d.name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await pool(Array.from({ length: NODES }, (_, i) => i), 16, (i) =>
    d.api!.ok('PUT', `/v0/node/n${i}`, { obm: { type: 'mock', host: `bmc${i}`, user: 'u', password: 'p' } }));
}

async function stop(d: Daemon): Promise<void> {
  d.api?.close();
  const c = d.child;
  if (c && c.exitCode === null) {
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The median of xs (sorts xs). */
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** User+system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Answers per second, and the daemon's CPU time per answer (µs), of one load run. */
interface Run { rps: number; cpuUs: number }

/** GET /v0/node/<n> over every node for `seconds` with `connections` clients (all must answer 200). */
async function load(d: Daemon, connections: number, seconds: number): Promise<Run> {
  const cpu0 = cpuSeconds(d.child!.pid!);
  const t0 = process.hrtime.bigint();
  const total = await requests(d.port, connections, seconds);
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rps: total / elapsed, cpuUs: (1e6 * (cpuSeconds(d.child!.pid!) - cpu0)) / total };
}

function requests(port: number, connections: number, seconds: number): Promise<number> {
  return new Promise((res, rej) => {
    let bad = 0;
    const inst = autocannon({
      url: `http://127.0.0.1:${port}`, connections, duration: seconds, pipelining: 1, headers: { authorization: AUTH },
      requests: Array.from({ length: NODES }, (_, i) => ({ method: 'GET', path: `/v0/node/n${i}` })),
    }, (err, result) => {
      if (err) { rej(err); return; }
      if (bad + result.errors + result.timeouts > 0) { rej(new Error(`${bad} bad answers, ${result.errors} errors`)); return; }
      res(result.requests.total);
    });
    inst.on('response', (_c: unknown, status: number) => { if (status !== 200) bad++; });
  });
}

/** Measure one build with metrics and the access log on, then off, interleaved. */
export async function benchMetrics(name: string, cmd: string, args: string[]): Promise<MetricsBench> {
  const root = mkdtempSync(join(tmpdir(), 'haas-bench-metrics-'));
  const base = '[drift]\ninterval = 0\n';
  const daemons: Daemon[] = [
    { name: 'on', config: base, dir: join(root, 'on'), port: 0, logFile: join(root, 'on.log') },
    { name: 'off', config: base + '[log]\naccess = off\n[metrics]\nenabled = off\n', dir: join(root, 'off'), port: 0, logFile: join(root, 'off.log') },
    { name: 'off2', config: base + '[log]\naccess = off\n[metrics]\nenabled = off\n', dir: join(root, 'off2'), port: 0, logFile: join(root, 'off2.log') },
  ];
  const cpus = pinnable();
  try {
    if (cpus !== null) pinSelf('0');
    for (const d of daemons) {
      mkdirSync(d.dir);
      await start(cmd, args, d, cpus === null ? null : '1');
      await load(d, 16, 1);
    }
    const figures: MetricsFigure[] = [];
    for (const c of CONCURRENCIES) {
      const pairs: { on: Run; off: Run; off2: Run }[] = [];
      for (let r = 0; r < PAIRS; r++) {
        const pair: Partial<Record<string, Run>> = {};
        for (let k = 0; k < daemons.length; k++) {
          const d = daemons[(k + r) % daemons.length]!;
          pair[d.name] = await load(d, c, DURATION);
        }
        pairs.push({ on: pair.on!, off: pair.off!, off2: pair.off2! });
      }
      const ratio = median(pairs.map((p) => (100 * p.on.rps) / p.off.rps));
      const aaRatio = median(pairs.map((p) => (100 * p.off2.rps) / p.off.rps));
      const onRps = median(pairs.map((p) => p.on.rps));
      const offRps = median(pairs.map((p) => p.off.rps));
      const on = { cpuUs: median(pairs.map((p) => p.on.cpuUs)) };
      const off = { cpuUs: median(pairs.map((p) => p.off.cpuUs)) };
      const logLines = readFileSync(daemons[0]!.logFile, 'utf8').split('\n').filter((l) => l.includes(' access ')).length;
      figures.push({ connections: c, onRps, offRps, ratio, aaRatio, onCpuUs: on.cpuUs, offCpuUs: off.cpuUs, logLines });
    }
    // CPU share: the three daemons loaded at once on their one CPU (c=8 each), so that they share the
    // host's every change of speed; each answers in proportion to 1 / its CPU time per answer.
    let share: MetricsShare | null = null;
    if (cpus !== null) {
      const rounds: Record<string, number>[] = [];
      for (let r = 0; r < SHARE_ROUNDS; r++) {
        const totals = await Promise.all(daemons.map((d) => requests(d.port, 8, SHARE_SECONDS)));
        rounds.push(Object.fromEntries(daemons.map((d, i) => [d.name, totals[i]!])));
      }
      share = { rounds: SHARE_ROUNDS, seconds: SHARE_SECONDS,
        ratio: median(rounds.map((t) => (100 * t.on!) / t.off!)), aaRatio: median(rounds.map((t) => (100 * t.off2!) / t.off!)) };
    }
    // The "on" daemon really did the work: its scrape counts the requests, its log has their lines.
    const scrape = await daemons[0]!.api!.ok('GET', '/metrics');
    if (!/haas_http_requests_total\{method="GET",route="\/v0\/node\/:node",status="200"\} [1-9]/.test(scrape.text)) throw new Error('the "on" daemon counted no requests');
    const off = await daemons[1]!.api!.request('GET', '/metrics');
    if (off.status !== 404) throw new Error(`the "off" daemon answers /metrics: ${off.status}`);
    return { haas: name, route: 'GET /v0/node/<n>, database auth', pinned: cpus !== null, figures, share };
  } finally {
    for (const d of daemons) await stop(d);
    if (cpus !== null) pinSelf(cpus);
    rmSync(root, { recursive: true, force: true });
  }
}

/** One line per concurrency, and one for the CPU share when measured. */
export function metricsReport(b: MetricsBench): string {
  const where = b.pinned ? 'load generator on CPU 0, daemons on CPU 1' : 'unpinned';
  const share = b.share === null ? [] : [`${b.haas}  ${b.route}  CPU share (the three daemons at once on CPU 1, c=8 each, median of ${b.share.rounds} rounds of ${b.share.seconds} s): on / off ${b.share.ratio.toFixed(1)} % (A/A: ${b.share.aaRatio.toFixed(1)} %)`];
  return [...b.figures.map((f) => `${b.haas}  ${b.route} (${where})  c=${String(f.connections).padEnd(2)} on ${f.onRps.toFixed(0)} req/s, off ${f.offRps.toFixed(0)} req/s: ${f.ratio.toFixed(1)} % (A/A: ${f.aaRatio.toFixed(1)} %); CPU/answer on ${f.onCpuUs.toFixed(1)} µs, off ${f.offCpuUs.toFixed(1)} µs (${f.logLines} access lines)`), ...share].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bin = resolve(process.argv[2] ?? 'dist/haas');
  benchMetrics(bin, bin, [])
    .then((r) => { console.log(metricsReport(r)); console.log(JSON.stringify(r)); })
    .catch((e) => { process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
}
