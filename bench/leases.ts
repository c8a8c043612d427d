// 1,000 leases ending at the same moment (issue 13): 1,000 reserved nodes, each with one
// network on its nic on the mock switch, all given the same end time. Measured, in the daemon's
// own records (its clock): from the end time until the last detach action is queued (target:
// within a second), and until the last node is released (lease_release in the audit trail); and
// from the bench's side, until GET /v0/nodes/free lists them all. Part of `npm run bench`
// (extras: "leases"), and runnable alone: node --import tsx bench/leases.ts [HAAS_BIN]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { freePort } from '../test/lib/daemon.js';
import { Api, pool, stopChild } from './http.js';

const NODES = Number(process.env.BENCH_LEASE_NODES ?? 1000);
/**
 * BENCH_LEASE_DRIFT=1 keeps the drift monitor on (its default): it then reads the switch back after
 * each node changes project, 1,000 read-backs of 1,000 ports that slow the daemon down while it releases.
 */
const DRIFT_CHECKS = process.env.BENCH_LEASE_DRIFT === '1';
/** How long after the last lease is set their common end falls. */
const LEAD_MS = 3000;

/** What the bench measured. */
export interface LeaseBench {
  nodes: number;
  /** End time -> the last detach action queued (daemon's clock). */
  allQueuedMs: number;
  /** End time -> the first detach action queued. */
  firstQueuedMs: number;
  /** End time -> the last lease_release recorded (daemon's clock). */
  allReleasedMs: number;
  /** End time -> GET /v0/nodes/free lists every node (bench's clock, polled every 50 ms). */
  allFreeSeenMs: number;
  releasesOk: number;
  driftChecks: boolean;
}

/** Run the bench against the haas command `cmd args...`. */
export async function benchLeases(cmd: string, args: string[] = []): Promise<LeaseBench> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-leases-'));
  const db = join(dir, 'haas.db');
  const port = await freePort();
  let stderr = '';
  const config = join(dir, 'haas.conf');
  writeFileSync(config, DRIFT_CHECKS ? '' : '[drift]\ninterval = 0\n', { mode: 0o600 });
  const child: ChildProcess = spawn(cmd, [...args, 'serve', '--db', db, '--socket', join(dir, 'haas.sock'),
    '--listen', `127.0.0.1:${port}`, '--auth', 'null', '--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
  const api = new Api('127.0.0.1', port, null, 16);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      try { if ((await api.request('GET', '/v0/projects')).status === 200) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await api.ok('PUT', '/v0/project/bench');
    await api.ok('PUT', '/v0/switch/sw', { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' });
    await api.ok('PUT', '/v0/network/bench-net', { owner: 'bench', access: 'bench', net_id: '' });
    const nodes = Array.from({ length: NODES }, (_, i) => `ln${i}`);
    await pool(nodes, 16, async (n, i) => {
      const port = encodeURIComponent(`gi${1 + Math.floor(i / 48)}/0/${1 + (i % 48)}`);
      await api.ok('PUT', `/v0/node/${n}`, { obm: { type: 'mock', host: `${n}-bmc`, user: 'u', password: 'p' } });
      await api.ok('PUT', `/v0/node/${n}/nic/eth0`, { macaddr: `${n}-eth0` });
      await api.ok('PUT', `/v0/switch/sw/port/${port}`);
      await api.ok('POST', `/v0/switch/sw/port/${port}/connect_nic`, { node: n, nic: 'eth0' });
      await api.ok('POST', '/v0/project/bench/connect_node', { node: n });
      const id = (await api.ok('POST', `/v0/node/${n}/nic/eth0/connect_network`, { network: 'bench-net' })).json.status_id;
      for (;;) {
        const s = (await api.ok('GET', `/v0/networking_action/${id}`)).json.status;
        if (s === 'DONE') break;
        if (s !== 'PENDING') throw new Error(`connect_network of ${n}: ${s}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    const end = Date.now() + LEAD_MS;
    const until = new Date(end).toISOString();
    await pool(nodes, 16, (n) => api.ok('PUT', `/v0/node/${n}/lease`, { until }));
    if (Date.now() >= end) throw new Error(`setting ${NODES} leases took longer than ${LEAD_MS} ms: raise LEAD_MS`);
    let allFreeSeenMs = NaN;
    for (const stop = end + 300_000; Date.now() < stop;) {
      const free = (await api.ok('GET', '/v0/nodes/free')).json as string[];
      if (free.length >= NODES) { allFreeSeenMs = Date.now() - end; break; }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!Number.isFinite(allFreeSeenMs)) throw new Error('the nodes were not all released within 5 minutes');
    // The daemon's own records: when each detach was queued and each release recorded.
    const rec = new Database(db, { readonly: true });
    try {
      const q = rec.prepare(`SELECT min(created_at) AS first, max(created_at) AS last, count(*) AS n FROM networking_action
        WHERE type = 'modify_port' AND new_network_id IS NULL AND created_at >= ?`).get(until) as { first: string; last: string; n: number };
      const r = rec.prepare(`SELECT max(time) AS last, count(*) AS n FROM audit WHERE operation = 'lease_release' AND outcome = 'ok'`)
        .get() as { last: string; n: number };
      if (q.n !== NODES) throw new Error(`${q.n} detach actions queued for ${NODES} nodes`);
      return {
        nodes: NODES, firstQueuedMs: Date.parse(q.first) - end, allQueuedMs: Date.parse(q.last) - end,
        allReleasedMs: Date.parse(r.last) - end, allFreeSeenMs, releasesOk: r.n, driftChecks: DRIFT_CHECKS,
      };
    } finally { rec.close(); }
  } finally {
    api.close();
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const cmd = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', resolve(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchLeases(cmd.cmd, cmd.args).then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => { console.error(e); process.exit(1); });
}
