// The README's session, pasted as one block: run as one bash script (set -e) against the haas under
// test, as root, with the default locations. A private mount namespace puts an empty tmpfs on
// /var/lib, so the default state directory /var/lib/haas is the test's own and nothing of the host's
// is touched. The placeholder passwords of the README (`...`) are what the password files hold.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './lib/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-readme-'));
let daemonPid: number | null = null;
after(async () => {
  if (daemonPid !== null) {
    try { process.kill(daemonPid, 'SIGTERM'); } catch { /* already gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The first ```sh block after the heading `## A session`. */
function sessionBlock(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## A session'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README.md has a session block');
  return m[1]!;
}

/** `haas` on the PATH: the executable under test, or a wrapper that runs the sources through tsx. */
function installHaas(bin: string): void {
  mkdirSync(bin);
  if (process.env.HAAS_BIN) {
    symlinkSync(resolve(process.env.HAAS_BIN), join(bin, 'haas'));
    return;
  }
  const tsx = import.meta.resolve('tsx');
  writeFileSync(join(bin, 'haas'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsx}" "${join(repoRoot, 'src', 'main.ts')}" "$@"\n`);
  chmodSync(join(bin, 'haas'), 0o755);
}

describe('the README session', () => {
  test('runs as one script, from the first admin to giving the node back', () => {
    const bin = join(dir, 'bin');
    installHaas(bin);
    const work = join(dir, 'work');
    mkdirSync(work);
    for (const f of ['admin.pw', 'alice.pw', 'sw1.pw', 'bmc.pw']) writeFileSync(join(work, f), '...\n', { mode: 0o600 });
    // The console streams until Ctrl-]; a script leaves it after a few seconds of output, as a user would.
    const prelude = [
      'set -euo pipefail',
      'haas() { if [ "${1-} ${2-}" = "node console" ]; then timeout 3 haas "$@" < /dev/null || [ $? -eq 124 ]; else command haas "$@"; fi; }',
    ].join('\n');
    writeFileSync(join(work, 'session.sh'), `${prelude}\n${sessionBlock()}`);
    const r = spawnSync('unshare', ['-m', 'bash', '-c', 'mount -t tmpfs -o mode=0755 tmpfs /var/lib && cd "$0" && exec bash session.sh', work], {
      encoding: 'utf8', timeout: 120_000, env: { PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`, HOME: work },
    });
    const pid = /daemon ready, pid (\d+)/.exec(r.stdout)?.[1];
    if (pid) daemonPid = Number(pid);
    assert.equal(r.signal, null, `the session hung; output:\n${r.stdout}\n${r.stderr}`);
    assert.equal(r.status, 0, `output:\n${r.stdout}\n${r.stderr}`);
    assert.ok(pid, 'haas serve --detach said it was ready');
    assert.match(r.stdout, /provisioning/, 'node show lists the network');
  });
});
