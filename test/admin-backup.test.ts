// `haas admin backup` and `haas admin restore` as a lab admin uses them, against the executable:
// a consistent copy while the daemon writes, a restore refused while a daemon holds the database
// or when the backup is not one this haas can use (the database left exactly as it was), and a
// round trip that keeps the previous database, its -wal included, aside.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, closeSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { haasCommand, repoRoot, runHaas, startDaemon, type Credentials } from './lib/daemon.js';
import { SCHEMA_VERSION } from '../src/db/migrate.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const admin: Credentials = { username: 'root', password: 'root-secret-pw' };
const dirs: string[] = [];
const daemons: TestDaemon[] = [];
const holders: ChildProcess[] = [];
after(async () => {
  for (const h of holders) h.kill('SIGKILL');
  for (const d of daemons) await d.cleanup();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'haas-backup-test-'));
  dirs.push(dir);
  return dir;
}

async function daemon(dir?: string): Promise<TestDaemon> {
  const d = await startDaemon({ auth: 'database', admins: [admin], dir: dir ?? tempDir() });
  daemons.push(d);
  return d;
}

/** Run the haas CLI asynchronously (the test keeps talking to the daemon meanwhile). */
function haasAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { cmd, args: pre } = haasCommand();
  const child = spawn(cmd, [...pre, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = ''; let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((res) => child.on('close', (code) => res({ code, stdout, stderr })));
}

function projectsIn(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try { return db.prepare('SELECT label FROM project ORDER BY label').pluck().all() as string[]; } finally { db.close(); }
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try { return db.pragma('integrity_check', { simple: true }) as string; } finally { db.close(); }
}

/** The database's directory as it is: every name with a hash of its bytes (the lock file aside: it guards, it holds no data). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) {
    if (!statSync(join(dir, f)).isFile() || f.endsWith('.db.lock')) continue;
    out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  }
  return out;
}

/** A haas database made by the test: the current schema, one project, then `edit` applied. */
function makeBackup(file: string, edit?: (db: Database.Database) => void): string {
  const db = new Database(file);
  db.exec(readFileSync(join(repoRoot, 'schema.sql'), 'utf8'));
  db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
  db.prepare("INSERT INTO project (label) VALUES ('from-backup')").run();
  edit?.(db);
  db.close();
  return file;
}

describe('haas admin backup', () => {
  it('writes a consistent copy while the daemon writes, exits 0 and says where', async () => {
    const d = await daemon();
    const copy = join(d.dir, 'copy.db');
    // Projects p000, p001, ... are created one after another during the backup: a consistent
    // copy holds a prefix of them, never a later one without an earlier one.
    let writing = true;
    let made = 0;
    const writer = (async () => {
      while (writing || made < 20) {
        const r = await d.request('PUT', `/v0/project/p${String(made).padStart(3, '0')}`, { auth: admin });
        assert.equal(r.status, 200, r.text);
        made++;
      }
    })();
    const r = await haasAsync(['admin', 'backup', copy, '--db', d.db]);
    writing = false;
    await writer;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `backed up ${d.db} (schema version ${SCHEMA_VERSION}) to ${copy}\n`);
    assert.equal(statSync(copy).mode & 0o777, 0o600);
    assert.equal(integrity(copy), 'ok');
    const got = projectsIn(copy);
    assert.deepEqual(got, got.map((_, i) => `p${String(i).padStart(3, '0')}`));
    assert.equal(existsSync(`${copy}-wal`), false, 'one self-contained file');
    assert.deepEqual(readdirSync(d.dir).filter((f) => f.includes('copy.db') && f !== 'copy.db'), [], 'no temp file left');
  });

  it('leaves an existing file alone unless --force', async () => {
    const dir = tempDir();
    const db = makeBackup(join(dir, 'haas.db'));
    const target = join(dir, 'old-copy.db');
    writeFileSync(target, 'last night\n');
    const refused = runHaas(['admin', 'backup', target, '--db', db]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /old-copy\.db exists; give --force/);
    assert.equal(readFileSync(target, 'utf8'), 'last night\n');
    const nowhere = runHaas(['admin', 'backup', join(dir, 'no-such-dir', 'copy.db'), '--db', db]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /directory .*no-such-dir does not exist/);
    const forced = runHaas(['admin', 'backup', target, '--force', '--db', db]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(projectsIn(target), ['from-backup']);
    assert.equal(statSync(target).mode & 0o777, 0o600);
  });

  it('never creates the database it is asked to copy', () => {
    const dir = tempDir();
    const r = runHaas(['admin', 'backup', join(dir, 'copy.db'), '--db', join(dir, 'typo', 'haas.db')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no database at .*typo\/haas\.db/);
    assert.deepEqual(readdirSync(dir), []);
  });
});

describe('haas admin restore', () => {
  /** Restore must refuse `backup` and leave the database directory exactly as it was. */
  function refusedUntouched(db: string, backup: string, why: RegExp): void {
    const dir = join(db, '..');
    const before = snapshot(dir);
    const r = runHaas(['admin', 'restore', backup, '--db', db]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, why);
    assert.deepEqual(snapshot(dir), before, 'the database directory is as it was');
  }

  it('refuses while a daemon holds the database, and names it', async () => {
    const d = await daemon();
    const backup = makeBackup(join(tempDir(), 'backup.db'));
    assert.equal((await d.request('PUT', '/v0/project/live', { auth: admin })).status, 200);
    refusedUntouched(d.db, backup, /in use by another haas daemon.*stop it before you restore/);
    assert.deepEqual((await d.request('GET', '/v0/projects', { auth: admin })).json, ['live']);
  });

  it('refuses while any process holds the database lock', async () => {
    const dir = tempDir();
    const db = makeBackup(join(dir, 'haas.db'));
    const backup = makeBackup(join(tempDir(), 'backup.db'));
    // One process (sh, then sleep) holds the lock on its own descriptor: killing it lets the lock go.
    const holder = spawn('sh', ['-c', 'exec 9>>"$0" && flock --exclusive 9 && echo held && exec sleep 60', `${db}.lock`],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    holders.push(holder);
    await new Promise((res) => holder.stdout!.once('data', res));
    refusedUntouched(db, backup, /haas\.db is in use/);
    holder.kill('SIGKILL');
  });

  it('refuses a file that is not an SQLite database', () => {
    const db = makeBackup(join(tempDir(), 'haas.db'));
    const notes = join(tempDir(), 'notes.txt');
    writeFileSync(notes, 'this is not a database, but it is long enough to look like one to a careless tool\n'.repeat(100));
    refusedUntouched(db, notes, /notes\.txt is not an SQLite database/);
  });

  it('refuses a corrupt database', () => {
    const db = makeBackup(join(tempDir(), 'haas.db'));
    const corrupt = makeBackup(join(tempDir(), 'corrupt.db'));
    const info = new Database(corrupt, { readonly: true });
    const root = info.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'project'").pluck().get() as number;
    const pageSize = info.pragma('page_size', { simple: true }) as number;
    info.close();
    const fd = openSync(corrupt, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xff), 0, 64, (root - 1) * pageSize); // the project table's b-tree page header
    closeSync(fd);
    refusedUntouched(db, corrupt, /corrupt\.db fails SQLite's integrity check/);
  });

  it('refuses a database from a newer haas, and an SQLite file that is not haas\'s', () => {
    const db = makeBackup(join(tempDir(), 'haas.db'));
    const future = makeBackup(join(tempDir(), 'future.db'), (f) => f.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION + 1));
    refusedUntouched(db, future, new RegExp(`future\\.db has schema version ${SCHEMA_VERSION + 1}, newer than this haas`));
    const other = join(tempDir(), 'other.db');
    const o = new Database(other);
    o.exec('CREATE TABLE something (x)');
    o.close();
    refusedUntouched(db, other, /other\.db is not a haas database/);
  });

  it('migrates an older backup forward in the copy it puts in place', () => {
    const dir = tempDir();
    const db = join(dir, 'haas.db');
    const v1 = join(tempDir(), 'v1.db');
    const old = new Database(v1);
    old.exec(readFileSync(join(repoRoot, 'test', 'fixtures', 'schema-v1.sql'), 'utf8'));
    old.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    old.prepare("INSERT INTO project (label) VALUES ('kept')").run();
    old.close();
    const r = runHaas(['admin', 'restore', v1, '--db', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`schema version 1 \\(migrated to ${SCHEMA_VERSION}\\)`));
    assert.match(r.stdout, /there was no database at/);
    const got = new Database(db, { readonly: true });
    assert.equal(got.prepare('SELECT version FROM schema_version').pluck().get(), SCHEMA_VERSION);
    got.close();
    assert.deepEqual(projectsIn(db), ['kept']);
    assert.equal(statSync(db).mode & 0o777, 0o600);
  });

  it('round trip: backup, change, crash, restore; the daemon serves the backup, the previous database is kept aside', async () => {
    let d = await daemon();
    const dir = d.dir;
    const call = (method: string, path: string) => d.request(method, `/v0${path}`, { auth: admin });
    assert.equal((await call('PUT', '/project/kept')).status, 200);
    assert.equal((await call('PUT', '/project/dropped-later')).status, 200);
    const backup = join(tempDir(), 'nightly.db');
    const b = runHaas(['admin', 'backup', backup, '--db', d.db]);
    assert.equal(b.code, 0, b.stderr);

    assert.equal((await call('DELETE', '/project/dropped-later')).status, 200);
    assert.equal((await call('PUT', '/project/made-after-backup')).status, 200);
    // A crash leaves the latest commits in haas.db-wal: they belong to the previous database.
    await d.kill();
    assert.ok(existsSync(`${d.db}-wal`) && statSync(`${d.db}-wal`).size > 0, 'the crash left a -wal');

    const r = runHaas(['admin', 'restore', backup, '--db', d.db]);
    assert.equal(r.code, 0, r.stderr);
    const aside = readdirSync(dir).filter((f) => /^haas\.db\.before-restore-\d{8}T\d{6}Z$/.test(f));
    assert.equal(aside.length, 1, readdirSync(dir).join(' '));
    const asidePath = join(dir, aside[0]!);
    assert.equal(r.stdout, [
      `checked ${backup}: integrity ok, schema version ${SCHEMA_VERSION}`,
      `kept the previous database as ${asidePath} with its -wal, -shm`,
      `restored ${backup} to ${d.db}`,
      `the next haas serve verifies every switch against it and reports the drift (marker ${d.db}-restored)`,
      '',
    ].join('\n'));
    assert.equal(existsSync(`${d.db}-wal`), false, 'no stale -wal beside the restored database');
    assert.equal(statSync(d.db).mode & 0o777, 0o600);
    assert.deepEqual(projectsIn(d.db), ['dropped-later', 'kept']);
    assert.deepEqual(projectsIn(asidePath), ['kept', 'made-after-backup'], 'the previous database, its -wal included');
    const marker = readFileSync(`${d.db}-restored`, 'utf8');
    const [when, from] = marker.trim().split(' ');
    assert.equal(from, backup);
    assert.equal(new Date(when!).toISOString(), when);
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temp file left');

    d = await daemon(dir);
    assert.deepEqual((await call('GET', '/projects')).json, ['dropped-later', 'kept']);
  });
});
