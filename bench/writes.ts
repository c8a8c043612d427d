// Write throughput and latency: PUT then DELETE of a project (each one committed, and with
// synchronous = FULL fsynced, before it is answered), with 1 and 16 clients. Part of
// `npm run bench` (extras: "writes"), and runnable alone to compare builds back to back, e.g.
// the durability change:
//   node --import tsx bench/writes.ts /tmp/haas-before/haas /tmp/haas-after/haas
// Builds are measured in turn (rotating the order) for BENCH_ROUNDS rounds of BENCH_DURATION s,
// so that a busy machine disturbs them alike; each figure is the best round's.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../test/lib/daemon.js';
import { Api } from './http.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 1.5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCIES = [1, 16] as const;

/** One figure: writes answered per second and their latency, at one concurrency. */
export interface WriteFigure { connections: number; rps: number; p50ms: number; p99ms: number; writes: number; roundsRps: number[] }
/** The figures of one haas command. */
export interface WriteBench { haas: string; route: string; figures: WriteFigure[] }

interface Target { name: string; cmd: string; args: string[]; child?: ChildProcess; api?: Api; dir?: string; stderr: string }

async function start(t: Target): Promise<void> {
  t.dir = mkdtempSync(join(tmpdir(), 'haas-bench-writes-'));
  const port = await freePort();
  t.child = spawn(t.cmd, [...t.args, 'serve', '--db', join(t.dir, 'haas.db'), '--socket', join(t.dir, 'haas.sock'),
    '--listen', `127.0.0.1:${port}`, '--auth', 'null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.child.stderr!.on('data', (d) => { t.stderr = (t.stderr + d).slice(-5000); });
  t.api = new Api('127.0.0.1', port, null, 16);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (t.child.exitCode !== null) throw new Error(`${t.name} exited ${t.child.exitCode}: ${t.stderr}`);
    try { if ((await t.api.request('GET', '/v0/projects')).status === 200) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${t.name} did not start: ${t.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(t: Target): Promise<void> {
  t.api?.close();
  if (t.child && t.child.exitCode === null) {
    const exited = new Promise((r) => t.child!.once('exit', r));
    t.child.kill('SIGTERM');
    const timer = setTimeout(() => t.child!.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  if (t.dir) rmSync(t.dir, { recursive: true, force: true });
}

const pct = (sorted: number[], p: number) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

/** `connections` clients, each creating and deleting its own projects, for `seconds`. */
async function writeLoad(api: Api, connections: number, seconds: number, tag: string): Promise<Omit<WriteFigure, 'roundsRps'>> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async (_, k) => {
    for (let i = 0; performance.now() < end; i++) {
      const path = `/v0/project/${tag}-${k}-${i}`;
      for (const method of ['PUT', 'DELETE']) {
        const s = performance.now();
        const r = await api.request(method, path);
        if (r.status !== 200) throw new Error(`${method} ${path} -> ${r.status} ${r.text}`);
        lat.push(performance.now() - s);
      }
    }
  }));
  const elapsed = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { connections, rps: lat.length / elapsed, p50ms: pct(lat, 50), p99ms: pct(lat, 99), writes: lat.length };
}

/** Measure every command's write throughput at c=1 and c=16, interleaved. */
export async function benchWrites(commands: Array<{ name: string; cmd: string; args: string[] }>): Promise<WriteBench[]> {
  const targets: Target[] = commands.map((c) => ({ ...c, stderr: '' }));
  try {
    for (const t of targets) await start(t);
    for (const t of targets) await writeLoad(t.api!, 16, 0.5, 'warm');
    const out = new Map<Target, WriteFigure[]>(targets.map((t) => [t, []]));
    for (const c of CONCURRENCIES) {
      const rounds = new Map<Target, Array<Omit<WriteFigure, 'roundsRps'>>>(targets.map((t) => [t, []]));
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < targets.length; k++) {
          const t = targets[(k + r) % targets.length]!;
          rounds.get(t)!.push(await writeLoad(t.api!, c, DURATION, `c${c}r${r}`));
        }
      }
      for (const t of targets) {
        const rs = rounds.get(t)!;
        const best = rs.reduce((a, b) => (b.rps > a.rps ? b : a));
        out.get(t)!.push({ ...best, roundsRps: rs.map((x) => x.rps) });
      }
    }
    return targets.map((t) => ({ haas: t.name, route: 'PUT + DELETE /v0/project/<p>', figures: out.get(t)! }));
  } finally {
    for (const t of targets) await stop(t);
  }
}

/** One line per command and concurrency. */
export function writeReport(results: WriteBench[]): string {
  return results.flatMap((b) => b.figures.map((f) =>
    `${b.haas}  ${b.route}  c=${String(f.connections).padEnd(2)} ${f.rps.toFixed(0).padStart(6)} writes/s  p50 ${f.p50ms.toFixed(2)} ms  p99 ${f.p99ms.toFixed(2)} ms  (rounds: ${f.roundsRps.map((x) => x.toFixed(0)).join(', ')})`)).join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const bins = process.argv.slice(2);
  if (bins.length === 0) {
    process.stderr.write('usage: node --import tsx bench/writes.ts HAAS_EXECUTABLE...\n');
    process.exit(2);
  }
  benchWrites(bins.map((b) => ({ name: b, cmd: resolve(b), args: [] })))
    .then((r) => { console.log(writeReport(r)); console.log(JSON.stringify(r)); })
    .catch((e) => { process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`); process.exitCode = 1; });
}
