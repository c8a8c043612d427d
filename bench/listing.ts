// The bulk node listing at 10,000 nodes (issue 16): every node in a project, with a nic cabled to a
// switch port, a network on it and a lease. Measured: GET /v0/node_details read page after page until
// the end (the whole inventory, 1,000 nodes a page), and `haas node list --long -o csv` (wall time,
// the CLI's start included). The inventory is written into the database directly (one transaction)
// so that setting it up takes seconds, not 40,000 API calls. Part of `npm run bench` (extras:
// "listing"), and runnable alone: node --import tsx bench/listing.ts [HAAS_BIN]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { freePort } from '../test/lib/daemon.js';
import { Api } from './http.js';

const NODES = Number(process.env.BENCH_LISTING_NODES ?? 10_000);
const ROUNDS = 5;

/** What the bench measured (best of ROUNDS each). */
export interface ListingBench {
  nodes: number;
  /** Every page of GET /v0/node_details, one after the other. */
  allPagesMs: number;
  /** `haas node list --long -o csv` over every node, wall time. */
  cliMs: number;
  pages: number;
}

/** Write `nodes` nodes (in one project, each with a cabled NIC on a network and a lease) into a haas database no daemon holds. */
export function fillInventory(dbPath: string, nodes: number): void {
  const db = new Database(dbPath);
  try {
    db.transaction(() => {
      const project = Number(db.prepare('INSERT INTO project (label) VALUES (?)').run('bench').lastInsertRowid);
      const sw = Number(db.prepare("INSERT INTO switch (label, type, config) VALUES ('s', 'mock', ?)").run(
        JSON.stringify({ hostname: 'sw.example', username: 'u', password: 'p' })).lastInsertRowid);
      const net = Number(db.prepare('INSERT INTO network (label, owner_id, net_id, allocated) VALUES (?, ?, ?, 0)').run('net', project, 100).lastInsertRowid);
      const node = db.prepare("INSERT INTO node (label, project_id, obm_type, obm_config) VALUES (?, ?, 'mock', '{}')");
      const port = db.prepare('INSERT INTO port (switch_id, label) VALUES (?, ?)');
      const nic = db.prepare("INSERT INTO nic (node_id, label, macaddr, port_id) VALUES (?, 'eth0', ?, ?)");
      const attach = db.prepare("INSERT INTO attachment (nic_id, network_id, channel) VALUES (?, ?, 'vlan/native')");
      const lease = db.prepare('INSERT INTO lease (node_id, project_id, started_at, ends_at) VALUES (?, ?, ?, ?)');
      const start = new Date().toISOString(), end = new Date(Date.now() + 86_400_000).toISOString();
      for (let i = 0; i < nodes; i++) {
        const nodeId = Number(node.run(`n${String(i).padStart(5, '0')}`, project).lastInsertRowid);
        const portId = Number(port.run(sw, `gi1/0/${i}`).lastInsertRowid);
        const nicId = Number(nic.run(nodeId, `02:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:00`, portId).lastInsertRowid);
        attach.run(nicId, net);
        lease.run(nodeId, project, start, end);
      }
    })();
  } finally {
    db.close();
  }
}

/** Run the bench against the haas command `cmd args...`. */
export async function benchListing(cmd: string, args: string[] = []): Promise<ListingBench> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-listing-'));
  const db = join(dir, 'haas.db');
  const socket = join(dir, 'haas.sock');
  const config = join(dir, 'haas.conf');
  writeFileSync(config, '[drift]\ninterval = 0\n', { mode: 0o600 });
  let child: ChildProcess | undefined;
  let stderr = '';
  const start = async () => {
    const port = await freePort();
    child = spawn(cmd, [...args, 'serve', '--db', db, '--socket', socket, '--listen', `127.0.0.1:${port}`, '--auth', 'null', '--config', config],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
    const api = new Api('127.0.0.1', port, null, 1);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      try { if ((await api.request('GET', '/v0/projects')).status === 200) return api; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  try {
    // The first start creates the schema; the inventory goes in while no daemon holds the database.
    await start();
    await stop();
    fillInventory(db, NODES);
    const api = await start();
    let best = Infinity, pages = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      let after: string | null = '', n = 0, count = 0;
      while (after !== null) {
        const reply = await api.request('GET', `/v0/node_details${after === '' ? '' : `?after=${after}`}`);
        if (reply.status !== 200) throw new Error(`GET /v0/node_details: ${reply.status} ${reply.text.slice(0, 200)}`);
        const page = JSON.parse(reply.text) as { nodes: unknown[]; next: string | null };
        count += page.nodes.length;
        after = page.next;
        n++;
      }
      if (count !== NODES) throw new Error(`node_details listed ${count} nodes, not ${NODES}`);
      best = Math.min(best, performance.now() - t0);
      pages = n;
    }
    let cliBest = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const r = spawnSync(cmd, [...args, 'node', 'list', '--long', '-o', 'csv', '--endpoint', `unix:${socket}`],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HAAS_CLIENT_CONFIG: '/nonexistent' } });
      if (r.status !== 0) throw new Error(`haas node list --long: ${r.stderr}`);
      cliBest = Math.min(cliBest, performance.now() - t0);
      const lines = r.stdout.split('\r\n').filter((l) => l !== '').length;
      if (lines !== NODES + 1) throw new Error(`node list --long printed ${lines} lines, not ${NODES + 1}`);
    }
    return { nodes: NODES, allPagesMs: Math.round(best), cliMs: Math.round(cliBest), pages };
  } finally {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const target = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', join(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchListing(target.cmd, target.args).then((r) => { process.stdout.write(JSON.stringify(r) + '\n'); }, (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
