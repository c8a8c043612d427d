// `--auth null` is checked against the address TCP actually bound, not the spelling of the host
// (issue 11): a name that looks like loopback (`127.<something>`) but resolves to 0.0.0.0 makes
// the daemon exit non-zero having served nothing, with no socket left. The names are given by an
// edited copy of /etc/hosts bind-mounted in a private mount namespace (LAB.md); nothing global changes.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, haasCommand } from './lib/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-harden-authnull-'));
const hosts = join(dir, 'hosts');
writeFileSync(hosts, `${readFileSync('/etc/hosts', 'utf8')}\n0.0.0.0 127.harden-wild.example\n127.0.0.3 harden-loop.example\n`);

/** `haas serve ARGS` in a private mount namespace whose /etc/hosts is our copy. */
function serveArgv(args: string[]): string[] {
  const { cmd, args: pre } = haasCommand();
  return ['-m', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" /etc/hosts && shift && exec "$@"', 'sh', hosts, cmd, ...pre, 'serve', ...args];
}

describe('--auth null and the address actually bound', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a host name that resolves to 0.0.0.0, leaving no socket', async () => {
    const socket = join(dir, 'wild.sock');
    const port = await freePort();
    const r = spawnSync('unshare', serveArgv(['--db', join(dir, 'wild.db'), '--socket', socket, '--listen', `127.harden-wild.example:${port}`, '--auth', 'null']),
      { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0, `the daemon started: ${r.stderr}`);
    assert.equal(r.signal, null, `the daemon had to be killed: ${r.stderr}`);
    assert.match(r.stderr, /refusing auth null: listen 127\.harden-wild\.example resolved to 0\.0\.0\.0, not a loopback address/);
    assert.doesNotMatch(r.stderr, /haas ready/);
    assert.ok(!existsSync(socket), 'a socket was left behind');
  });

  it('accepts a host name that resolves to a loopback address', async () => {
    const socket = join(dir, 'loop.sock');
    const port = await freePort();
    const child = spawn('unshare', serveArgv(['--db', join(dir, 'loop.db'), '--socket', socket, '--listen', `harden-loop.example:${port}`, '--auth', 'null']),
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c) => { stderr += c; });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/haas ready/.test(stderr) && child.exitCode === null && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      assert.match(stderr, /listening on http:\/\/harden-loop\.example:\d+/, stderr);
      assert.ok(existsSync(socket));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    assert.ok(!existsSync(socket), 'the socket is removed on shutdown');
  });
});
