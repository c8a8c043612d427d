// haas benchmark: `npm run bench`.
//
// Starts haas daemons on a temp dir, builds an inventory through the API, and measures
// GET throughput (null and database auth) against two reference servers on bare node:http,
// connect_network -> DONE latency with the mock switch, CLI wall time, and daemon RSS; extras:
// OVS over SSH, headnodes, write throughput (bench/writes.ts), 1,000 leases ending at once (bench/leases.ts), the
// import of a 1,000-node inventory document (bench/import.ts), shell completion of a node name among 1,000
// (bench/completion.ts), the bulk node listing at 10,000 nodes (bench/listing.ts), `switch learn` and discovery of
// 48-port switches over SSH, OVS and SNMP (bench/learn.ts, bench/discover.ts), 50 viewers on one console
// (bench/consoles.ts), the CPU of logging 20 busy consoles (bench/console-log.ts), and the ones listed under
// "extras" below.
// Prints a table, writes bench/results.json and bench/results.md.
//
// Environment knobs:
//   BENCH_DURATION=1.5   seconds per throughput run (default 1.5; autocannon runs whole seconds, so 2: req/s is over the time measured)
//   BENCH_ROUNDS=3       rounds per figure; the best round is kept (default 3)
//   BENCH_HAAS=dist|tsx  force the daemon/CLI command (default: dist/haas if built, else tsx)
//   BENCH_HAAS_BIN=FILE  use this haas executable (e.g. a build elsewhere)
//   BENCH_BASELINE_BIN=FILE  also measure this haas executable (e.g. the build before a change; null auth, on a
//                        copy of the same database, so it must read this schema) in turn with the others
//   BENCH_CPU_PROF=DIR   run the daemons under `node --cpu-prof` (tsx only) and keep the profiles in DIR
//   BENCH_STRICT=1       exit 1 when a target is missed
//   BENCH_EXTRAS=0       skip the extras (every bench/<name>.ts that run.ts lists under "extras"; the lab ones need root and the lab packages, and skip otherwise);
//   BENCH_EXTRAS=a,b     run only the extras named (e.g. metrics,ui)
//   BENCH_TRUTH_ROUNDS=12 rounds (of 60 port changes) of bench/truth.ts (sshd killed mid-burst, drift counted; an extra: root and the lab)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../test/lib/daemon.js';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { Api, pool, stopChild } from './http.js';

const repoRoot = resolve(import.meta.dirname, '..');
const benchDir = import.meta.dirname;

const DURATION = Number(process.env.BENCH_DURATION ?? 1.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 0.5;
const NODES = 1000;
const BIG_NODES = 10_000;
const NETWORKS = 100;
const CONNECT_NODES = 100; // 2 nics each -> 200 connect_network actions
const CLI_RUNS = 20;
const SETUP_CONCURRENCY = 16;
const ADMIN = { username: 'admin', password: 'bench-password-1' };
const PROJECT = 'bench';
const SWITCH = 's';

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nodeName = (i: number) => `n${String(i).padStart(4, '0')}`;
const portName = (k: number) => `gi1/0/${k}`;
const mac = (i: number, j: number) => `02:00:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:0${j}`;

// ---------------------------------------------------------------- processes and cleanup

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function cleanupSync(): void {
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  children.clear();
  for (const d of tempDirs.splice(0)) { try { rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => { cleanupSync(); process.exit(130); });

/** User+system CPU seconds a process has used so far. */
function cpuSeconds(pid: number): number {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(r.stdout?.trim()) || 100;
})();

interface Mem { rssMiB: number; hwmMiB: number; anonMiB: number; fileMiB: number }
function readMem(pid: number): Mem {
  const st = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024, anonMiB: kb('RssAnon') / 1024, fileMiB: kb('RssFile') / 1024 };
}
const memText = (m: Mem) => `${fmt(m.rssMiB, 1)} MiB (anon ${fmt(m.anonMiB, 1)}, file-backed ${fmt(m.fileMiB, 1)}, peak ${fmt(m.hwmMiB, 1)})`;

// ---------------------------------------------------------------- haas

const distBin = process.env.BENCH_HAAS_BIN ? resolve(process.env.BENCH_HAAS_BIN) : join(repoRoot, 'dist', 'haas');
const profDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const useDist = process.env.BENCH_HAAS === 'dist' || !!process.env.BENCH_HAAS_BIN || (process.env.BENCH_HAAS !== 'tsx' && !profDir && existsSync(distBin));
if (useDist && !existsSync(distBin)) throw new Error(`${distBin} does not exist (npm run build)`);
const baselineBin = process.env.BENCH_BASELINE_BIN ? resolve(process.env.BENCH_BASELINE_BIN) : undefined;
const haasKind = useDist ? (process.env.BENCH_HAAS_BIN ? distBin : 'dist/haas') : 'node --import tsx src/main.ts';

/** The newest modification time under a directory (recursive). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const distStale = useDist && !process.env.BENCH_HAAS_BIN && statSync(distBin).mtimeMs < Math.max(newestMtime(join(repoRoot, 'src')), statSync(join(repoRoot, 'schema.sql')).mtimeMs);

function haasCmd(forDaemon = false): { cmd: string; args: string[] } {
  if (useDist) return { cmd: distBin, args: [] };
  const prof = forDaemon && profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  return { cmd: process.execPath, args: [...prof, '--import', 'tsx', join(repoRoot, 'src', 'main.ts')] };
}

function runHaas(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { cmd, args: pre } = haasCmd();
  const r = spawnSync(cmd, [...pre, ...args], { env: { ...process.env, ...env }, cwd: repoRoot, encoding: 'utf8', timeout: 60_000, input: '' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

class HaasDaemon {
  child?: ChildProcess;
  port = 0;
  api!: Api;
  /** `bin`: run this haas executable instead of the one measured (the baseline build). */
  constructor(readonly dir: string, readonly auth: 'null' | 'database', readonly bin?: string) { mkdirSync(dir, { recursive: true }); }
  get db() { return join(this.dir, 'haas.db'); }
  get socket() { return join(this.dir, 'haas.sock'); }
  get url() { return `http://127.0.0.1:${this.port}`; }
  get pid() { return this.child?.pid ?? 0; }
  get creds() { return this.auth === 'database' ? ADMIN : null; }
  get logFile() { return join(this.dir, 'haas.log'); }
  /**
   * The tail of the daemon's log. Its stderr (with the access log on, a line per request) goes to a
   * file, as with --detach or a log collector; piped into this process, reading it cost the measured
   * machine's CPU and took a fifth off haas's GET throughput at c=1.
   */
  get stderr(): string {
    try { return readFileSync(this.logFile, 'utf8').slice(-20_000); } catch { return ''; }
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const { cmd, args } = this.bin ? { cmd: this.bin, args: [] } : haasCmd(true);
    const argv = [...args, 'serve', '--db', this.db, '--socket', this.socket, '--listen', `127.0.0.1:${this.port}`, '--auth', this.auth];
    const logFd = openSync(this.logFile, 'a');
    const child = track(spawn(cmd, argv, { cwd: repoRoot, stdio: ['ignore', 'ignore', logFd] }));
    closeSync(logFd);
    this.child = child;
    this.api = new Api('127.0.0.1', this.port, this.creds, SETUP_CONCURRENCY);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`haas serve exited (${child.exitCode ?? child.signalCode}): ${this.stderr}`);
      try {
        const r = await this.api.request('GET', '/v0/nodes/all');
        if (r.status === 200) return;
        throw new Error(`GET /v0/nodes/all -> ${r.status} ${r.text}`);
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`haas serve did not answer: ${(e as Error).message}\n${this.stderr}`);
      }
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    this.api?.close();
    if (this.child) {
      const code = await stopChild(this.child);
      if (code !== 0) log(`haas serve exited with ${code}; stderr tail:\n${this.stderr.slice(-2000)}`);
    }
  }
}

