// Copies of the inventory file: a backup (consistent while the daemon writes, through SQLite's
// backup API) and the two halves of a restore: check and prepare a copy beside the database,
// then swap it in, keeping the previous database (with its -wal) aside.
// Locking against a running daemon is the caller's job (src/daemon/lock.ts).
import { chmodSync, closeSync, constants, copyFileSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { InventoryError, NoDatabaseError, migrate, schemaVersionOf } from './inventory.js';
import { SCHEMA_VERSION } from './migrate.js';
import { openDatabase } from './sqlite.js';

/** The files SQLite may keep beside a database, which belong to it. */
const SIDECARS = ['-wal', '-shm', '-journal'];

/** Flush a file, or a directory's entries, to disk. */
function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** A private temp file name beside `file` (same directory, so that a rename is atomic). */
function tempBeside(file: string, what: string): string {
  return join(dirname(file), `.${basename(file)}.${what}-${process.pid}`);
}

/** Remove a temp database and whatever SQLite left beside it. */
function removeWithSidecars(file: string): void {
  for (const f of [file, ...SIDECARS.map((s) => file + s)]) rmSync(f, { force: true });
}

/**
 * What SQLite says about an open database: integrity_check and foreign_key_check must pass and
 * it must carry haas's schema_version. Returns that version; throws InventoryError naming `name`.
 */
function checkDatabase(sqlite: BetterSqlite3.Database, name: string): number {
  let problems: string[];
  try {
    problems = (sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'SQLITE_NOTADB') throw new InventoryError(`${name} is not an SQLite database`);
    throw new InventoryError(`${name} fails SQLite's integrity check: ${(e as Error).message}`);
  }
  if (problems.join() !== 'ok') {
    throw new InventoryError(`${name} fails SQLite's integrity check: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; ...' : ''}`);
  }
  const version = schemaVersionOf(sqlite);
  if (version === null) throw new InventoryError(`${name} is not a haas database (it has no schema_version table)`);
  const broken = sqlite.pragma('foreign_key_check') as Array<{ table: string; rowid: number; parent: string }>;
  if (broken.length > 0) {
    const f = broken[0]!;
    throw new InventoryError(`${name} fails SQLite's foreign key check: ${broken.length} row(s), first ${f.table} row ${f.rowid} (refers to a missing ${f.parent})`);
  }
  return version;
}

/**
 * Write a consistent copy of the database `db` to `target` (mode 0600), even while a daemon
 * writes to it, and check the copy. Never creates `db`; refuses an existing `target` unless
 * `force`. The copy appears complete or not at all (written beside it, then renamed).
 */
export async function backupInventory(db: string, target: string, { force }: { force: boolean }): Promise<{ schemaVersion: number }> {
  if (!existsSync(db)) throw new NoDatabaseError(db);
  process.umask(0o077); // SQLite's -wal/-shm of the copy hold secrets too
  if (!force && existsSync(target)) throw new InventoryError(`${target} exists; give --force to replace it`);
  if (existsSync(target) && !statSync(target).isFile()) throw new InventoryError(`${target} exists and is not a file`);
  if (!existsSync(dirname(target))) throw new InventoryError(`directory ${dirname(target)} does not exist`);
  const temp = tempBeside(target, 'backup');
  removeWithSidecars(temp);
  closeSync(openSync(temp, 'wx', 0o600));
  try {
    const source = openDatabase(db);
    try {
      source.pragma('busy_timeout = 5000');
      await source.backup(temp);
    } catch (e) {
      throw new InventoryError(`cannot back up ${db}: ${(e as Error).message}`);
    } finally { source.close(); }
    const copy = openDatabase(temp);
    let schemaVersion: number;
    try {
      schemaVersion = checkDatabase(copy, db);
      // A backup is one self-contained file: no -wal expected beside it.
      copy.pragma('journal_mode = DELETE');
    } finally { copy.close(); }
    fsyncPath(temp);
    if (force) renameSync(temp, target);
    else {
      // link() fails if the target appeared meanwhile: never replace a file without --force.
      try { linkSync(temp, target); } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new InventoryError(`${target} exists; give --force to replace it`);
        throw e;
      }
      rmSync(temp);
    }
    fsyncPath(dirname(target));
    return { schemaVersion };
  } finally {
    removeWithSidecars(temp);
  }
}

