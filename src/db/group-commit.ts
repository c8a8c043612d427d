// Group commit for the daemon: SQLite commits with synchronous = NORMAL (in WAL mode, checkpoints
// are still ordered by fsyncs; only the commit itself is not synced), and before the daemon answers
// it waits for one fdatasync of the WAL file that covers every commit made so far. Requests that
// commit while a sync runs share the next one, so with many clients one fsync acknowledges many
// writes, instead of one blocking fsync per commit on the event loop (synchronous = FULL).
import { closeSync, fdatasync, fstatSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StorageError } from '../errors.js';

/** Makes the commits of one connection durable, several at a time. */
export class GroupCommit {
  private readonly fd: number;
  /** The connection's change counter when the last successful sync started. */
  private synced: number;
  private syncing: Promise<void> | null = null;
  /** Set for good by a failed sync: what was in the page cache may be lost, and retrying cannot tell. */
  failure: StorageError | null = null;

  /** `wal`: the database's -wal file (it exists and lives as long as the connection); `changes`: the connection's total_changes(). */
  constructor(private readonly wal: string, private readonly changes: () => number) {
    this.fd = openSync(wal, 'r');
    // The -wal file's directory entry must be on disk too, once.
    const dir = openSync(dirname(wal), 'r');
    try { fsyncSync(dir); } finally { closeSync(dir); }
    this.synced = changes();
  }

  /** Whether every change up to `target` (a changes() reading) is on disk, and no sync has failed. */
  settled(target: number): boolean { return this.synced >= target && this.failure === null; }

  /**
   * Resolves once every commit made before the call is on disk. After a failed sync, rejects with
   * that StorageError when `wrote` (the caller's own change may be lost), and resolves otherwise:
   * reads go on.
   */
  async durable(wrote: boolean): Promise<void> {
    const target = this.changes();
    while (this.synced < target && !this.failure) {
      if (!this.syncing) this.syncing = this.syncOnce().finally(() => { this.syncing = null; });
      await this.syncing.catch(() => {});
    }
    if (this.failure && wrote) throw this.failure;
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.changes();
    try {
      if (fstatSync(this.fd).nlink === 0) throw new Error(`${this.wal} was deleted`);
      await new Promise<void>((res, rej) => fdatasync(this.fd, (e) => (e ? rej(e) : res())));
      this.synced = Math.max(this.synced, upTo);
    } catch (e) {
      this.failure = new StorageError(`Storage failure: the database's changes could not be written to disk (${(e as Error).message}); ` +
        'the latest changes may be lost: writes are refused until haas is restarted (check the disk first)');
    }
  }

  close(): void { closeSync(this.fd); }
}