// ---------------------------------------------------------------- reference servers

class RefServer {
  child!: ChildProcess;
  port = 0;
  stderr = '';
  constructor(readonly mode: 'const' | 'query', readonly arg: string) {}
  get url() { return `http://127.0.0.1:${this.port}`; }
  async start(): Promise<void> {
    const child = track(spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'refserver.ts'), this.mode, this.arg],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    child.stderr!.on('data', (d) => { this.stderr += d; });
    this.port = await new Promise<number>((res, rej) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /listening (\d+)/.exec(out);
        if (m) res(Number(m[1]));
      });
      child.once('exit', (code) => rej(new Error(`reference server ${this.mode} exited ${code}: ${this.stderr}`)));
    });
  }
  async stop(): Promise<void> { await stopChild(this.child); }
}

// ---------------------------------------------------------------- load generation

interface LoadResult { rps: number; p50: number; p99: number; count: number; bad: number; cpuUsPerReq?: number }

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

/** GET load over `paths` (rotated) with `connections` keep-alive connections for `seconds`. */
function load(base: string, paths: string[], connections: number, seconds: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const lat: number[] = [];
  let bad = 0;
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const inst = autocannon({
      url: base, connections, duration: seconds, pipelining: 1, headers,
      requests: paths.map((path) => ({ method: 'GET', path })),
    }, (err, result) => {
      if (err) { rej(err); return; }
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
      const sorted = Float64Array.from(lat).sort();
      bad += result.errors + result.timeouts;
      res({ rps: lat.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: lat.length, bad });
    });
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) lat.push(ms); else bad++;
    });
  });
}

const ENDPOINTS = [
  { key: 'node', label: 'GET /v0/node/<n>' },
  { key: 'free', label: 'GET /v0/nodes/free' },
  { key: 'networks', label: 'GET /v0/networks' },
] as const;
type EndpointKey = (typeof ENDPOINTS)[number]['key'];
const CONCURRENCIES = [1, 16] as const;
type ServerKey = 'haasNull' | 'haasDb' | 'refQuery' | 'refConst' | 'baseline';
const SERVER_LABEL: Record<ServerKey, string> = {
  haasNull: 'haas, null auth', haasDb: 'haas, database auth', refQuery: 'ref: same queries', refConst: 'ref: constant body',
  baseline: 'baseline build, null',
};

interface ThroughputRow extends LoadResult { server: ServerKey; endpoint: EndpointKey; connections: number; rounds: LoadResult[] }
const throughput: ThroughputRow[] = [];

function pathsFor(endpoint: EndpointKey, nodes: number): string[] {
  if (endpoint === 'node') return Array.from({ length: nodes }, (_, i) => `/v0/node/${nodeName(i)}`);
  if (endpoint === 'free') return ['/v0/nodes/free'];
  return ['/v0/networks'];
}

interface Target { server: ServerKey; base: string; headers: Record<string, string>; pid: number }

/**
 * Throughput of every target on every endpoint and concurrency. The targets are measured in
 * turn (rotating the order) for ROUNDS rounds, so that noise from other processes on the
 * machine hits them alike; each figure is the best round (the least disturbed one).
 */
