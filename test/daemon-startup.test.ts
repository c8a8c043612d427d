// `haas serve` fails safe: every start-up failure exits non-zero before anything is served and
// leaves no socket behind; one daemon per database; no daemon takes or deletes another's socket.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort, haasCommand, repoRoot, startDaemon } from './lib/daemon.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';

const tempDirs: string[] = [];
const running: Awaited<ReturnType<typeof startDaemon>>[] = [];
after(async () => {
  for (const d of running) await d.cleanup();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'haas-startup-'));
  tempDirs.push(dir);
  return dir;
}

async function start(opts: Parameters<typeof startDaemon>[0]) {
  const d = await startDaemon(opts);
  running.push(d);
  return d;
}

/**
 * `haas serve ARGS` run to completion, optionally under `wrap` (a command that execs what follows).
 * A daemon that keeps serving instead of failing is killed after 15 s: `signal` is then set.
 */
function serveUntilExit(args: string[], wrap: string[] = []) {
  const { cmd, args: pre } = haasCommand();
  const argv = [...wrap, cmd, ...pre, 'serve', ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: repoRoot, encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

/** The daemon refused to start: it exited by itself, non-zero, and left no socket (not even a temporary one). */
function refused(r: ReturnType<typeof serveUntilExit>, dir: string, message: RegExp): void {
  assert.equal(r.signal, null, `the daemon kept running instead of failing; stderr:\n${r.stderr}`);
  assert.notEqual(r.code, 0, r.stderr);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /haas ready/, 'ready was logged');
  const sockets = readdirSync(dir).filter((f) => statSync(join(dir, f)).isSocket());
  assert.deepEqual(sockets, [], 'no socket is left behind');
}

function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** A TCP port that something else listens on for the duration of `use`. */
async function withPortInUse<T>(use: (port: number) => T): Promise<T> {
  const server: Server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const address = server.address();
  try { return use(typeof address === 'object' && address ? address.port : 0); } finally {
    await new Promise((res) => server.close(res));
  }
}

describe('start-up failures exit non-zero before serving, leaving no socket', () => {
  const base = (dir: string) => ['--db', join(dir, 'haas.db'), '--socket', join(dir, 'haas.sock'), '--auth', 'null'];

  test('the TCP port is in use', async () => {
    const dir = tempDir();
    const r = await withPortInUse((port) => serveUntilExit([...base(dir), '--listen', `127.0.0.1:${port}`]));
    refused(r, dir, /127\.0\.0\.1:\d+.*already in use/);
  });

  test('the TLS certificate is missing', async () => {
    const dir = tempDir();
    const port = await freePort();
    const r = serveUntilExit([...base(dir), '--listen', `127.0.0.1:${port}`,
      '--tls-cert', join(dir, 'missing-cert.pem'), '--tls-key', join(dir, 'missing-key.pem')]);
    refused(r, dir, /missing-cert\.pem.*ENOENT/);
  });

  test('the TLS key is missing', async () => {
    const dir = tempDir();
    const { cert } = selfSigned(dir);
    const port = await freePort();
    const r = serveUntilExit([...base(dir), '--listen', `127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', join(dir, 'missing-key.pem')]);
    refused(r, dir, /missing-key\.pem.*ENOENT/);
  });

  test('the TLS key does not belong to the certificate', async () => {
    const dir = tempDir();
    const { cert } = selfSigned(dir);
    mkdirSync(join(dir, 'other'));
    const other = selfSigned(join(dir, 'other'));
    const port = await freePort();
    const r = serveUntilExit([...base(dir), '--listen', `127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', other.key]);
    refused(r, dir, /cannot be used together/);
  });

  test('socket_group names no group on this host', () => {
    const dir = tempDir();
    const conf = join(dir, 'haas.conf');
    writeFileSync(conf, '[server]\nsocket_group = haas-no-such-group\n');
    const r = serveUntilExit([...base(dir), '--config', conf]);
    refused(r, dir, new RegExp(`${conf}:2: socket_group: there is no group "haas-no-such-group"`));
  });

  test('the state directory is read-only (a private read-only bind mount)', () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    mkdirSync(state);
    // A database made beforehand, as after an upgrade: the daemon must not start on a directory it cannot write.
    const db = new Database(join(state, 'haas.db'));
    db.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    db.close();
    const conf = join(dir, 'haas.conf');
    writeFileSync(conf, `[server]\nstate_dir = ${state}\n`);
    const readOnly = ['unshare', '-m', 'sh', '-c', `mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"`, state];
    const r = serveUntilExit(['--config', conf, '--socket', join(dir, 'haas.sock'), '--auth', 'null'], readOnly);
    refused(r, dir, new RegExp(`${state}.*(not writable|EROFS)`));
    assert.deepEqual(readdirSync(state).filter((f) => statSync(join(state, f)).isSocket()), []);
  });

  test('the socket directory cannot be created', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const r = serveUntilExit(['--db', join(dir, 'haas.db'), '--socket', join(dir, 'file', 'haas.sock'), '--auth', 'null']);
    refused(r, dir, /cannot create the socket directory/);
  });

  test('the database comes from a newer haas', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'haas.db'));
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    refused(serveUntilExit(base(dir)), dir, /newer than this haas/);
  });

  test('something that is not a socket is at the socket path: refused and left alone', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'haas.sock'), 'precious');
    const r = serveUntilExit(base(dir));
    refused(r, dir, /not a socket/);
    assert.ok(existsSync(join(dir, 'haas.sock')));
  });
});

