// Password guessing against one account: 8 clients (BENCH_CLIENTS; 0 = no flood, a baseline) on 127.0.0.1 send wrong passwords for one user
// for BENCH_DURATION s (default 10) while other users log in (first login: one KDF run each) from
// the same address every 250 ms. Prints, per build, the wrong passwords actually checked per second
// (401), the attempts refused (429) per second, and the other users' login latency.
// Runnable alone, to compare builds back to back (not part of `npm run bench`):
//   node --import tsx bench/logins.ts /tmp/haas-before/haas /tmp/haas-after/haas
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:http';
import { freePort } from '../test/lib/daemon.js';

const DURATION = Number(process.env.BENCH_DURATION ?? 10) * 1000;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const OTHERS = Math.ceil(DURATION / 250) + 5;

function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

function call(port: number, agent: Agent | false, method: string, path: string, authorization: string, body?: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { authorization, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } },
      (r) => { r.resume(); r.on('end', () => res(r.statusCode ?? 0)); });
    req.on('error', rej);
    req.end(body);
  });
}

async function measure(bin: string): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-logins-'));
  const db = join(dir, 'haas.db');
  const pw = join(dir, 'pw');
  writeFileSync(pw, 'root-pw\n', { mode: 0o600 });
  const made = spawnSync(bin, ['admin', 'create-user', 'root', '--admin', '--password-file', pw, '--db', db, '--init'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  const port = await freePort();
  const child = spawn(bin, ['serve', '--db', db, '--socket', join(dir, 'haas.sock'), '--listen', `127.0.0.1:${port}`, '--auth', 'database'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    const root = basic('root', 'root-pw');
    for (let i = 0; ; i++) {
      try { if (await call(port, false, 'GET', '/v0/whoami', root) === 200) break; } catch { /* not yet */ }
      if (i > 600) throw new Error(`${bin} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const u of ['alice', ...Array.from({ length: OTHERS }, (_, i) => `other${i}`)]) {
      await call(port, false, 'PUT', `/v0/auth/basic/user/${u}`, root, JSON.stringify({ password: `${u}-pw` }));
    }
    const counts: Record<number, number> = {};
    const stopAt = Date.now() + DURATION;
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    let guess = 0;
    const flood = Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < stopAt) {
        const status = await call(port, agent, 'GET', '/v0/whoami', basic('alice', `guess-${guess++}`));
        counts[status] = (counts[status] ?? 0) + 1;
      }
    });
    const latencies: number[] = [];
    const others = (async () => {
      for (let i = 0; Date.now() < stopAt - 250; i++) {
        const t0 = performance.now();
        const status = await call(port, false, 'GET', '/v0/whoami', basic(`other${i}`, `other${i}-pw`));
        latencies.push(performance.now() - t0);
        if (status !== 200) throw new Error(`other${i}: ${status}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await Promise.all([...flood, others]);
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const s = DURATION / 1000;
    return {
      build: bin,
      'checked (401) /s': Number(((counts[401] ?? 0) / s).toFixed(2)),
      'refused (429) /s': Math.round((counts[429] ?? 0) / s),
      'other users: logins': latencies.length,
      'median ms': Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(1)),
      'max ms': Number(latencies[latencies.length - 1]!.toFixed(1)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const builds = process.argv.slice(2).map((b) => resolve(b));
if (builds.length === 0) { console.error('usage: node --import tsx bench/logins.ts HAAS_BIN...'); process.exit(2); }
const rows = [];
for (const b of builds) rows.push(await measure(b));
console.table(rows);