async function measureAll(targets: Target[]): Promise<void> {
  for (const ep of ENDPOINTS) {
    const paths = pathsFor(ep.key, NODES);
    for (const t of targets) {
      const warm = await load(t.base, paths, 16, WARMUP, t.headers);
      if (warm.count === 0 || warm.bad > 0) throw new Error(`${SERVER_LABEL[t.server]}: ${ep.label}: ${warm.count} answers 2xx, ${warm.bad} errors/non-2xx during warm-up`);
    }
    for (const c of CONCURRENCIES) {
      const rounds = new Map<ServerKey, LoadResult[]>(targets.map((t) => [t.server, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + r) % targets.length]!;
          const cpu0 = cpuSeconds(t.pid);
          const res = await load(t.base, paths, c, DURATION, t.headers);
          res.cpuUsPerReq = ((cpuSeconds(t.pid) - cpu0) * 1e6) / Math.max(1, res.count);
          rounds.get(t.server)!.push(res);
        }
      }
      for (const t of targets) {
        const rs = rounds.get(t.server)!;
        const best = rs.reduce((a, b) => (b.rps > a.rps ? b : a));
        const bad = rs.reduce((a, b) => a + b.bad, 0);
        const cpuList = rs.map((x) => x.cpuUsPerReq ?? NaN).sort((x, y) => x - y);
        throughput.push({ server: t.server, endpoint: ep.key, connections: c, ...best, bad, rounds: rs, cpuUsPerReq: cpuList[Math.floor(cpuList.length / 2)] });
        log(`${SERVER_LABEL[t.server].padEnd(20)} ${ep.label.padEnd(20)} c=${String(c).padEnd(2)} ${best.rps.toFixed(0).padStart(6)} req/s  p50 ${best.p50.toFixed(2)} ms  p99 ${best.p99.toFixed(2)} ms  ${(cpuList[Math.floor(cpuList.length / 2)] ?? NaN).toFixed(1)} us CPU/req  (rounds: ${rs.map((x) => x.rps.toFixed(0)).join(', ')})${bad ? `  ${bad} errors/non-2xx` : ''}`);
      }
    }
  }
}