describe('one daemon per database, and no daemon takes another\'s socket', () => {
  test('a second daemon on the same database is refused, naming the first one\'s pid; the first still answers', async () => {
    const first = await start({});
    const dir = tempDir();
    const r = serveUntilExit(['--db', first.db, '--socket', join(dir, 'other.sock'), '--auth', 'null']);
    refused(r, dir, new RegExp(`in use by another haas daemon \\(pid ${first.child.pid}\\)`));
    assert.equal((await first.request('GET', '/v0/nodes/all')).status, 200);
  });

  test('a daemon with another database on the same socket is refused; the first keeps its socket after it exits', async () => {
    const first = await start({});
    const inode = statSync(first.socket).ino;
    const dir = tempDir();
    const r = serveUntilExit(['--db', join(dir, 'other.db'), '--socket', first.socket, '--auth', 'null']);
    assert.equal(r.signal, null, r.stderr);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /another daemon is serving on/);
    assert.ok(!existsSync(join(dir, 'other.db')), 'the refused daemon did not create its database');
    assert.equal(statSync(first.socket).ino, inode, 'the socket is still the first daemon\'s');
    assert.equal((await first.request('GET', '/v0/nodes/all')).status, 200);
  });

  test('a socket left by kill -9 is stale: the next daemon replaces it', async () => {
    const dir = tempDir();
    const first = await start({ dir });
    await first.kill();
    assert.ok(statSync(first.socket).isSocket(), 'kill -9 leaves the socket file');
    const second = await start({ dir });
    assert.equal((await second.request('GET', '/v0/nodes/all')).status, 200);
    assert.equal(await second.stop(), 0);
    assert.ok(!existsSync(second.socket), 'a clean stop removes its own socket');
  });

  test('on shutdown a daemon removes the socket path only if it still holds its own socket', async () => {
    const first = await start({});
    renameSync(first.socket, `${first.socket}.moved`);
    const other = createServer();
    await new Promise<void>((res) => other.listen(first.socket, res));
    try {
      assert.equal(await first.stop(), 0, first.stderr);
      assert.ok(statSync(first.socket).isSocket(), 'the other socket at the path is left alone');
    } finally {
      await new Promise((res) => other.close(res));
    }
  });

  test('the database lock is released on exit: a daemon starts again on the same database', async () => {
    const dir = tempDir();
    const first = await start({ dir });
    assert.equal(await first.stop(), 0);
    const again = await start({ dir });
    assert.equal((await again.request('GET', '/v0/nodes/all')).status, 200);
  });
});
