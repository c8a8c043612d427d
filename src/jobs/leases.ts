// The lease releaser: one timer, set to the earliest lease end or the next
// retry of a release that could not complete, re-armed whenever leases change
// (Core.leasesChanged) or a networking action finishes; no polling of nodes.
// A pass marks the leases whose end has passed as releasing (in the
// database: a restart resumes them), queues their detaches in one
// transaction, and finishes the nodes that are off every network (power,
// OBM, consoles, back to the pool). A release that fails is retried with a
// growing delay; its reason is kept on the lease for everyone to see.
// Warnings (`[leases] warn_before`, `webhook`) go out from the same timer, on
// their own so that a slow webhook never holds a release up, once per end
// time, retried with a growing delay until the webhook accepts them.
import type { Core } from '../core/context.js';
import {
  dueWarnings, finishRelease, leasesBeingReleased, nextLeaseDeadline, nextWarningAt, recordReleaseFailure, releaseNetworks,
  sendWarning, startReleases,
} from '../core/leases.js';
import { messageOf } from '../errors.js';
import { now } from '../core/context.js';

/** The first retry of a failed release comes after this long; each next one after twice the last, up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 5 * 60_000;
/** setTimeout's largest delay; a later deadline is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the releaser remembers of a release between passes (lost on restart: a restart retries at once). */
interface Attempt {
  /** When detaches were last queued: an action ERROR after this is this attempt's failure. */
  since: string | null;
  failures: number;
  /** Not before this time (ms epoch). */
  retryAt: number;
}

/** Releases the nodes of leases that have ended, at their end time. */
export class LeaseReleaser {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly attempts = new Map<number, Attempt>();
  /** Warnings the webhook refused, by node id: failures so far and the time of the next try. */
  private readonly warnRetries = new Map<number, { failures: number; retryAt: number }>();
  private warning: Promise<void> | null = null;

  constructor(private readonly core: Core) {}

  /** Look at the leases now (at start-up: those that ended while the daemon was down), then whenever kicked or due. */
  start(): void { this.kick(); }

  /** Something changed (a lease, an action finished): run a pass soon. Cheap to call often. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.loop()).finally(() => {
      this.running = null;
    });
  }

  /** A networking action finished: run a pass if a release may be waiting for it. */
  actionFinished(): void {
    if (this.attempts.size > 0) this.kick();
  }

  /** Stop the timer and wait for the pass under way; releases left unfinished resume at the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.warning;
  }

  private async loop(): Promise<void> {
    if (!this.warning) this.warning = this.warn().finally(() => { this.warning = null; this.arm(null); });
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (e) {
        // The database refused (read-only, gone): try again later rather than never.
        this.core.log.error(`lease releases: ${messageOf(e)}`);
        this.arm(Date.now() + RETRY_FIRST_MS);
        return;
      }
    } while (this.again && !this.stopped);
    this.arm(null);
  }

  private async pass(): Promise<void> {
    const { core } = this;
    const end = nextLeaseDeadline(core);
    const started = end !== null && end.getTime() <= Date.now() ? startReleases(core) : 0;
    if (started > 0) core.log.info(`lease releases: ${started} lease(s) ended; releasing their nodes`);
    const t = Date.now();
    const releasing = leasesBeingReleased(core);
    const live = new Set(releasing);
    for (const id of this.attempts.keys()) if (!live.has(id)) this.attempts.delete(id);
    const due = releasing.filter((id) => (this.attempts.get(id)?.retryAt ?? 0) <= t);
    if (due.length === 0) return;
    const steps = releaseNetworks(core, due.map((nodeId) => ({ nodeId, attemptSince: this.attempts.get(nodeId)?.since ?? null })));
    const at = now();
    for (const [nodeId, step] of steps) {
      const a = this.attempts.get(nodeId) ?? { since: null, failures: 0, retryAt: 0 };
      // Known from now on, so that the end of the actions it waits for brings the next pass.
      this.attempts.set(nodeId, a);
      if (step.kind === 'queued') this.attempts.set(nodeId, { ...a, since: at, retryAt: 0 });
      else if (step.kind === 'failed') this.fail(nodeId, a, step.reason);
      else if (step.kind === 'clear') {
        try {
          await finishRelease(core, nodeId);
          this.attempts.delete(nodeId);
          core.log.info(`lease releases: node ${nodeId} released`);
        } catch (e) {
          this.fail(nodeId, a, messageOf(e));
        }
        if (this.stopped) return;
      }
    }
  }

  /** POST every warning owed now and not waiting for a retry, one after the other. */
  private async warn(): Promise<void> {
    const { core } = this;
    const due = dueWarnings(core);
    const owed = new Set(due.map((w) => w.nodeId));
    for (const id of this.warnRetries.keys()) if (!owed.has(id)) this.warnRetries.delete(id);
    for (const w of due) {
      if (this.stopped) return;
      const r = this.warnRetries.get(w.nodeId);
      if (r && r.retryAt > Date.now()) continue;
      try {
        await sendWarning(core, w);
        this.warnRetries.delete(w.nodeId);
        core.log.info(`lease warnings: node ${w.event.node} (project ${w.event.project}) ends at ${w.event.ends_at}: webhook told`);
      } catch (e) {
        const failures = (r?.failures ?? 0) + 1;
        const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
        this.warnRetries.set(w.nodeId, { failures, retryAt: Date.now() + delay });
        core.log.warn(`lease warnings: node ${w.event.node}: ${messageOf(e)} (retry in ${Math.round(delay / 1000)} s)`);
      }
    }
  }

  private fail(nodeId: number, a: Attempt, reason: string): void {
    const failures = a.failures + 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failures - 1));
    this.attempts.set(nodeId, { since: null, failures, retryAt: Date.now() + delay });
    recordReleaseFailure(this.core, nodeId, reason);
    this.core.log.warn(`lease releases: node ${nodeId} could not be released (retry in ${Math.round(delay / 1000)} s): ${reason}`);
  }

  /** Set the one timer to the earliest of the next lease end, the next retry, and `extra` (ms epoch). */
  private arm(extra: number | null): void {
    if (this.stopped) return;
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    let next = extra ?? Infinity;
    const end = nextLeaseDeadline(this.core);
    if (end) next = Math.min(next, end.getTime());
    for (const a of this.attempts.values()) if (a.retryAt > 0) next = Math.min(next, a.retryAt);
    const warnAt = nextWarningAt(this.core);
    if (warnAt) {
      // The earliest unwarned end may be one waiting for a retry: then the earliest retry is the next time.
      const retries = [...this.warnRetries.values()].map((r) => r.retryAt);
      next = Math.min(next, retries.length > 0 ? Math.max(warnAt.getTime(), Math.min(...retries)) : warnAt.getTime());
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => { this.timer = null; this.kick(); }, Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
    this.timer.unref();
  }
}