const basicHeader = (c: { username: string; password: string }) => ({ authorization: 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64') });

// ---------------------------------------------------------------- inventory

const setupStats: { phase: string; requests: number; seconds: number }[] = [];

async function timed(phase: string, n: number, fn: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  setupStats.push({ phase, requests: n, seconds: s });
  log(`${phase}: ${n} requests in ${s.toFixed(2)} s (${(n / s).toFixed(0)} req/s)`);
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const enc = encodeURIComponent;

async function registerNodes(api: Api, from: number, to: number, cable: boolean): Promise<void> {
  const idx = range(from, to);
  await timed(`register nodes ${from}..${to - 1}`, idx.length, () => pool(idx, SETUP_CONCURRENCY, (i) =>
    api.ok('PUT', `/v0/node/${nodeName(i)}`, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } })));
  const nics = idx.flatMap((i) => [[i, 0], [i, 1]] as const);
  await timed(`register nics`, nics.length, () => pool(nics, SETUP_CONCURRENCY, ([i, j]) =>
    api.ok('PUT', `/v0/node/${nodeName(i)}/nic/eth${j}`, { macaddr: mac(i, j) })));
  if (!cable) return;
  const ports = idx.flatMap((i) => [2 * i + 1, 2 * i + 2]);
  await timed(`register ports`, ports.length, () => pool(ports, SETUP_CONCURRENCY, (k) =>
    api.ok('PUT', `/v0/switch/${SWITCH}/port/${enc(portName(k))}`)));
  await timed(`cable nics`, nics.length, () => pool(nics, SETUP_CONCURRENCY, ([i, j]) =>
    api.ok('POST', `/v0/switch/${SWITCH}/port/${enc(portName(2 * i + 1 + j))}/connect_nic`, { node: nodeName(i), nic: `eth${j}` })));
}

async function buildInventory(api: Api): Promise<void> {
  await api.ok('PUT', `/v0/project/${PROJECT}`);
  await api.ok('PUT', `/v0/switch/${SWITCH}`, { type: 'mock', hostname: 'h', username: 'u', password: 'p' });
  await timed('create networks', NETWORKS, () => pool(range(0, NETWORKS), SETUP_CONCURRENCY, (i) =>
    api.ok('PUT', `/v0/network/net${i}`, { owner: 'admin', access: '', net_id: '' })));
  await registerNodes(api, 0, NODES, true);
}

// ---------------------------------------------------------------- connect_network latency

interface LatencyStats { n: number; errors: number; p50: number; p99: number; mean: number; max: number }

async function connectLatency(api: Api): Promise<LatencyStats> {
  const nodes = range(0, CONNECT_NODES);
  await pool(nodes, SETUP_CONCURRENCY, (i) => api.ok('POST', `/v0/project/${PROJECT}/connect_node`, { node: nodeName(i) }));
  const poller = new Api(api.host, api.port, api.creds, 1);
  const times: number[] = [];
  let errors = 0;
  try {
    let k = 0;
    for (const i of nodes) {
      for (const j of [0, 1]) {
        const net = `net${k++ % NETWORKS}`;
        const t0 = performance.now();
        const r = await poller.ok('POST', `/v0/node/${nodeName(i)}/nic/eth${j}/connect_network`, { network: net });
        const id = r.json?.status_id;
        if (typeof id !== 'string') throw new Error(`connect_network answered ${r.status} ${r.text}`);
        for (;;) {
          const s = await poller.ok('GET', `/v0/networking_action/${id}`);
          if (s.json?.status === 'DONE') { times.push(performance.now() - t0); break; }
          if (s.json?.status !== 'PENDING') { errors++; log(`action ${id}: ${s.text}`); break; }
          if (performance.now() - t0 > 30_000) throw new Error(`action ${id} still PENDING after 30 s`);
          await sleep(1);
        }
      }
    }
  } finally {
    poller.close();
  }
  const sorted = Float64Array.from(times).sort();
  const st = {
    n: times.length, errors, p50: percentile(sorted, 50), p99: percentile(sorted, 99),
    mean: times.reduce((a, b) => a + b, 0) / Math.max(1, times.length), max: sorted[sorted.length - 1] ?? NaN,
  };
  log(`connect_network -> DONE: n=${st.n} p50 ${st.p50.toFixed(2)} ms p99 ${st.p99.toFixed(2)} ms max ${st.max.toFixed(1)} ms errors ${errors}`);
  return st;
}

// ---------------------------------------------------------------- CLI wall time

interface CliStats { haasMean: number; haasMedian: number; nodeMean: number; nodeMedian: number; ratioMedian: number; ratioMean: number; runs: number }

function cliTiming(socket: string): CliStats {
  const env = { ...process.env, HAAS_ENDPOINT: `unix:${socket}` };
  const { cmd, args } = haasCmd();
  const haasArgv = [...args, 'node', 'list', 'free'];
  const one = (c: string, a: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(c, a, { env, cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${c} ${a.join(' ')} exited ${r.status}: ${r.stderr}`);
    return { ms, out: r.stdout };
  };
  const first = one(cmd, haasArgv);
  if (!first.out.includes(nodeName(NODES - 1))) throw new Error(`haas node list free did not list ${nodeName(NODES - 1)}: ${first.out.slice(0, 300)}`);
  one(process.execPath, ['-e', '0']);
  const h: number[] = [];
  const n: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    h.push(one(cmd, haasArgv).ms);
    n.push(one(process.execPath, ['-e', '0']).ms);
  }
  const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2; };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const st = {
    haasMean: mean(h), haasMedian: med(h), nodeMean: mean(n), nodeMedian: med(n),
    ratioMedian: med(h) / med(n), ratioMean: mean(h) / mean(n), runs: CLI_RUNS,
  };
  log(`CLI: haas node list free median ${st.haasMedian.toFixed(1)} ms, node -e 0 median ${st.nodeMedian.toFixed(1)} ms, ratio ${st.ratioMedian.toFixed(2)}`);
  return st;
}

// ---------------------------------------------------------------- output

interface Figure { name: string; value: number; unit: string; target: string; pass: boolean | null; note?: string }
const figures: Figure[] = [];

function fmt(v: number, digits = 0): string { return Number.isFinite(v) ? v.toFixed(digits) : 'n/a'; }

function table(head: string[], rows: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/</g, '&lt;').replace(/>/g, '&gt;');
  head = head.map(esc);
  rows = rows.map((r) => r.map(esc));
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function get(server: ServerKey, endpoint: EndpointKey, c: number): ThroughputRow | undefined {
  return throughput.find((r) => r.server === server && r.endpoint === endpoint && r.connections === c);
}

function throughputRows(): { head: string[]; rows: string[][] } {
  const head = ['endpoint', 'c', 'haas null req/s', 'p50/p99 ms', 'haas db-auth req/s', 'p50/p99 ms', 'db/null',
    'ref same-query req/s', 'null/ref', 'db/ref', 'ref constant req/s', 'null/const', 'db/const'];
  const rows: string[][] = [];
  for (const ep of ENDPOINTS) {
    for (const c of CONCURRENCIES) {
      const hn = get('haasNull', ep.key, c), hd = get('haasDb', ep.key, c), rq = get('refQuery', ep.key, c), rc = get('refConst', ep.key, c);
      const lat = (r?: ThroughputRow) => (r ? `${r.p50.toFixed(2)}/${r.p99.toFixed(2)}` : 'n/a');
      const ratio = (a?: ThroughputRow, b?: ThroughputRow) => (a && b ? `${((100 * a.rps) / b.rps).toFixed(0)}%` : 'n/a');
      rows.push([ep.label, String(c), fmt(hn?.rps ?? NaN), lat(hn), fmt(hd?.rps ?? NaN), lat(hd), ratio(hd, hn),
        fmt(rq?.rps ?? NaN), ratio(hn, rq), ratio(hd, rq), fmt(rc?.rps ?? NaN), ratio(hn, rc), ratio(hd, rc)]);
    }
  }
  return { head, rows };
}

function cpuRows(): { head: string[]; rows: string[][] } {
  const head = ['endpoint', 'c', 'haas null', 'haas db-auth', 'ref same-query', 'ref constant', 'ref/haas null', 'ref/haas db'];
  const rows: string[][] = [];
  for (const ep of ENDPOINTS) {
    for (const c of CONCURRENCIES) {
      const v = (k: ServerKey) => get(k, ep.key, c)?.cpuUsPerReq ?? NaN;
      rows.push([ep.label, String(c), fmt(v('haasNull'), 1), fmt(v('haasDb'), 1), fmt(v('refQuery'), 1), fmt(v('refConst'), 1),
        `${fmt((100 * v('refQuery')) / v('haasNull'))}%`, `${fmt((100 * v('refQuery')) / v('haasDb'))}%`]);
    }
  }
  return { head, rows };
}

function figureRows(): { head: string[]; rows: string[][] } {
  return {
    head: ['figure', 'value', 'target', 'result'],
    rows: figures.map((f) => [f.name, `${f.unit === '%' ? fmt(f.value, 1) : fmt(f.value, f.unit === 'ms' || f.unit === 'x' ? 2 : 1)} ${f.unit}`.trim(),
      f.target, f.pass === null ? 'n/a' : f.pass ? 'PASS' : 'FAIL']),
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-'));
  tempDirs.push(dir);
  if (profDir) mkdirSync(profDir, { recursive: true });
  log(`haas: ${haasKind}; ${cpus().length} CPUs; node ${process.version}; temp dir ${dir}`);
  if (distStale) log('WARNING: dist/haas is older than src/ or schema.sql: run `npm run build` first (or BENCH_HAAS=tsx)');

  // --- daemon A: null auth, 1,000 nodes built through the API
  const a = new HaasDaemon(join(dir, 'a'), 'null');
  await a.start();
  log(`haas serve (null auth) pid ${a.pid} on ${a.url}`);
  await buildInventory(a.api);
  const latency = await connectLatency(a.api);

  // bodies haas serves, for the constant server and for checking the same-query server
  const samplePaths = ['/v0/node/n0000', `/v0/node/${nodeName(NODES / 2)}`, '/v0/nodes/free', '/v0/networks'];
  const haasBodies: Record<string, string> = {};
  for (const p of samplePaths) haasBodies[p] = (await a.api.ok('GET', p)).text;

  // copies of A's database (online backup): one for the reference server, one for daemon B
  const refDb = join(dir, 'ref.db');
  const b = new HaasDaemon(join(dir, 'b'), 'database');
  const base = baselineBin ? new HaasDaemon(join(dir, 'base'), 'null', baselineBin) : null;
  {
    const src = new Database(a.db, { readonly: true, fileMustExist: true });
    await src.backup(refDb);
    await src.backup(b.db);
    if (base) await src.backup(base.db);
    src.close();
  }
  if (base) {
    await base.start();
    log(`baseline build ${baselineBin} (null auth) pid ${base.pid} on ${base.url}`);
  }

  // --- daemon B: database auth on the same inventory
  const pwFile = join(dir, 'admin.pw');
  writeFileSync(pwFile, ADMIN.password + '\n', { mode: 0o600 });
  const cu = runHaas(['admin', 'create-user', ADMIN.username, '--admin', '--password-file', pwFile, '--db', b.db, '--init']);
  if (cu.code !== 0) throw new Error(`haas admin create-user failed (${cu.code}): ${cu.stderr}`);
  await b.start();
  log(`haas serve (database auth) pid ${b.pid} on ${b.url}`);
  const authed = await b.api.request('GET', '/v0/node/n0000');
  const anonymous = new Api('127.0.0.1', b.port, null, 1);
  const unauthed = await anonymous.request('GET', '/v0/node/n0000');
  anonymous.close();
  if (authed.status !== 200 || unauthed.status !== 401) {
    throw new Error(`database auth check: with credentials ${authed.status}, without ${unauthed.status} (want 200, 401)`);
  }

  // --- reference servers
  const bodiesFile = join(dir, 'bodies.json');
  writeFileSync(bodiesFile, JSON.stringify({ node: haasBodies[`/v0/node/${nodeName(NODES / 2)}`], free: haasBodies['/v0/nodes/free'], networks: haasBodies['/v0/networks'] }));
  const refQuery = new RefServer('query', refDb);
  const refConst = new RefServer('const', bodiesFile);
  await refQuery.start();
  await refConst.start();
  const mismatches: string[] = [];
  {
    const api = new Api('127.0.0.1', refQuery.port, null, 1);
    for (const p of samplePaths) {
      const r = await api.ok('GET', p);
      if (!isDeepStrictEqual(JSON.parse(r.text), JSON.parse(haasBodies[p]!))) {
        mismatches.push(p);
        log(`WARNING: reference answers ${p} differently from haas:\n  haas: ${haasBodies[p]!.slice(0, 400)}\n  ref:  ${r.text.slice(0, 400)}`);
      }
    }
    api.close();
  }

  // --- throughput, all four servers in turn
  await measureAll([
    { server: 'haasNull', base: a.url, headers: {}, pid: a.pid },
    { server: 'haasDb', base: b.url, headers: basicHeader(ADMIN), pid: b.pid },
    { server: 'refQuery', base: refQuery.url, headers: {}, pid: refQuery.child.pid ?? 0 },
    { server: 'refConst', base: refConst.url, headers: {}, pid: refConst.child.pid ?? 0 },
    ...(base ? [{ server: 'baseline' as const, base: base.url, headers: {}, pid: base.pid }] : []),
  ]);
  const memA = readMem(a.pid);
  const memB = readMem(b.pid);
  log(`RSS at ${NODES} nodes after load: null auth ${memText(memA)}, database auth ${memText(memB)}`);
  await Promise.all([refQuery.stop(), refConst.stop(), b.stop(), base?.stop()]);

  // --- CLI wall time against A (nothing else running)
  const cli = cliTiming(a.socket);

  // --- A grows to 10,000 nodes
  log(`registering ${BIG_NODES - NODES} more nodes on daemon A`);
  await registerNodes(a.api, NODES, BIG_NODES, false);
  await load(a.url, pathsFor('node', BIG_NODES), 16, 2);
  await load(a.url, pathsFor('free', BIG_NODES), 16, 1);
  await load(a.url, pathsFor('networks', BIG_NODES), 16, 1);
  const bigNode = await load(a.url, pathsFor('node', BIG_NODES), 16, 2);
  const memC = readMem(a.pid);
  log(`RSS at ${BIG_NODES} nodes after load: ${memText(memC)}; GET /node c=16 ${bigNode.rps.toFixed(0)} req/s`);
  await a.stop();

  // --- optional benchmarks of other parts (need the lab packages; each skips with a reason otherwise)
  const extras: Record<string, unknown> = {};
  // BENCH_EXTRAS=a,b: only those; unset (or 1): all of them.
  const onlyExtras = (process.env.BENCH_EXTRAS ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '' && x !== '1');
  if (process.env.BENCH_EXTRAS !== '0') {
    for (const [name, run] of [
      ['ovs', async () => (await import('./ovs.js')).benchOvs()],
      ['headnodes', async () => (await import('./headnode.js')).benchHeadnodes()],
      ['writes', async () => (await import('./writes.js')).benchWrites([{ name: haasKind, ...haasCmd(true) }])],
      ['truth', async () => (await import('./truth.js')).benchTruth()],
      ['leases', async () => { const c = haasCmd(true); return (await import('./leases.js')).benchLeases(c.cmd, c.args); }],
      ['import', async () => { const c = haasCmd(true); return (await import('./import.js')).benchImport(c.cmd, c.args); }],
      ['completion', async () => { const c = haasCmd(); return (await import('./completion.js')).benchCompletion(c.cmd, c.args); }],
      ['listing', async () => { const c = haasCmd(true); return (await import('./listing.js')).benchListing(c.cmd, c.args); }],
      ['learn', async () => (await import('./learn.js')).benchLearn()],
      ['metrics', async () => { const c = haasCmd(true); return (await import('./metrics.js')).benchMetrics(haasKind, c.cmd, c.args); }],
      ['consoleLogs', async () => (await import('./console-log.js')).benchConsoleLogs()],
      ['discover', async () => (await import('./discover.js')).benchDiscover()],
      ['consoles', async () => { const c = haasCmd(true); return (await import('./consoles.js')).benchConsoles(c.cmd, c.args); }],
      ['ui', async () => { const c = haasCmd(true); return (await import('./ui.js')).benchUi(c.cmd, c.args); }],
    ] as const) {
      if (onlyExtras.length > 0 && !onlyExtras.includes(name)) continue;
      log(`extra benchmark: ${name}`);
      try { extras[name] = await run(); } catch (e) { extras[name] = { error: e instanceof Error ? e.message : String(e) }; }
      log(`${name}: ${JSON.stringify(extras[name])}`);
    }
  }

  // --- figures
  const ratio = (x?: ThroughputRow, y?: ThroughputRow) => (x && y ? (100 * x.rps) / y.rps : NaN);
  const pct = (v: number, min: number) => (Number.isFinite(v) ? v >= min : false);
  for (const cc of CONCURRENCIES) {
    const v = ratio(get('haasNull', 'node', cc), get('refQuery', 'node', cc));
    figures.push({ name: `GET /node c=${cc}: haas null auth / same-query reference`, value: v, unit: '%', target: cc === 16 ? '>= 85%' : 'info', pass: cc === 16 ? pct(v, 85) : null });
  }
  {
    const cq = get('refQuery', 'node', 16)?.cpuUsPerReq ?? NaN, ch = get('haasNull', 'node', 16)?.cpuUsPerReq ?? NaN;
    figures.push({ name: 'GET /node c=16: same-query reference CPU/request / haas CPU/request', value: (100 * cq) / ch, unit: '%', target: 'info', pass: null });
    const cd = get('haasDb', 'node', 16)?.cpuUsPerReq ?? NaN;
    figures.push({ name: 'GET /node c=16: haas CPU/request null auth / database auth', value: (100 * ch) / cd, unit: '%', target: 'info', pass: null });
  }
  for (const ep of ENDPOINTS) {
    for (const cc of CONCURRENCIES) {
      const v = ratio(get('haasDb', ep.key, cc), get('haasNull', ep.key, cc));
      figures.push({ name: `${ep.label} c=${cc}: database auth / null auth`, value: v, unit: '%', target: '>= 90%', pass: pct(v, 90) });
    }
  }
  if (base) {
    for (const ep of ENDPOINTS) {
      for (const cc of CONCURRENCIES) {
        const v = ratio(get('haasNull', ep.key, cc), get('baseline', ep.key, cc));
        const cpu = (100 * (get('baseline', ep.key, cc)?.cpuUsPerReq ?? NaN)) / (get('haasNull', ep.key, cc)?.cpuUsPerReq ?? NaN);
        figures.push({ name: `${ep.label} c=${cc}: this build / baseline build, req/s (CPU/request: baseline / this ${fmt(cpu)}%)`, value: v, unit: '%', target: 'info', pass: null });
      }
    }
  }
  const ovs = extras.ovs as import('./ovs.js').OvsBenchResult | undefined;
  if (ovs?.batched) {
    figures.push({ name: `ovs over SSH: ${ovs.changes} port changes queued at once, first queued -> last DONE`, value: ovs.batched.totalMs, unit: 'ms', target: '< 1000 ms', pass: ovs.batched.totalMs < 1000 });
    figures.push({ name: 'ovs over SSH: per-action latency to DONE p50 / p99', value: ovs.batched.p50Ms, unit: `ms / ${ovs.batched.p99Ms} ms`, target: 'info', pass: null });
  }
  if (ovs?.sessionPerChange) {
    figures.push({ name: `ovs over SSH: the same ${ovs.changes} changes, one SSH session each`, value: ovs.sessionPerChange.totalMs, unit: 'ms', target: 'info', pass: null });
  }
  const hn = extras.headnodes as import('./headnode.js').HeadnodeBench | { skipped: string } | undefined;
  if (hn && 'singleMedianMs' in hn) {
    figures.push({ name: `headnode create+start -> ready on serial (${hn.accel}), median of ${hn.rounds}`, value: hn.singleMedianMs, unit: 'ms', target: 'info', pass: null });
    figures.push({ name: `five headnodes at once -> all ready (${hn.accel}); ${hn.qemuRssMiB} MiB RSS per QEMU`, value: hn.fiveAtOnceMs, unit: 'ms', target: 'info', pass: null });
  }
  const writes = extras.writes as import('./writes.js').WriteBench[] | undefined;
  for (const f of Array.isArray(writes) ? writes[0]?.figures ?? [] : []) {
    figures.push({ name: `writes (PUT + DELETE /project, each on disk before its answer) c=${f.connections}: writes/s, p99 ${fmt(f.p99ms, 1)} ms`, value: f.rps, unit: 'writes/s', target: 'info', pass: null });
  }
  const truth = extras.truth as import('./truth.js').TruthBenchResult | undefined;
  if (truth?.driftPerRound) {
    const drift = truth.driftPerRound.reduce((a, b) => a + b, 0);
    figures.push({ name: `sshd killed mid-burst, ${truth.rounds} rounds x ${truth.portsPerRound} ports: ports drifting afterwards (${truth.done} DONE, ${truth.error} ERROR, ${truth.readBack} read back)`,
      value: drift, unit: 'ports', target: '0', pass: drift === 0 });
  }
  const listing = extras.listing as import('./listing.js').ListingBench | undefined;
  if (listing?.allPagesMs !== undefined) {
    figures.push({ name: `GET /v0/node_details, every page (${listing.pages}) of ${listing.nodes} nodes with nic, port, network and lease`,
      value: listing.allPagesMs, unit: 'ms', target: 'info', pass: null });
    figures.push({ name: `haas node list --long -o csv, ${listing.nodes} nodes (wall time)`, value: listing.cliMs, unit: 'ms', target: 'info', pass: null });
  }
  const clog = extras.consoleLogs as import('./console-log.js').ConsoleLogBench | { skipped: string } | undefined;
  if (clog && 'loggingCpuPercent' in clog) {
    figures.push({ name: `daemon CPU logging ${clog.consoles} busy SOL consoles (${clog.linesPerSecondEach} lines/s each, ${Math.round(clog.loggedBytesPerSecond / 1024)} KiB/s logged; idle ${clog.idleCpuPercent} %)`,
      value: clog.loggingCpuPercent, unit: '% of a core', target: 'info', pass: null });
  }
  const leases = extras.leases as import('./leases.js').LeaseBench | undefined;
  if (leases?.allQueuedMs !== undefined) {
    figures.push({ name: `${leases.nodes} leases ending at once (one network each, mock switch): end time -> every detach queued`,
      value: leases.allQueuedMs, unit: 'ms', target: '<= 1000 ms', pass: leases.allQueuedMs <= 1000 });
    figures.push({ name: `${leases.nodes} leases ending at once: end time -> every node released (all free seen after ${leases.allFreeSeenMs} ms)`,
      value: leases.allReleasedMs, unit: 'ms', target: 'info', pass: null });
  }
  const imported = extras.import as import('./import.js').ImportBench | undefined;
  if (imported?.importMs !== undefined) {
    figures.push({ name: `haas import of a ${imported.nodes}-node document (${imported.objects} objects, ${imported.documentKiB} KiB YAML; dry run ${imported.dryRunMs} ms, again ${imported.againMs} ms, as JSON ${imported.jsonImportMs} ms)`,
      value: imported.importMs, unit: 'ms', target: '< 5000 ms', pass: imported.importMs < 5000 });
  }
  const completion = extras.completion as import('./completion.js').CompletionBench | undefined;
  if (completion?.medianMs !== undefined) {
    figures.push({ name: `shell completion of a node name, ${completion.nodes} nodes (\`haas __complete node show n04\`, median of ${completion.runs}; p90 ${fmt(completion.p90Ms, 1)} ms, \`node -e 0\` ${fmt(completion.nodeMedianMs, 1)} ms)`,
      value: completion.medianMs, unit: 'ms', target: '< 200 ms', pass: completion.medianMs < 200 });
  }
  const learn = extras.learn as import('./learn.js').LearnBench | undefined;
  for (const [part, what] of [['ssh', 'NX-OS emulator over SSH'], ['ovs', 'Open vSwitch'], ['snmp', 'SNMP Q-BRIDGE']] as const) {
    const f = learn?.[part];
    if (!f || !('coldMs' in f)) continue;
    figures.push({ name: `switch learn, 48 ports (${what}): plan cold (connect included) / warm median ${fmt(f.warmMedianMs, 1)} ms / --apply ${fmt(f.applyMs, 1)} ms`,
      value: f.coldMs, unit: 'ms', target: '< 2000 ms', pass: f.coldMs < 2000 && f.applyMs < 2000 && f.connected === 48 });
  }
  const observing = extras.metrics as import('./metrics.js').MetricsBench | undefined;
  for (const f of observing?.figures ?? []) {
    figures.push({ name: `GET /v0/node/<n> c=${f.connections}, database auth: /metrics and access log on / both off (median of rounds${observing!.pinned ? ', load generator and daemons on CPUs of their own' : ''}; A/A ${fmt(f.aaRatio, 1)} %; CPU/answer ${fmt(f.onCpuUs, 0)} / ${fmt(f.offCpuUs, 0)} us)`,
      value: f.ratio, unit: '%', target: '>= 95%', pass: f.ratio >= 95 });
  }
  if (observing?.share) {
    figures.push({ name: `GET /v0/node/<n>, database auth: the same three daemons at once on one CPU (c=8 each), answers of on / off (median of ${observing.share.rounds} rounds of ${observing.share.seconds} s; A/A ${fmt(observing.share.aaRatio, 1)} %)`,
      value: observing.share.ratio, unit: '%', target: 'info', pass: null });
  }
  const discover = extras.discover as import('./discover.js').DiscoverBench | undefined;
  for (const f of discover?.figures ?? []) {
    figures.push({ name: `discover a ${f.ports}-port switch, fresh session (${f.switch}): median of runs, max ${f.maxMs} ms`,
      value: f.medianMs, unit: 'ms', target: '< 2000 ms', pass: f.medianMs < 2000 });
  }
  const consoles = extras.consoles as import('./consoles.js').ConsoleBench | undefined;
  if (consoles?.lastViewerP50Ms !== undefined) {
    figures.push({ name: `${consoles.viewers} viewers on one console (mock OBM): typed -> echo on the last viewer p50 / p99 (alone: ${consoles.aloneP50Ms.toFixed(2)} / ${consoles.aloneP99Ms.toFixed(1)} ms)`,
      value: consoles.lastViewerP50Ms, unit: 'ms', target: 'info', pass: null, note: `p99 ${consoles.lastViewerP99Ms.toFixed(1)} ms` });
    figures.push({ name: `${consoles.viewers} viewers on one console, 100 lines/s: daemon CPU (writer alone: ${consoles.cpuAlonePercent.toFixed(1)} %)`,
      value: consoles.cpuPercent, unit: '%', target: 'info', pass: null });
  }
  figures.push({ name: 'connect_network -> DONE p50 (mock switch)', value: latency.p50, unit: 'ms', target: '<= 20 ms', pass: latency.errors === 0 && latency.p50 <= 20 });
  figures.push({ name: 'connect_network -> DONE p99 (mock switch)', value: latency.p99, unit: 'ms', target: 'info', pass: null });
  figures.push({ name: `CLI \`haas node list free\` median / \`node -e 0\` median (${useDist ? 'dist/haas' : 'tsx, not the built executable'})`,
    value: cli.ratioMedian, unit: 'x', target: '<= 1.5x', pass: useDist ? cli.ratioMedian <= 1.5 : null });
  figures.push({ name: `daemon RSS at ${NODES} nodes, after load`, value: memA.rssMiB, unit: 'MiB', target: 'info', pass: null });
  figures.push({ name: `daemon RSS at ${BIG_NODES} nodes, after load`, value: memC.rssMiB, unit: 'MiB', target: '<= 100 MiB', pass: memC.rssMiB <= 100 });

  const tp = throughputRows();
  const cp = cpuRows();
  const fr = figureRows();
  const badRuns = throughput.filter((r) => r.bad > 0);
  const notes = [
    `haas command: ${haasKind}. ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), node ${process.version}. Load generator: autocannon in the bench process (daemon and reference servers each in their own process), best of ${ROUNDS} interleaved runs of ${DURATION} s per figure (after a ${WARMUP} s warm-up), keep-alive, GET /node rotating over ${NODES} nodes.`,
    `connect_network: ${latency.n} actions one at a time, polled every ~1 ms; mean ${fmt(latency.mean, 2)} ms, max ${fmt(latency.max, 1)} ms, errors ${latency.errors}.`,
    `CLI (${cli.runs} runs each): haas node list free mean ${fmt(cli.haasMean, 1)} ms / median ${fmt(cli.haasMedian, 1)} ms; node -e 0 mean ${fmt(cli.nodeMean, 1)} ms / median ${fmt(cli.nodeMedian, 1)} ms; ratio of means ${fmt(cli.ratioMean, 2)}x.`,
    `VmRSS after load: ${NODES} nodes ${memText(memA)}; database-auth daemon ${memText(memB)}; ${BIG_NODES} nodes ${memText(memC)}. GET /node c=16 at ${BIG_NODES} nodes: ${fmt(bigNode.rps)} req/s.`,
    `Inventory build: ${setupStats.map((s) => `${s.phase} ${fmt(s.requests / s.seconds)} req/s`).join('; ')}.`,
  ];
  notes.push('The same-query reference calls haas\'s own store functions (src/db/store/) for show_node, /nodes/free and /networks, so it runs the same prepared statements (a request\'s reads in one read transaction, as haas does), and builds the same JSON.');
  if (base) notes.push(`Baseline build: ${baselineBin}, null auth, on a copy of the same database, measured in turn with the others.`);
  if (distStale) notes.push('WARNING: dist/haas was older than src/ (a stale build was measured).');
  if (mismatches.length) notes.push(`WARNING: the same-query reference's JSON differs from haas's for ${mismatches.join(', ')}.`);
  if (badRuns.length) notes.push(`WARNING: errors or non-2xx answers in ${badRuns.map((r) => `${r.server} ${r.endpoint} c=${r.connections} (${r.bad})`).join(', ')}.`);

  const date = new Date().toISOString();
  console.log(`\nhaas benchmark, ${date}\n`);
  console.log(table(tp.head, tp.rows));
  console.log('\nserver CPU time per request (us, median of the rounds; less noise-prone than req/s on a busy machine):');
  console.log(table(cp.head, cp.rows));
  console.log('');
  console.log(table(fr.head, fr.rows));
  console.log('');
  for (const n of notes) console.log(n);

  const extraMd = Object.entries(extras).flatMap(([k, v]) => [`- ${k}: \`${JSON.stringify(v)}\``]);
  const md = [`### Benchmark (${date.slice(0, 10)}, \`npm run bench\`)`, '', mdTable(fr.head, fr.rows), '', mdTable(tp.head, tp.rows), '', 'Server CPU time per request (µs):', '', mdTable(cp.head, cp.rows), '', ...notes.map((n) => `- ${n}`), ...(extraMd.length ? ['', 'Other benchmarks (raw results):', '', ...extraMd] : []), ''].join('\n');
  console.log('\n' + md);
  writeFileSync(join(benchDir, 'results.md'), md);
  const results = {
    date, node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model,
    haas: haasKind, baseline: baselineBin ?? null, distStale, durationSeconds: DURATION, rounds: ROUNDS, warmupSeconds: WARMUP, nodes: NODES, bigNodes: BIG_NODES,
    figures, allPass: figures.every((f) => f.pass !== false),
    throughput: throughput.map((r) => ({ server: r.server, endpoint: r.endpoint, connections: r.connections, rps: r.rps, p50ms: r.p50, p99ms: r.p99, responses: r.count, errors: r.bad, serverCpuUsPerReq: r.cpuUsPerReq, roundsRps: r.rounds.map((x) => x.rps) })),
    connectNetwork: latency, cli, rss: { atNodes: { nodes: NODES, ...memA }, databaseAuth: memB, atBigNodes: { nodes: BIG_NODES, ...memC }, bigNodeGetRps: bigNode.rps },
    setup: setupStats, referenceMismatches: mismatches, extras, totalSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  log(`done in ${results.totalSeconds.toFixed(0)} s; wrote bench/results.json and bench/results.md`);
  if (process.env.BENCH_STRICT && !results.allPass) process.exitCode = 1;
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
}).finally(() => {
  cleanupSync();
});
