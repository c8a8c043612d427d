// Test fixture: a haas daemon on a temp database, unix socket and loopback TCP port.
// Every test file starts its own daemon(s) through startDaemon() and stops them in `after`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** A config block that turns the periodic drift check off, for tests that count or time device calls. */
export const NO_DRIFT_CHECKS = '[drift]\ninterval = 0\n';

/** The haas command line: the built executable when HAAS_BIN is set, else the TypeScript sources through tsx. */
export function haasCommand(): { cmd: string; args: string[] } {
  const bin = process.env.HAAS_BIN;
  if (bin) {
    if (!existsSync(resolve(bin))) throw new Error(`HAAS_BIN=${bin} does not exist: run npm run build first`);
    return { cmd: resolve(bin), args: [] };
  }
  return { cmd: process.execPath, args: ['--import', 'tsx', join(repoRoot, 'src', 'main.ts')] };
}

/** Whether a process runs (a zombie waiting for whoever adopted it to reap it does not). */
export function alive(pid: number): boolean {
  try { return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'; } catch { return false; }
}

/** Run haas synchronously (CLI or admin commands); returns exit code and output. */
export function runHaas(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}) {
  const { cmd, args: pre } = haasCommand();
  const r = spawnSync(cmd, [...pre, ...args], {
    env: { ...process.env, ...opts.env },
    input: opts.input ?? '',
    cwd: opts.cwd ?? repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: any;
}

export interface Credentials { username: string; password: string }

export interface RequestOptions {
  body?: unknown;
  /** Raw body string (sent as is, e.g. malformed JSON). */
  rawBody?: string;
  auth?: Credentials | null;
  headers?: Record<string, string>;
  /** Use TCP instead of the unix socket. */
  tcp?: boolean;
}

export interface DaemonOptions {
  auth?: 'null' | 'database';
  /** Text of a config file (INI format, see README); written 0600 to the temp dir. */
  config?: string;
  /** Users to create with `haas admin create-user` before the daemon starts. */
  admins?: Credentials[];
  env?: NodeJS.ProcessEnv;
  /** Reuse an existing state dir (for restart tests). */
  dir?: string;
  extraArgs?: string[];
}

export class Daemon {
  child!: ChildProcess;
  stderr = '';
  stdout = '';
  port = 0;
  constructor(readonly dir: string, readonly opts: DaemonOptions) {}
  get socket() { return join(this.dir, 'haas.sock'); }
  get db() { return join(this.dir, 'haas.db'); }
  get configPath() { return join(this.dir, 'haas.conf'); }
  get url() { return `http://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    if (this.opts.config !== undefined) writeFileSync(this.configPath, this.opts.config, { mode: 0o600 });
    for (const a of this.opts.admins ?? []) {
      const pw = join(this.dir, `pw-${a.username}`);
      writeFileSync(pw, a.password + '\n', { mode: 0o600 });
      // --init: the first start makes the temp dir's database (a restart finds it there).
      const r = runHaas(['admin', 'create-user', a.username, '--admin', '--password-file', pw, '--db', this.db, '--init']);
      if (r.code !== 0 && !/exists/i.test(r.stderr)) throw new Error(`create-user failed: ${r.stderr}`);
    }
    this.port = await freePort();
    const { cmd, args } = haasCommand();
    const argv = [...args, 'serve', '--db', this.db, '--socket', this.socket, '--listen', `127.0.0.1:${this.port}`,
      '--auth', this.opts.auth ?? 'null'];
    if (this.opts.config !== undefined) argv.push('--config', this.configPath);
    argv.push(...(this.opts.extraArgs ?? []));
    this.child = spawn(cmd, argv, { env: { ...process.env, ...this.opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => { this.stdout += d; });
    this.child.stderr!.on('data', (d) => { this.stderr += d; });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`daemon exited ${this.child.exitCode}: ${this.stderr}`);
      if (existsSync(this.socket)) {
        try { await this.request('GET', '/v0/nodes/all', { auth: this.opts.admins?.[0] ?? null }); return; } catch { /* not yet */ }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`daemon did not start: ${this.stderr}`);
  }

  /** An HTTP request over the unix socket (or TCP with opts.tcp). */
  request(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.rawBody !== undefined) body = opts.rawBody;
    else if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    if (opts.auth) headers.authorization = 'Basic ' + Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64');
    const target = opts.tcp ? { host: '127.0.0.1', port: this.port } : { socketPath: this.socket };
    return new Promise((res, rej) => {
      const req = httpRequest({ ...target, method, path, headers }, (resp) => {
        let text = '';
        resp.setEncoding('utf8');
        resp.on('data', (c) => { text += c; });
        resp.on('end', () => {
          let json: any;
          try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
          res({ status: resp.statusCode ?? 0, headers: resp.headers, text, json });
        });
      });
      req.setTimeout(20_000, () => req.destroy(new Error(`timeout ${method} ${path}`)));
      req.on('error', rej);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  /** SIGTERM and wait for exit; returns the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return this.child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(t);
    return code;
  }

  /** kill -9 (crash). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

/** Start a daemon in a fresh temp dir (or opts.dir). Call `cleanup()` (stop + remove dir) in `after`. */
export async function startDaemon(opts: DaemonOptions = {}): Promise<Daemon & { cleanup(): Promise<void> }> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'haas-test-'));
  const d = new Daemon(dir, opts) as Daemon & { cleanup(): Promise<void> };
  d.cleanup = async () => { await d.stop(); if (!opts.dir) rmSync(dir, { recursive: true, force: true }); };
  try { await d.start(); } catch (e) { await d.stop().catch(() => {}); throw e; }
  return d;
}

/** Poll GET /networking_action/<id> until status is not PENDING. */
export async function waitAction(d: Daemon, id: string, auth: Credentials | null = null, timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await d.request('GET', `/v0/networking_action/${id}`, { auth });
    if (r.status !== 200) throw new Error(`networking_action ${id}: ${r.status} ${r.text}`);
    if (r.json.status !== 'PENDING') return r.json;
    if (Date.now() > deadline) throw new Error(`action ${id} still PENDING`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
