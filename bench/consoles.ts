// 50 read-only viewers on one console (issue 14): a node with the mock OBM,
// whose console echoes what its writer types. The bench is the writer: it
// types a marker and times its echo on every viewer; the added latency is the
// last viewer's time with 50 viewers minus the writer's own echo time with no
// other viewer. The daemon's CPU is measured while the writer types a marker
// every 10 ms (100 lines a second, ~60 bytes each) to the 50 viewers. Part of
// `npm run bench` (extras: "consoles"), and runnable alone:
// node --import tsx bench/consoles.ts [HAAS_BIN]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Duplex, Readable } from 'node:stream';
import { stopChild } from './http.js';

const VIEWERS = Number(process.env.BENCH_CONSOLE_VIEWERS ?? 50);
const MARKERS = 200;
const LOAD_SECONDS = 5;

/** What the bench measured. */
export interface ConsoleBench {
  viewers: number;
  /** Typed marker -> its echo on the writer's own session, no other viewer: median and p99 (ms). */
  aloneP50Ms: number; aloneP99Ms: number;
  /** Typed marker -> its echo on the last of the viewers: median and p99 (ms). */
  lastViewerP50Ms: number; lastViewerP99Ms: number;
  /** The daemon's CPU (user + system) while 100 lines a second go to every viewer, in % of one core. */
  cpuPercent: number;
  /** The same daemon's CPU with the writer alone, for comparison. */
  cpuAlonePercent: number;
}

function cpuMs(pid: number): number {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
}

const percentile = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!; };

function session(socket: string, node: string, mode: 'read-only' | 'write'): Promise<Duplex | Readable> {
  return new Promise((res, rej) => {
    const req = httpRequest({ socketPath: socket, path: `/v0/node/${node}/console?mode=${mode}`, headers: { connection: 'Upgrade', upgrade: 'tcp' } });
    req.on('upgrade', (_r, s, head) => { if (head.length) s.unshift(head); res(s); });
    req.on('response', (r) => rej(new Error(`console: HTTP ${r.statusCode}`)));
    req.on('error', rej);
    req.end();
  });
}

async function api(socket: string, method: string, path: string, body?: unknown): Promise<void> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  await new Promise<void>((res, rej) => {
    const req = httpRequest({ socketPath: socket, method, path, headers: text ? { 'content-type': 'application/json' } : {} }, (r) => {
      r.resume();
      r.on('end', () => (r.statusCode === 200 ? res() : rej(new Error(`${method} ${path}: HTTP ${r.statusCode}`))));
    });
    req.on('error', rej);
    req.end(text);
  });
}

/** Time `count` markers typed on `writer` until each shows on every one of `watch` (ms per marker). */
async function timeMarkers(writer: Duplex, watch: Readable[], count: number, gapMs: number): Promise<number[]> {
  const texts = watch.map(() => '');
  const listeners = watch.map((s, i) => (c: Buffer) => { texts[i] = (texts[i]! + c.toString('latin1')).slice(-4096); });
  watch.forEach((s, i) => s.on('data', listeners[i]!));
  const times: number[] = [];
  try {
    for (let k = 0; k < count; k++) {
      const marker = `m${k}-${Date.now()}`;
      const t0 = performance.now();
      writer.write(`${marker}\r\n`);
      while (!texts.every((t) => t.includes(marker))) {
        await new Promise((r) => setImmediate(r));
        if (performance.now() - t0 > 10_000) throw new Error(`no echo of ${marker} on every viewer within 10 s`);
      }
      times.push(performance.now() - t0);
      if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    watch.forEach((s, i) => s.off('data', listeners[i]!));
  }
  return times;
}

/** The daemon's CPU, in % of a core, while the writer types a line every 10 ms for LOAD_SECONDS. */
async function cpuUnderLoad(pid: number, writer: Duplex): Promise<number> {
  const c0 = cpuMs(pid);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < LOAD_SECONDS * 1000) {
    writer.write(`load line ${n++} ${'x'.repeat(40)}\r\n`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return (100 * (cpuMs(pid) - c0)) / (performance.now() - t0);
}

/** Run the bench against the haas command `cmd args...`. */
export async function benchConsoles(cmd: string, args: string[] = []): Promise<ConsoleBench> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-consoles-'));
  const socket = join(dir, 'haas.sock');
  const config = join(dir, 'haas.conf');
  writeFileSync(config, `[limits]\nstreams_per_source = ${VIEWERS + 4}\n`, { mode: 0o600 });
  let stderr = '';
  const child: ChildProcess = spawn(cmd, [...args, 'serve', '--db', join(dir, 'haas.db'), '--socket', socket, '--auth', 'null', '--config', config],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
  const open: (Duplex | Readable)[] = [];
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      try { await api(socket, 'GET', '/v0/projects'); break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await api(socket, 'PUT', '/v0/project/bench');
    await api(socket, 'PUT', '/v0/node/n1', { obm: { type: 'mock', host: 'bmc.example', user: 'root', password: 'bench' } });
    await api(socket, 'POST', '/v0/project/bench/connect_node', { node: 'n1' });
    await api(socket, 'PUT', '/v0/node/n1/obm', { enabled: true });

    const writer = (await session(socket, 'n1', 'write')) as Duplex;
    open.push(writer);
    writer.resume();
    await timeMarkers(writer, [writer], 20, 0); // warm-up
    const alone = await timeMarkers(writer, [writer], MARKERS, 5);
    const cpuAlonePercent = await cpuUnderLoad(child.pid!, writer);

    const viewers: Readable[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const v = await session(socket, 'n1', 'read-only');
      v.resume();
      viewers.push(v);
      open.push(v);
    }
    await timeMarkers(writer, viewers, 20, 0); // warm-up
    const last = await timeMarkers(writer, viewers, MARKERS, 5);
    const cpuPercent = await cpuUnderLoad(child.pid!, writer);
    return {
      viewers: VIEWERS,
      aloneP50Ms: percentile(alone, 0.5), aloneP99Ms: percentile(alone, 0.99),
      lastViewerP50Ms: percentile(last, 0.5), lastViewerP99Ms: percentile(last, 0.99),
      cpuPercent, cpuAlonePercent,
    };
  } finally {
    for (const s of open) s.destroy();
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const cmd = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', resolve(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchConsoles(cmd.cmd, cmd.args).then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => { console.error(e); process.exit(1); });
}
