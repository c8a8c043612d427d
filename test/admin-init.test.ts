// Offline admin commands never create a database by accident: `haas admin create-user` makes a
// new inventory only at the default location or with --init, and says so; a mistyped --db is
// an error that names the path and --init, and leaves no file and no directory behind.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haasCommand, repoRoot, runHaas } from './lib/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-admin-init-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;

describe('haas admin create-user and a missing database', () => {
  it('refuses a --db where there is no database, naming it and --init, and creates nothing', () => {
    const typo = join(dir, 'sate', 'haas.db');
    const r = runHaas(['admin', 'create-user', 'alice', '--admin', '--db', typo], { input: 'pw\n' });
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, `haas: no database at ${typo} (check --db, HAAS_DB or the config file; ` +
      '`haas admin create-user NAME --admin --init` creates a new inventory there)\n');
    assert.equal(existsSync(join(dir, 'sate')), false, 'no directory either');

    const sibling = join(dir, 'hass.db');
    assert.equal(runHaas(['admin', 'create-user', 'alice', '--db', sibling], { input: 'pw\n' }).code, 1);
    assert.deepEqual(readdirSync(dir), []);
  });

  it('creates a new inventory with --init, says so, and uses an existing one without a word', () => {
    const db = join(dir, 'new', 'haas.db');
    const r = runHaas(['admin', 'create-user', 'alice', '--admin', '--init', '--db', db], { input: 'pw\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `created new inventory at ${db}\ncreated admin user alice\n`);
    assert.equal(statSync(db).mode & 0o777, 0o600);
    const again = runHaas(['admin', 'create-user', 'bob', '--init', '--db', db], { input: 'pw\n' });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, 'created user bob\n');
    const plain = runHaas(['admin', 'create-user', 'carol', '--db', db], { input: 'pw\n' });
    assert.equal(plain.code, 0, plain.stderr);
  });

  it('creates the default database of a fresh machine (the README\'s first command), as root', { skip: asRoot ? false : 'needs root (a private mount namespace)' }, () => {
    // /var/lib is replaced by an empty directory in a private mount namespace: nothing global is touched.
    const varLib = mkdtempSync(join(dir, 'var-lib-'));
    const { cmd, args } = haasCommand();
    const script = 'mount --bind "$0" /var/lib && exec "$@"';
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, varLib,
      cmd, ...args, 'admin', 'create-user', 'admin', '--admin'], { cwd: repoRoot, input: 'pw\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'created new inventory at /var/lib/haas/haas.db\ncreated admin user admin\n');
    assert.equal(statSync(join(varLib, 'haas', 'haas.db')).mode & 0o777, 0o600);
  });
});
