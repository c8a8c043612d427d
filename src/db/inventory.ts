// The inventory database: opening, pragmas, schema versioning and a
// prepared-statement cache. Queries live with the domain code that owns them.
import type BetterSqlite3 from 'better-sqlite3';
import { chmodSync, mkdirSync, existsSync, closeSync, openSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase, readSchemaSql } from './sqlite.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrate.js';
import { assertSameFile, identityOf, type FileIdentity } from './storage.js';
import { GroupCommit } from './group-commit.js';

type Param = string | number | bigint | null | Buffer;

/** The page cache of a connection, in KiB. */
const PAGE_CACHE_KIB = 4096;

/** A handle on the inventory: cached prepared statements and transactions. */
export class Inventory {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  /** The identity of the file opened at `file` (null for ':memory:'). */
  private readonly opened: FileIdentity | null;
  private readonly totalChanges: BetterSqlite3.Statement;
  /** With group commit, commits are made durable by durable(); without, each commit is (synchronous = FULL). */
  private readonly group: GroupCommit | null;
  /**
   * Runs every outermost transaction's body (and every lone write, made one transaction): the audit
   * trail (src/core/audit.ts) adds a request's entry to the transaction that makes its change.
   */
  txBody: (<T>(fn: () => T) => T) | null = null;
  /** Whether a read() transaction is open. */
  private reading = false;
  private readonly beginRead: BetterSqlite3.Statement;
  private readonly commitRead: BetterSqlite3.Statement;
  constructor(readonly sqlite: BetterSqlite3.Database, readonly file = ':memory:', groupCommit = false) {
    this.opened = file === ':memory:' ? null : identityOf(file);
    this.totalChanges = sqlite.prepare('SELECT total_changes()').pluck();
    this.beginRead = sqlite.prepare('BEGIN DEFERRED');
    this.commitRead = sqlite.prepare('COMMIT');
    this.group = groupCommit && file !== ':memory:'
      ? new GroupCommit(`${realpathSync(file)}-wal`, () => this.changeCount()) : null;
  }

  /** Before a write: refuse it (StorageError) when the database file was deleted or replaced under us, or a sync failed. */
  private beforeWrite(): void {
    if (this.sqlite.inTransaction) return;
    if (this.group?.failure) throw this.group.failure;
    if (this.opened) assertSameFile(this.file, this.opened);
  }

  /** Rows changed through this connection so far (compare two readings to learn whether something wrote). */
  changeCount(): number { return this.totalChanges.get() as number; }

  /**
   * Whether durable() has nothing to wait for: every commit up to `changes` (a changeCount()) is on
   * disk, and no sync has failed. Lets a read skip the promise of durable().
   */
  settled(changes: number): boolean { return this.group === null || this.group.settled(changes); }

  /**
   * Resolves when every commit made so far is on disk: await it before acknowledging a write.
   * `wrote`: whether the caller changed something (after a failed sync, only those are refused).
   */
  async durable(wrote: boolean): Promise<void> {
    if (this.group) await this.group.durable(wrote);
  }

  private stmt(sql: string, pluck = false): BetterSqlite3.Statement {
    // pluck() changes a statement for good: plucked ones are cached apart.
    const key = pluck ? `pluck:${sql}` : sql;
    let s = this.cache.get(key);
    if (!s) { s = this.sqlite.prepare(sql); if (pluck) s.pluck(); this.cache.set(key, s); }
    return s;
  }
  /** A statement to query with: one that writes (`UPDATE ... RETURNING`) ends a read() first. */
  private query(sql: string, pluck = false): BetterSqlite3.Statement {
    const s = this.stmt(sql, pluck);
    if (this.reading && !s.readonly) this.endRead();
    return s;
  }
  /** First row of a query, or undefined. */
  get<T>(sql: string, ...params: Param[]): T | undefined { return this.query(sql).get(...params) as T | undefined; }
  /** All rows of a query. */
  all<T>(sql: string, ...params: Param[]): T[] { return this.query(sql).all(...params) as T[]; }
  /** First column of every row. */
  column<T>(sql: string, ...params: Param[]): T[] { return this.query(sql, true).all(...params) as T[]; }

  /**
   * Run fn with the reads of its synchronous part in one read transaction: SQLite then takes the
   * WAL's read lock once rather than for each statement (two fcntl(2) calls a statement, a third of
   * a cheap GET's time on a VM where a system call is dear), and those reads see one snapshot. The
   * transaction ends when fn returns, also when it returns a promise: what fn does after an await
   * reads outside it, as without read(). A write inside ends the read transaction first, so writes
   * go exactly as they do outside.
   */
  read<T>(fn: () => T): T {
    if (this.reading || this.sqlite.inTransaction) return fn();
    this.beginRead.run();
    this.reading = true;
    try {
      return fn();
    } finally {
      this.endRead();
    }
  }

