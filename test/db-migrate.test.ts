// Schema versions: a database made by an older haas is migrated forward on
// open; a newer or foreign database is refused and left untouched; a missing one is never made.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runHaas, repoRoot, startDaemon } from './lib/daemon.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tables(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try { return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]; } finally { db.close(); }
}

function version(file: string): number {
  const db = new Database(file, { readonly: true });
  try { return (db.prepare('SELECT version FROM schema_version').get() as { version: number }).version; } finally { db.close(); }
}

describe('schema migrations', () => {
  it('never creates a database: a missing file is an error that names it', () => {
    const file = join(dir, 'typo', 'new.db');
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`no database at ${file.replace(/[.]/g, '\\.')}`));
    assert.equal(existsSync(join(dir, 'typo')), false, 'not even its directory');
  });

  it('a new database (create-user --init) is at the current version with the whole schema.sql', () => {
    const file = join(dir, 'new.db');
    const r = runHaas(['admin', 'create-user', 'root', '--admin', '--init', '--db', file], { input: 'pw\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const fresh = new Database(':memory:');
    fresh.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
    assert.deepEqual(tables(file), fresh.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all());
  });

  it('migrates a version-1 database (the first release) forward, keeping its data', () => {
    const file = join(dir, 'v1.db');
    const db = new Database(file);
    db.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v1.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    db.prepare("INSERT INTO project (label) VALUES ('kept')").run();
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare('SELECT label FROM project').pluck().all(), ['kept']);
    after.close();
    const fresh = new Database(':memory:');
    fresh.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
    assert.deepEqual(tables(file), fresh.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all());
  });

  it('migrates a version-3 database to 4: switches keep their settings and get no SSH host key (the next login records it)', async () => {
    const sub = mkdtempSync(join(dir, 'v3-'));
    const file = join(sub, 'haas.db');
    const db = new Database(file);
    db.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v3.sql'), 'utf8'));
    db.prepare('INSERT INTO schema_version (version) VALUES (3)').run();
    const config = JSON.stringify({ hostname: '192.0.2.7', username: 'admin', password: 'pw', dummy_vlan: 2222, port: 22 });
    db.prepare("INSERT INTO switch (label, type, config) VALUES ('sw0', 'nexus', ?)").run(config);
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(version(file), SCHEMA_VERSION);
    const after = new Database(file, { readonly: true });
    assert.deepEqual(after.prepare('SELECT label, type, config, host_key, host_key_origin, host_key_recorded_at, host_key_refused FROM switch').all(),
      [{ label: 'sw0', type: 'nexus', config, host_key: null, host_key_origin: null, host_key_recorded_at: null, host_key_refused: null }]);
    // Every table has the columns of schema.sql, in its order.
    const fresh = new Database(':memory:');
    fresh.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
    const columns = (d: Database.Database) => Object.fromEntries(tables(file).map((t) => [t, d.prepare(`PRAGMA table_info(${t})`).all()]));
    assert.deepEqual(columns(after), columns(fresh));
    after.close();
    const daemon = await startDaemon({ dir: sub });
    try {
      const k = await daemon.request('GET', '/v0/switch/sw0/host_key');
      assert.equal(k.status, 200, k.text);
      assert.deepEqual(k.json, { switch: 'sw0', fingerprint: null, origin: null, recorded_at: null, refused: null });
    } finally { await daemon.stop(); }
  });

  it('refuses a database from a newer haas', () => {
    const file = join(dir, 'future.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION + 1);
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /newer than this haas/);
    assert.equal(version(file), SCHEMA_VERSION + 1);
  });

  it('refuses while a daemon (any holder of the database lock) has the database', async () => {
    const file = join(dir, 'held.db');
    assert.equal(runHaas(['admin', 'create-user', 'root', '--init', '--db', file], { input: 'pw\n' }).code, 0);
    // One process (sh, then sleep) holds the lock on its own descriptor, as `haas serve` does.
    const holder = spawn('sh', ['-c', 'exec 9>>"$0" && flock --exclusive 9 && echo held && exec sleep 60', `${file}.lock`],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise((res) => holder.stdout!.once('data', res));
      const r = runHaas(['admin', 'migrate', '--db', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /held\.db is in use by another haas daemon.*stop it before you migrate/);
    } finally { holder.kill('SIGKILL'); }
  });

  it('refuses a SQLite file that is not a haas database', () => {
    const file = join(dir, 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE something (x)');
    db.close();
    const r = runHaas(['admin', 'migrate', '--db', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a haas database/);
    assert.deepEqual(tables(file), ['something']);
  });
});
