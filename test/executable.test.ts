// The built executable on its own: dist/haas copied alone into an empty directory and run with
// a minimal environment, so neither node_modules nor the repository can be reached from it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort, repoRoot } from './lib/daemon.js';

/** The executable under test: HAAS_BIN (as npm test sets it), else dist/haas. */
const built = process.env.HAAS_BIN ? resolve(process.env.HAAS_BIN) : join(repoRoot, 'dist', 'haas');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const password = 'alice-secret-pw';

function canConnect(socket: string): Promise<boolean> {
  return new Promise((res) => {
    const c = connect(socket);
    c.once('connect', () => { c.destroy(); res(true); });
    c.once('error', () => res(false));
  });
}

describe('the single executable, alone in an empty directory', () => {
  let dir = '';
  let haas = '';
  let db = '';
  let socket = '';
  let port = 0;
  let daemon: ChildProcess | undefined;
  let daemonStderr = '';
  let env: NodeJS.ProcessEnv = {};

  /** Run dist/haas's copy with only `env` (plus extra) in the temp dir, stdin closed. */
  function run(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const r = spawnSync(haas, args, { cwd: dir, env: { ...env, ...extra }, input: '', encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function exited(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((res) => child.once('exit', (code) => res(code)));
  }

  before(() => {
    assert.ok(existsSync(built), `${built} is missing: run npm run build first`);
    dir = mkdtempSync(join(tmpdir(), 'haas-exe-'));
    haas = join(dir, 'haas');
    db = join(dir, 'haas.db');
    socket = join(dir, 'haas.sock');
    copyFileSync(built, haas);
    env = { PATH: '/usr/bin:/bin', HOME: dir };
    for (let d = dir; ; d = dirname(d)) {
      assert.ok(!existsSync(join(d, 'node_modules')), `${d}/node_modules would be reachable`);
      if (dirname(d) === d) break;
    }
  });

  after(async () => {
    if (daemon) {
      daemon.kill('SIGKILL');
      await exited(daemon);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the package version', () => {
    const r = run(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  });

  it('creates the first admin user offline, in a database file only its owner can read', () => {
    const pwFile = join(dir, 'alice.pw');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    const r = run(['admin', 'create-user', 'alice', '--admin', '--password-file', pwFile, '--db', db, '--init']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(db).mode & 0o777, 0o600);
  });

  it('serves the API on a group-accessible unix socket and on TCP', async () => {
    port = await freePort();
    daemon = spawn(haas, ['serve', '--db', db, '--socket', socket, '--listen', `127.0.0.1:${port}`, '--auth', 'database'],
      { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    daemon.stderr!.on('data', (d) => { daemonStderr += d; });
    const deadline = Date.now() + 30_000;
    while (!(existsSync(socket) && await canConnect(socket))) {
      assert.equal(daemon.exitCode, null, `daemon exited: ${daemonStderr}`);
      assert.ok(Date.now() < deadline, `daemon did not start: ${daemonStderr}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(statSync(socket).mode & 0o777, 0o660);
    assert.equal(statSync(db).mode & 0o777, 0o600);
  });

  it('round-trips CLI commands over the unix socket', () => {
    const over = { HAAS_ENDPOINT: `unix:${socket}`, HAAS_USERNAME: 'alice', HAAS_PASSWORD: password };
    const created = run(['project', 'create', 'p1'], over);
    assert.equal(created.code, 0, created.stderr);
    const listed = run(['project', 'list', '--json'], over);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), ['p1']);
  });

  it('round-trips CLI commands over TCP', () => {
    const over = { HAAS_ENDPOINT: `http://127.0.0.1:${port}`, HAAS_USERNAME: 'alice', HAAS_PASSWORD: password };
    const created = run(['project', 'create', 'p2'], over);
    assert.equal(created.code, 0, created.stderr);
    const listed = run(['project', 'list', '--json'], over);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), ['p1', 'p2']);
  });

  it('exits 0 on SIGTERM', { timeout: 20_000 }, async () => {
    assert.ok(daemon, 'daemon not started');
    const code = exited(daemon);
    daemon.kill('SIGTERM');
    assert.equal(await code, 0, daemonStderr);
    daemon = undefined;
  });
});

describe('what npm test runs', () => {
  it('starts haas from the built executable, not the sources', { skip: process.env.npm_lifecycle_event !== 'test' && 'only under npm test' }, () => {
    assert.ok(process.env.HAAS_BIN, 'HAAS_BIN is not set: the tests that start haas would run src/ through tsx');
    assert.ok(existsSync(built), `${built} is missing`);
  });

  it('ships a bundle with no run-time import() (a single executable cannot run one)', () => {
    const bundle = join(dirname(built), 'haas.cjs');
    assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build first`);
    // build.mjs refuses such a bundle; this catches a build that stopped checking.
    const found = readFileSync(bundle, 'utf8').match(/\bimport\(\s*["'`][^"'`]*["'`]/g) ?? [];
    assert.deepEqual(found, []);
  });
});
