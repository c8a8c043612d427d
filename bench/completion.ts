// Shell completion of a node name with 1,000 nodes (issue 16, target: under 200 ms): the wall time of
// `haas __complete node show n04` (what the bash and zsh scripts run on TAB), from spawn to exit, against
// a database-auth daemon with the credentials in the environment, as a user's shell has them. Median and
// p90 of RUNS runs after one warm-up (the daemon's first check of a password runs the KDF; later ones
// hit its cache). Part of `npm run bench` (extras: "completion"); runnable alone:
//   node --import tsx bench/completion.ts [HAAS_BIN]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../test/lib/daemon.js';
import { Api, pool, stopChild } from './http.js';

const NODES = 1000;
const RUNS = Number(process.env.BENCH_COMPLETION_RUNS ?? 20);
const ADMIN = { username: 'bench-admin', password: 'bench-completion-pw' };

/** What the bench measured. */
export interface CompletionBench {
  nodes: number;
  runs: number;
  /** Wall time of one `haas __complete node show n04`, ms. */
  medianMs: number;
  p90Ms: number;
  /** `node -e 0` for scale (a process start with nothing to do), ms. */
  nodeMedianMs: number;
  /** How many names the completion printed (n0400 to n0499: 100). */
  candidates: number;
}

function wallMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 30_000 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

/** Run the bench against the haas command `cmd args...`. */
export async function benchCompletion(cmd: string, args: string[] = []): Promise<CompletionBench> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-completion-'));
  const db = join(dir, 'haas.db');
  const socket = join(dir, 'haas.sock');
  const pw = join(dir, 'pw');
  writeFileSync(pw, ADMIN.password + '\n', { mode: 0o600 });
  const made = spawnSync(cmd, [...args, 'admin', 'create-user', ADMIN.username, '--admin', '--password-file', pw, '--db', db, '--init'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const port = await freePort();
  let stderr = '';
  const child: ChildProcess = spawn(cmd, [...args, 'serve', '--db', db, '--socket', socket, '--listen', `127.0.0.1:${port}`, '--auth', 'database'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
  const api = new Api('127.0.0.1', port, ADMIN, 16);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      try { if ((await api.request('GET', '/v0/nodes/all')).status === 200) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const nodes = Array.from({ length: NODES }, (_, i) => `n${String(i).padStart(4, '0')}`);
    await pool(nodes, 16, (n) => api.ok('PUT', `/v0/node/${n}`, { obm: { type: 'mock', host: `${n}-bmc`, user: 'u', password: 'p' } }));
    const env = { ...process.env, HAAS_ENDPOINT: `unix://${socket}`, HAAS_USERNAME: ADMIN.username, HAAS_PASSWORD: ADMIN.password };
    const complete = [...args, '__complete', 'node', 'show', 'n04'];
    const first = wallMs(cmd, complete, env);
    const candidates = first.stdout.split('\n').filter((l) => l !== '').length;
    if (candidates !== 100) throw new Error(`__complete printed ${candidates} names, expected 100: ${first.stdout.slice(0, 200)}`);
    const times: number[] = [];
    const nodeTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(wallMs(cmd, complete, env).ms);
      nodeTimes.push(wallMs(process.execPath, ['-e', '0'], env).ms);
    }
    return { nodes: NODES, runs: RUNS, medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9), nodeMedianMs: quantile(nodeTimes, 0.5), candidates };
  } finally {
    api.close();
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const cmd = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', resolve(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchCompletion(cmd.cmd, cmd.args).then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => { console.error(e); process.exit(1); });
}
