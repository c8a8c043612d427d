// One daemon per database: `haas serve` holds an exclusive flock(2) on `<db>.lock` for its whole
// life, and offline commands that replace the database (restore) take the same lock. The kernel
// drops the lock when the process dies, however it dies, so a crash never leaves a stale lock.
// Node has no flock(): flock(1) locks the lock file's open file description, which it shares with
// us through an inherited descriptor, and exits; the lock stays with our descriptor until we close it.
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

/** Thrown when another process holds the database's lock (its message names the pid when known). */
export class DatabaseLockedError extends Error {}

/** A held lock on one database; release() (or process exit) lets it go. */
export interface DatabaseLock {
  readonly path: string;
  release(): void;
}

/** The lock file that guards the database `db`. */
export function lockPathOf(db: string): string {
  return `${db}.lock`;
}

/**
 * Take the exclusive lock on `db` without waiting, writing our pid into the lock file for the
 * message another process will see. Throws DatabaseLockedError if it is held, or an Error if
 * flock(1) cannot run.
 */
export function lockDatabase(db: string, holder = `pid ${process.pid}`): DatabaseLock {
  const path = lockPathOf(db);
  const fd = openSync(path, 'a+', 0o600);
  const r = spawnSync('flock', ['--nonblock', '--exclusive', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
  if (r.status !== 0) {
    closeSync(fd);
    if (r.status === 1) {
      const who = readHolder(path);
      throw new DatabaseLockedError(`${db} is in use by another haas daemon${who ? ` (${who})` : ''}`);
    }
    throw new Error(`cannot lock ${path}: ${r.error?.message ?? r.stderr.trim() ?? `flock exited ${r.status}`}`);
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${holder}\n`);
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      // Leave the file in place: removing it would let a waiter lock an unlinked inode.
      ftruncateSync(fd, 0);
      closeSync(fd);
    },
  };
}

function readHolder(path: string): string {
  try { return readFileSync(path, 'utf8').trim(); } catch { return ''; }
}