  private endRead(): void {
    if (!this.reading) return;
    this.reading = false;
    this.commitRead.run();
  }

  /** Run a write; returns the changes count and last rowid. */
  run(sql: string, ...params: Param[]): BetterSqlite3.RunResult {
    if (this.reading) this.endRead();
    if (this.txBody && !this.sqlite.inTransaction) return this.tx(() => this.stmt(sql).run(...params));
    this.beforeWrite();
    return this.stmt(sql).run(...params);
  }
  /** Run fn in one IMMEDIATE transaction (never await inside); on disk when it returns, or (group commit) after durable(). */
  tx<T>(fn: () => T): T {
    if (this.reading) this.endRead();
    this.beforeWrite();
    const body = this.txBody;
    return this.sqlite.transaction(body && !this.sqlite.inTransaction ? () => body(fn) : fn).immediate();
  }
  close(): void { this.group?.close(); this.sqlite.close(); }
}

/** Thrown when the database file cannot be used as an inventory. */
export class InventoryError extends Error {}

/** Thrown by openInventory({ create: false }) when there is no database file at `file`. */
export class NoDatabaseError extends InventoryError {
  constructor(readonly file: string) { super(`no database at ${file}`); }
}

/** How to open the inventory. */
export interface OpenOptions {
  /** Create the file (and its directory) when it does not exist; default true (the daemon's first start). */
  create?: boolean;
  /**
   * Group commit (the daemon): commits are not synced one by one, and the caller awaits
   * durable() before it acknowledges anything. Default false: every commit is synced (FULL).
   */
  groupCommit?: boolean;
}

/**
 * Open and migrate the inventory at `file` (mode 0600). A missing file is created
 * unless `create` is false, then NoDatabaseError is thrown and nothing is made.
 */
export function openInventory(file: string, { create = true, groupCommit = false }: OpenOptions = {}): Inventory {
  // The database, its -wal and -shm files hold secrets: everything this process creates is private.
  process.umask(0o077);
  if (file !== ':memory:') {
    if (!existsSync(file)) {
      if (!create) throw new NoDatabaseError(file);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    }
    chmodSync(file, 0o600);
  }
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = openDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    // An answer (200, or 202 with a status_id) must survive a power cut: with FULL every commit is
    // fsynced before it returns; with group commit (NORMAL, which still orders checkpoints by
    // fsyncs) the daemon awaits durable() before answering. NORMAL alone lost the last second's commits.
    sqlite.pragma(groupCommit ? 'synchronous = NORMAL' : 'synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MiB page cache per connection, and the audit trail
    // makes the file grow by every write: the cache fills with trail pages nobody reads again, and
    // RSS grows with it up to the cache's size. The inventory of 10,000 nodes (node, nic and their
    // indexes) is about 2 MiB: 4 MiB holds it twice over (reads at 10,000 nodes do no pread) and
    // keeps the daemon's memory as it was before the trail existed.
    sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  } catch (e) {
    throw new InventoryError(`cannot open database ${file}: ${(e as Error).message}`);
  }
  migrate(sqlite, file);
  try {
    return new Inventory(sqlite, file, groupCommit);
  } catch (e) {
    sqlite.close();
    throw new InventoryError(`cannot open database ${file}: ${(e as Error).message}`);
  }
}

/** The database's schema version, or null when it has no schema_version table (empty, or not haas's). */
export function schemaVersionOf(sqlite: BetterSqlite3.Database): number | null {
  const hasVersion = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").get();
  if (!hasVersion) return null;
  const row = sqlite.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

/** The schema version recorded in the open inventory, read afresh on every call; undefined when the row is missing. */
export function recordedSchemaVersion(inv: Inventory): number | undefined {
  return inv.column<number>('SELECT version FROM schema_version')[0];
}

/** Bring the schema to SCHEMA_VERSION: create it on an empty file, else apply forward migrations. */
export function migrate(sqlite: BetterSqlite3.Database, file: string): { from: number; to: number } {
  const version = schemaVersionOf(sqlite);
  if (version === null) {
    const tables = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table'").get() as { n: number };
    if (tables.n > 0) throw new InventoryError(`${file} is not a haas database (it has tables but no schema_version)`);
    sqlite.transaction(() => {
      sqlite.exec(readSchemaSql());
      sqlite.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    }).immediate();
    return { from: 0, to: SCHEMA_VERSION };
  }
  const from = version;
  if (from > SCHEMA_VERSION) {
    throw new InventoryError(`${file} has schema version ${from}, newer than this haas (${SCHEMA_VERSION}); use a newer haas`);
  }
  for (let v = from; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new InventoryError(`no migration from schema version ${v}`);
    sqlite.transaction(() => {
      sqlite.exec(step);
      sqlite.prepare('UPDATE schema_version SET version = ?').run(v + 1);
    }).immediate();
  }
  return { from, to: SCHEMA_VERSION };
}
