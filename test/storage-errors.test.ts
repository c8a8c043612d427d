// Which SQLite failures are storage failures (503 StorageError with the cause) and which are not,
// on errors SQLite really raises: a file that is no database, a corrupt page, a foreign lock, a
// read-only handle; a constraint violation stays what it is (a bug if it reaches the API).
// The full disk, the read-only filesystem and the replaced file run against the executable in
// storage-failures.test.ts and storage-durability.test.ts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { storageErrorOf } from '../src/db/storage.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-storage-errors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  throw new Error('expected an error');
}

function asStorage(e: unknown, cause: RegExp): void {
  const s = storageErrorOf(e);
  assert.ok(s, `not a storage failure: ${String(e)}`);
  assert.equal(s.type, 'StorageError');
  assert.equal(s.status, 503);
  assert.match(s.message, cause);
}

describe('storage failures are told apart from bugs', () => {
  test('a file that is not a database', () => {
    const f = join(dir, 'garbage.db');
    writeFileSync(f, Buffer.alloc(8192, 0x5a));
    const db = new Database(f);
    asStorage(thrown(() => db.prepare('SELECT * FROM sqlite_master').all()), /not a database .*SQLITE_NOTADB/);
    db.close();
  });

  test('a corrupt page', () => {
    const f = join(dir, 'corrupt.db');
    const db = new Database(f);
    db.exec('CREATE TABLE t (x TEXT)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 2000; i++) insert.run(`row ${i} `.repeat(10)); })();
    db.close();
    const fd = openSync(f, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0xff), 0, 4096 * 4, 4096 * 3);
    closeSync(fd);
    const again = new Database(f);
    asStorage(thrown(() => again.prepare('SELECT count(*), max(x) FROM t').get()), /corrupt .*SQLITE_CORRUPT/);
    again.close();
  });

  test('a lock held by another connection, beyond the busy timeout', () => {
    const f = join(dir, 'locked.db');
    const holder = new Database(f);
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (x)');
    holder.prepare('BEGIN IMMEDIATE').run();
    const other = new Database(f, { timeout: 50 });
    asStorage(thrown(() => other.prepare('INSERT INTO t VALUES (1)').run()), /locked by another process .*SQLITE_BUSY/);
    holder.prepare('ROLLBACK').run();
    other.close();
    holder.close();
  });

  test('a database that cannot be written', () => {
    const f = join(dir, 'readonly.db');
    new Database(f).exec('CREATE TABLE t (x)');
    const db = new Database(f, { readonly: true });
    asStorage(thrown(() => db.prepare('INSERT INTO t VALUES (1)').run()), /cannot be written .*SQLITE_READONLY/);
    db.close();
  });

  test('a constraint violation is no storage failure', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (x UNIQUE)');
    db.prepare('INSERT INTO t VALUES (1)').run();
    assert.equal(storageErrorOf(thrown(() => db.prepare('INSERT INTO t VALUES (1)').run())), null);
    assert.equal(storageErrorOf(new Error('disk I/O error')), null);
    db.close();
  });
});
