// Pruning the audit trail: entries older than `[audit] retention` are deleted
// in the background, at start and then hourly, in bounded batches (one short
// transaction each, the event loop free between them), so that a large
// backlog never holds the database or the loop for long.
import type { Logger } from '../log.js';
import { messageOf } from '../errors.js';

/** Delete up to `batch` entries past the retention (src/core/audit.ts pruneAuditBatch); returns how many went. */
export type PruneBatch = (batch: number) => number;

const EVERY_MS = 3600_000;
/** Entries deleted per transaction. */
export const PRUNE_BATCH = 500;

/** Deletes entries older than the retention, now and every hour, until stopped. */
export class AuditRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  /** `prune` null: entries are kept forever (retention off). */
  constructor(private readonly prune: PruneBatch | null, private readonly log: Logger) {}

  /** Prune now and every hour (nothing when retention is off). */
  start(): void {
    if (this.prune === null) return;
    const tick = () => { void this.pruneNow(); this.timer = setTimeout(tick, EVERY_MS).unref(); };
    tick();
  }

  /** Prune everything older than the retention, batch by batch; resolves with how many entries went (a round already under way is joined). */
  pruneNow(): Promise<number> {
    this.running ??= this.pruneAll().finally(() => { this.running = null; });
    return this.running;
  }

  private async pruneAll(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        if (this.stopped || this.prune === null) break;
        const n = this.prune(PRUNE_BATCH);
        total += n;
        if (n < PRUNE_BATCH) break;
        await new Promise((r) => setImmediate(r));
      }
    } catch (e) {
      this.log.error(`audit retention: pruning failed: ${messageOf(e)}`);
    }
    if (total > 0) this.log.info(`audit retention: ${total} entries older than the retention deleted`);
    return total;
  }

  /** Stop pruning; resolves when a batch under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
