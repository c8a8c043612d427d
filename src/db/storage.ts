// Storage failures of the inventory database: which SQLite errors mean that the disk or the
// file failed (not haas), in words an admin can act on, and the check that the file the
// daemon has open is still the one its path names.
import { statSync } from 'node:fs';
import { StorageError } from '../errors.js';

/** SQLite's primary result codes that say the storage failed, with what they mean to an admin. */
const CAUSES: Record<string, string> = {
  SQLITE_FULL: 'the disk holding the database is full',
  SQLITE_IOERR: 'an I/O error on the database file',
  SQLITE_READONLY: 'the database cannot be written (read-only filesystem or file)',
  SQLITE_BUSY: 'the database is locked by another process',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_NOTADB: 'the database file is not a database (overwritten?)',
  SQLITE_CANTOPEN: 'the database file cannot be opened',
  SQLITE_PROTOCOL: 'the database is locked (lock protocol failure)',
  SQLITE_NOLFS: 'the database file is too large for this filesystem',
  SQLITE_PERM: 'the database file may not be accessed (permissions)',
};

/**
 * The StorageError (503) that a thrown value stands for, or null when it is no storage failure.
 * better-sqlite3 throws SqliteError with an extended code such as `SQLITE_IOERR_WRITE`.
 */
export function storageErrorOf(e: unknown): StorageError | null {
  if (e instanceof StorageError) return e;
  if (!(e instanceof Error) || e.name !== 'SqliteError') return null;
  const code = (e as Error & { code?: unknown }).code;
  if (typeof code !== 'string') return null;
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;
  const cause = CAUSES[primary];
  if (!cause) return null;
  return new StorageError(`Storage failure: ${cause} (${code}: ${e.message})`);
}

/** A file's identity: the same device and inode mean the same file. */
export interface FileIdentity { dev: number; ino: number }

/** The identity of the file at `path` now, or null when nothing is there. */
export function identityOf(path: string): FileIdentity | null {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? { dev: st.dev, ino: st.ino } : null;
}

/**
 * Throws StorageError when `path` no longer names the file that was opened (deleted, or another
 * file moved over it): writes would go to a file nobody will open again and vanish.
 */
export function assertSameFile(path: string, opened: FileIdentity): void {
  const now = identityOf(path);
  if (now && now.dev === opened.dev && now.ino === opened.ino) return;
  const what = now ? 'was replaced by another file' : 'was deleted';
  throw new StorageError(`Storage failure: the database file ${path} ${what} while haas was running; ` +
    'writes are refused until haas is restarted (what haas wrote since is in the file it still has open, not at that path)');
}
