// The systemd unit in docs/systemd/haas.service: what it promises, and that systemd accepts it.
// systemd is not PID 1 on our machines, but `systemd-analyze verify FILE` still checks a unit; it
// needs ExecStart's binary to exist, so a copy of the unit points at the executable under test.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from './lib/daemon.js';

const unit = readFileSync(join(repoRoot, 'docs', 'systemd', 'haas.service'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'haas-systemd-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The settings of the unit as `key=value` lines (comments and sections left out). */
function setting(key: string): string[] {
  return [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
}

describe('docs/systemd/haas.service', () => {
  test('runs the installed executable with the system config, restarts on failure, keeps headnodes running', () => {
    assert.deepEqual(setting('ExecStart'), ['/usr/local/bin/haas serve --config /etc/haas/haas.conf']);
    assert.deepEqual(setting('Type'), ['simple']);
    assert.deepEqual(setting('Restart'), ['on-failure']);
    assert.deepEqual(setting('RestartPreventExitStatus'), ['2'], 'a configuration problem (exit 2) is not retried');
    assert.deepEqual(setting('StateDirectory'), ['haas']);
    assert.deepEqual(setting('KillMode'), ['process'], 'QEMU headnodes outlive a daemon restart');
    assert.deepEqual(setting('LimitNOFILE'), ['65536'], 'room for connections_per_source x many addresses');
    const caps = setting('CapabilityBoundingSet')[0]?.split(/\s+/) ?? [];
    for (const cap of ['CAP_NET_ADMIN', 'CAP_CHOWN']) assert.ok(caps.includes(cap), cap);
    assert.deepEqual(setting('PrivateDevices'), [], '/dev/net/tun and /dev/kvm must stay reachable');
    assert.deepEqual(setting('MemoryDenyWriteExecute'), [], 'V8 and QEMU generate code');
  });

  test('systemd-analyze verify accepts it', () => {
    const candidates = [process.env.HAAS_BIN ? resolve(process.env.HAAS_BIN) : '', join(repoRoot, 'dist', 'haas'), process.execPath];
    const exe = candidates.find((c) => c !== '' && existsSync(c))!;
    const copy = join(dir, 'haas.service');
    writeFileSync(copy, unit.replace(/^ExecStart=\/usr\/local\/bin\/haas /m, `ExecStart=${exe} `));
    const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.error, undefined, 'systemd-analyze must be installed (Debian: systemd)');
    assert.equal(r.status, 0, r.stderr);
    const aboutUs = r.stderr.split('\n').filter((l) => l.includes('haas.service'));
    assert.deepEqual(aboutUs, [], 'no warning about the unit');
  });
});
