// `haas import` of a 1,000-node document (issue 15): two mock switches of 1,000 ports each, 1,000
// nodes with a mock OBM (password from a file), two metadata values and two nics each, every nic
// cabled, 10 projects and 20 networks. Measured from the command line (the CLI parsing the YAML
// and reading the secret file, the daemon checking and applying it in one transaction): a dry run
// into the empty daemon, the import itself (target: under 5 s), and the same import again (nothing
// to change). Part of `npm run bench` (extras: "import"), and runnable alone:
// node --import tsx bench/import.ts [HAAS_BIN]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { stopChild } from './http.js';

const NODES = Number(process.env.BENCH_IMPORT_NODES ?? 1000);

/** What the bench measured (wall-clock ms of `haas import` each). */
export interface ImportBench {
  nodes: number;
  objects: number;
  documentKiB: number;
  dryRunMs: number;
  importMs: number;
  againMs: number;
  /** The same document as JSON, into a second daemon. */
  jsonImportMs: number;
}

/** The document: ports gi1/0/1.. on sw-a for eth0, on sw-b for eth1. */
export function benchDocument(nodes: number): unknown {
  const ports = Array.from({ length: nodes }, (_, i) => `gi1/0/${i + 1}`);
  const mac = (n: number, nic: number) => `52:54:${nic.toString(16).padStart(2, '0')}:${((n >> 16) & 255).toString(16).padStart(2, '0')}:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
  const projects = Array.from({ length: 10 }, (_, i) => `proj-${i}`);
  return {
    version: 1,
    projects,
    switches: ['sw-a', 'sw-b'].map((name) => ({ name, type: 'mock', hostname: `${name}.example`, username: 'admin', password_file: 'switch.pass', ports })),
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `node-${String(i).padStart(4, '0')}`,
      obm: { type: 'mock', host: `bmc-${i}.example`, user: 'root', password_file: 'bmc.pass' },
      metadata: { rack: `R${Math.floor(i / 40)}`, slot: i % 40 },
      nics: [
        { name: 'eth0', macaddr: mac(i, 0), switch: 'sw-a', port: ports[i] },
        { name: 'eth1', macaddr: mac(i, 1), switch: 'sw-b', port: ports[i] },
      ],
    })),
    networks: Array.from({ length: 20 }, (_, i) => (i < 10
      ? { name: `net-${i}`, owner: 'admin', net_id: 3000 + i, access: [projects[i]!] }
      : { name: `net-${i}`, owner: projects[i - 10]!, access: [projects[i - 10]!] })),
  };
}

/** A daemon on its own directory for `use`, stopped and removed afterwards. */
async function withDaemon<T>(cmd: string, args: string[], use: (socket: string) => T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-import-'));
  const socket = join(dir, 'haas.sock');
  const config = join(dir, 'haas.conf');
  writeFileSync(config, '[drift]\ninterval = 0\n', { mode: 0o600 });
  let stderr = '';
  const child: ChildProcess = spawn(cmd, [...args, 'serve', '--db', join(dir, 'haas.db'), '--socket', socket, '--auth', 'null', '--config', config],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => { stderr = (stderr + d).slice(-5000); });
  try {
    const deadline = Date.now() + 60_000;
    while (!existsSync(socket)) {
      if (child.exitCode !== null) throw new Error(`haas exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`haas did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return use(socket);
  } finally {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the bench against the haas command `cmd args...`. */
export async function benchImport(cmd: string, args: string[] = []): Promise<ImportBench> {
  const dir = mkdtempSync(join(tmpdir(), 'haas-bench-import-'));
  try {
    writeFileSync(join(dir, 'switch.pass'), 'bench-switch-pw\n', { mode: 0o600 });
    writeFileSync(join(dir, 'bmc.pass'), 'bench-bmc-pw\n', { mode: 0o600 });
    const doc = benchDocument(NODES);
    const text = YAML.stringify(doc);
    writeFileSync(join(dir, 'lab.yaml'), text);
    writeFileSync(join(dir, 'lab.json'), JSON.stringify(doc));
    const haas = (socket: string, file: string, ...extra: string[]) => {
      const t0 = performance.now();
      const r = spawnSync(cmd, [...args, 'import', join(dir, file), '--json', '--endpoint', `unix:${socket}`, ...extra], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`haas import ${file} ${extra.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
      return { ms, report: JSON.parse(r.stdout) as { counts: { create: number; update: number; unchanged: number } } };
    };
    const yaml = await withDaemon(cmd, args, (socket) => {
      const dry = haas(socket, 'lab.yaml', '--dry-run');
      const first = haas(socket, 'lab.yaml');
      const again = haas(socket, 'lab.yaml');
      if (again.report.counts.create + again.report.counts.update !== 0) throw new Error('the second import changed something');
      return { dry, first, again };
    });
    const json = await withDaemon(cmd, args, (socket) => haas(socket, 'lab.json'));
    return {
      nodes: NODES, objects: yaml.first.report.counts.create, documentKiB: Math.round(Buffer.byteLength(text) / 1024),
      dryRunMs: Math.round(yaml.dry.ms), importMs: Math.round(yaml.first.ms), againMs: Math.round(yaml.again.ms), jsonImportMs: Math.round(json.ms),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const bin = process.argv[2];
  const cmd = bin ? { cmd: resolve(bin), args: [] } : { cmd: process.execPath, args: ['--import', 'tsx', resolve(import.meta.dirname, '..', 'src', 'main.ts')] };
  benchImport(cmd.cmd, cmd.args).then((r) => console.log(JSON.stringify(r, null, 2)), (e: unknown) => { console.error(e); process.exit(1); });
}