/** A checked copy of a backup, beside the database it will replace. */
export interface PreparedRestore {
  /** The temp file holding the checked (and, if older, migrated) copy. */
  temp: string;
  /** Schema version of the backup, and of the copy now (SCHEMA_VERSION). */
  from: number;
  to: number;
  /** Throw the copy away (when the restore stops before installRestore). */
  discard(): void;
}

/**
 * Copy the backup `source` beside `db`, check it (an SQLite database that passes
 * integrity_check and foreign_key_check, a haas schema not newer than this binary), migrate
 * an older schema forward, and flush it to disk. Nothing at `db` is touched.
 */
export function prepareRestore(source: string, db: string): PreparedRestore {
  if (!existsSync(source)) throw new InventoryError(`${source} does not exist`);
  if (!statSync(source).isFile()) throw new InventoryError(`${source} is not a file`);
  if (existsSync(`${source}-wal`) && statSync(`${source}-wal`).size > 0) {
    throw new InventoryError(`${source} has a ${basename(source)}-wal beside it: it is a database in use, not a backup; make one with haas admin backup`);
  }
  process.umask(0o077);
  const temp = tempBeside(db, 'restore');
  removeWithSidecars(temp);
  copyFileSync(source, temp, constants.COPYFILE_EXCL);
  chmodSync(temp, 0o600);
  const discard = () => removeWithSidecars(temp);
  try {
    const copy = openDatabase(temp);
    let from: number;
    try {
      from = checkDatabase(copy, source);
      if (from > SCHEMA_VERSION) {
        throw new InventoryError(`${source} has schema version ${from}, newer than this haas (${SCHEMA_VERSION}); restore it with a newer haas`);
      }
      copy.pragma('foreign_keys = ON');
      migrate(copy, source);
      // The daemon turns WAL back on when it opens the file; until then, no sidecar belongs to it.
      copy.pragma('journal_mode = DELETE');
    } finally { copy.close(); }
    fsyncPath(temp);
    return { temp, from, to: SCHEMA_VERSION, discard };
  } catch (e) {
    discard();
    throw e;
  }
}

/** What installRestore did. */
export interface InstalledRestore {
  /** Where the previous database now is (null: there was none). */
  aside: string | null;
  /** The sidecar files (e.g. `-wal`) moved aside with it. */
  movedSidecars: string[];
}

/** `haas.db.before-restore-20261206T031500Z` (with -2, -3, ... if taken). */
function asideName(db: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  for (let n = 1; ; n++) {
    const name = `${db}.before-restore-${stamp}${n > 1 ? `-${n}` : ''}`;
    if (!existsSync(name)) return name;
  }
}

/**
 * Put a prepared copy in place of `db`: the previous database is kept aside with its -wal
 * (a stale -wal beside the restored file would corrupt it), the copy is renamed over `db`
 * (mode 0600), and `marker` is written first so the next daemon start knows the inventory was
 * replaced. At every moment `db` names a whole database, the old one or the new one.
 */
export function installRestore(prepared: PreparedRestore, db: string, marker: { file: string; text: string }, now = new Date()): InstalledRestore {
  const markerTemp = tempBeside(marker.file, 'marker');
  writeFileSync(markerTemp, marker.text, { mode: 0o600 });
  fsyncPath(markerTemp);
  renameSync(markerTemp, marker.file);
  let aside: string | null = null;
  const movedSidecars: string[] = [];
  try {
    if (existsSync(db)) {
      aside = asideName(db, now);
      linkSync(db, aside);
      for (const s of SIDECARS) {
        if (!existsSync(db + s)) continue;
        renameSync(db + s, aside + s);
        movedSidecars.push(s);
      }
    }
    renameSync(prepared.temp, db);
  } catch (e) {
    // Put back what was moved: the database stays as it was.
    for (const s of movedSidecars) renameSync(aside + s, db + s);
    if (aside) rmSync(aside, { force: true });
    rmSync(marker.file, { force: true });
    throw new InventoryError(`cannot put the restored database in place: ${(e as Error).message}`);
  }
  fsyncPath(dirname(db));
  return { aside, movedSidecars };
}
