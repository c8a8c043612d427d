// `haas serve --detach`: returns once the daemon serves (so a script's next line can use it), or
// with the daemon's own error and exit code, leaving no daemon and no socket behind.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, runHaas } from './lib/daemon.js';
import { lockDatabase } from '../src/daemon/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-detach-'));
const started: number[] = [];

async function terminate(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive(pid)) {
    if (Date.now() > deadline) { process.kill(pid, 'SIGKILL'); return; }
    await new Promise((r) => setTimeout(r, 50));
  }
}

after(async () => {
  for (const pid of started) await terminate(pid);
  rmSync(dir, { recursive: true, force: true });
});

/** `haas serve --detach ...`; remembers the daemon's pid for cleanup. */
function detach(args: string[]) {
  const r = runHaas(['serve', '--detach', '--auth', 'null', ...args]);
  const pid = /pid (\d+)/.exec(r.stdout)?.[1];
  if (pid) started.push(Number(pid));
  return { ...r, pid: pid ? Number(pid) : null };
}

describe('haas serve --detach', () => {
  test('returns once the daemon serves: the very next command reaches it', async () => {
    const db = join(dir, 'a.db');
    const socket = join(dir, 'a.sock');
    const r = detach(['--db', db, '--socket', socket]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^haas: daemon ready, pid \\d+, serving unix:${socket}; log: ${join(dir, 'haas.log')}\\n$`));
    const next = runHaas(['project', 'create', 'p1'], { env: { HAAS_ENDPOINT: `unix:${socket}` } });
    assert.equal(next.code, 0, next.stderr);
    assert.match(readFileSync(join(dir, 'haas.log'), 'utf8'), /haas ready/, 'the daemon logs to the log file beside the database');
    await terminate(r.pid!);
    assert.ok(!existsSync(socket), 'SIGTERM: the daemon removed its socket');
  });

  test('--log-file chooses the log; the line names the TCP endpoint too', async () => {
    const log = join(dir, 'custom.log');
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, '127.0.0.1', () => { const a = s.address(); s.close(() => res(typeof a === 'object' && a ? a.port : 0)); });
    });
    const r = detach(['--db', join(dir, 'b.db'), '--socket', join(dir, 'b.sock'), '--listen', `127.0.0.1:${port}`, '--log-file', log]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`serving unix:${join(dir, 'b.sock')} http://127\\.0\\.0\\.1:${port}; log: ${log}`));
    assert.match(readFileSync(log, 'utf8'), /haas ready/);
    await terminate(r.pid!);
  });

  test('a daemon that fails to start: its error and exit code, no daemon and no socket left', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const db = join(dir, 'c.db');
    const socket = join(dir, 'c.sock');
    try {
      const r = detach(['--db', db, '--socket', socket, '--listen', `127.0.0.1:${port}`]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.pid, null);
      assert.match(r.stderr, /already in use/, 'the daemon\'s own message');
      assert.match(r.stderr, /failed to start \(exit 1\)/);
    } finally {
      await new Promise((res) => blocker.close(res));
    }
    assert.ok(!existsSync(socket), 'no socket');
    // No daemon holds the database any more: its lock is free.
    lockDatabase(db).release();
  });

  test('the daemon\'s own exit code comes back: 2 for a configuration problem found by the daemon', () => {
    const conf = join(dir, 'warp.conf');
    writeFileSync(conf, '[drivers]\nswitches = mock, warp\n', { mode: 0o600 });
    const r = detach(['--db', join(dir, 'e.db'), '--socket', join(dir, 'e.sock'), '--config', conf]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`${conf}:2: .*unknown driver "warp"`));
    assert.match(r.stderr, /failed to start \(exit 2\)/);
    assert.ok(!existsSync(join(dir, 'e.sock')));
  });

  test('a second daemon on a database in use: refused with the first one\'s pid', () => {
    const first = detach(['--db', join(dir, 'd.db'), '--socket', join(dir, 'd.sock')]);
    assert.equal(first.code, 0, first.stderr);
    const second = detach(['--db', join(dir, 'd.db'), '--socket', join(dir, 'd2.sock')]);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`in use by another haas daemon \\(pid ${first.pid}\\)`));
    assert.ok(!existsSync(join(dir, 'd2.sock')));
    assert.ok(alive(first.pid!));
  });

  test('--log-file without --detach is a usage error', () => {
    const r = runHaas(['serve', '--log-file', join(dir, 'x.log')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--detach/);
  });
});
