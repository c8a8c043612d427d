// The networking-action worker: applies PENDING actions to switches. Each
// switch gets its own lane: the actions queued for it are applied in order,
// as one batch, while other switches proceed in parallel. Device sessions are
// kept per switch and reused across batches (one SSH login, not one per
// change), closed after a while idle, and dropped after any failure so the
// next batch reconnects. Any failure ends the affected actions ERROR with its
// message; nothing here can stop the worker or reach the API.
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { HostKeyPolicy, PortChange, SwitchDriver, SwitchSession } from '../drivers/switch/types.js';
import type { PendingAction } from '../core/actions.js';
import { NATIVE } from '../core/vlans.js';

/** What the worker needs from the inventory. */
export interface ActionStore {
  pending(): PendingAction[];
  finish(a: PendingAction, error: string | null): void;
  /** Record a switch's first SSH host key unless one is on record; returns the fingerprint on record. */
  hostKeySeen(switchId: number, fingerprint: string): string;
  /** Note an SSH host key the switch presented and that was refused. */
  hostKeyRefused(switchId: number, fingerprint: string): void;
}

/** A switch as the worker (and anything borrowing its lane) names it; host_key: its recorded SSH host key fingerprint, or null. */
export interface SwitchRef { id: number; label: string; type: string; config: string; host_key: string | null }

/** Turn an action row into the change a driver applies. */
export function changeOf(a: PendingAction): PortChange {
  if (a.type === 'revert_port') return { kind: 'revert', port: a.port };
  if (a.channel === NATIVE) return { kind: 'modify', port: a.port, channel: { native: true }, vlan: a.vlan };
  const tagged = Number(a.channel.slice('vlan/'.length));
  return { kind: 'modify', port: a.port, channel: { native: false, vlan: tagged }, vlan: a.vlan };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`${what} did not finish within ${ms / 1000} s`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** hostKey: the SSH host key the session checks (the one it was opened with, or the first one it recorded). */
interface PooledSession { key: string; session: SwitchSession; idle: NodeJS.Timeout | null; hostKey: { current: string | null } }

/** Applies pending networking actions, one lane per switch. */
export class ActionWorker {
  private readonly busy = new Map<number, Promise<unknown>>();
  private readonly sessions = new Map<number, PooledSession>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly store: ActionStore,
    private readonly drivers: Record<string, SwitchDriver>,
    private readonly log: Logger,
    private readonly timeoutMs: number,
    /** How long an unused device session stays open. */
    private readonly idleMs = 30_000,
  ) {}

  /** Look for work soon (coalesces calls made in the same tick). */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.scan(); });
  }

  private scan(): void {
    if (this.stopped) return;
    let pending: PendingAction[];
    try { pending = this.store.pending(); } catch (e) {
      this.log.error(`networking worker: cannot read pending actions: ${messageOf(e)}`);
      return;
    }
    const bySwitch = new Map<number, PendingAction[]>();
    for (const a of pending) {
      if (this.busy.has(a.switch_id)) continue;
      let list = bySwitch.get(a.switch_id);
      if (!list) bySwitch.set(a.switch_id, (list = []));
      list.push(a);
    }
    for (const [switchId, actions] of bySwitch) this.occupy(switchId, this.runBatch(actions));
  }

  /** Mark a switch's lane busy until `work` settles, then look for more work. */
  private occupy<T>(switchId: number, work: Promise<T>): Promise<T> {
    const run = work.finally(() => { this.busy.delete(switchId); this.kick(); });
    this.busy.set(switchId, run.catch(() => {}));
    return run;
  }

  /**
   * Run `use` with the switch's pooled session, alone in the switch's lane
   * (after the batch in progress, before the next one). A failure or timeout
   * drops the session, so the next user reconnects.
   */
  async withSwitch<T>(sw: SwitchRef, what: string, use: (s: SwitchSession) => Promise<T>): Promise<T> {
    if (this.stopped) throw new Error('the daemon is shutting down');
    for (let b = this.busy.get(sw.id); b; b = this.busy.get(sw.id)) await b;
    return this.occupy(sw.id, this.useSession(sw, what, use));
  }

  private async useSession<T>(sw: SwitchRef, what: string, use: (s: SwitchSession) => Promise<T>): Promise<T> {
    const session = this.sessionFor(sw);
    try {
      const out = await withTimeout(use(session), this.timeoutMs, what);
      this.release(sw.id);
      return out;
    } catch (e) {
      this.drop(sw.id);
      throw e;
    }
  }

  private sessionFor(sw: SwitchRef): SwitchSession {
    const key = `${sw.label}\0${sw.type}\0${sw.config}`;
    const pooled = this.sessions.get(sw.id);
    // A host key given or accepted since the session opened makes a new session, checked against it.
    if (pooled && pooled.key === key && (sw.host_key === null || sw.host_key === pooled.hostKey.current)) {
      if (pooled.idle) clearTimeout(pooled.idle);
      pooled.idle = null;
      return pooled.session;
    }
    if (pooled) this.drop(sw.id);
    const driver = this.drivers[sw.type];
    if (!driver) throw new Error(`the driver "${sw.type}" of switch "${sw.label}" is not enabled in this daemon`);
    const checked = { current: sw.host_key };
    const hostKey: HostKeyPolicy = {
      recorded: sw.host_key,
      firstSeen: (fp) => (checked.current = this.store.hostKeySeen(sw.id, fp)),
      refused: (fp) => this.store.hostKeyRefused(sw.id, fp),
    };
    const session = driver.connect(sw.label, JSON.parse(sw.config), hostKey);
    this.sessions.set(sw.id, { key, session, idle: null, hostKey: checked });
    return session;
  }

  /** The session stays open for the next batch, until idle too long. */
  private release(switchId: number): void {
    const pooled = this.sessions.get(switchId);
    if (!pooled) return;
    if (this.stopped) { this.drop(switchId); return; }
    pooled.idle = setTimeout(() => this.drop(switchId), this.idleMs);
    pooled.idle.unref();
  }

  private drop(switchId: number): void {
    const pooled = this.sessions.get(switchId);
    if (!pooled) return;
    this.sessions.delete(switchId);
    if (pooled.idle) clearTimeout(pooled.idle);
    pooled.session.close().catch((e) => this.log.warn(`closing the session of switch ${switchId}: ${messageOf(e)}`));
  }

  private async runBatch(actions: PendingAction[]): Promise<void> {
    const first = actions[0]!;
    const what = `switch "${first.switch_label}"`;
    const sw: SwitchRef = { id: first.switch_id, label: first.switch_label, type: first.switch_type, config: first.switch_config, host_key: first.switch_host_key };
    let results: Array<string | null>;
    try {
      const out = await this.useSession(sw, what, (s) => s.applyBatch(actions.map(changeOf)));
      results = actions.map((_, i) => {
        const r = out[i];
        return r === undefined ? `${what} gave no result for this change` : r === null ? null : r.error;
      });
    } catch (e) {
      const msg = messageOf(e);
      results = actions.map(() => msg);
    }
    let unrecorded = false;
    actions.forEach((a, i) => {
      const err = results[i] ?? null;
      try {
        this.store.finish(a, err);
        if (err === null) this.log.debug(`action ${a.uuid} on ${what} port ${a.port}: DONE`);
        else this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: ERROR: ${err}`);
      } catch (e) {
        unrecorded = true;
        this.log.error(`action ${a.uuid}: cannot record its result: ${messageOf(e)}`);
      }
    });
    // An action whose result could not be recorded stays PENDING and is applied
    // again (drivers are idempotent): keep the lane busy a moment so that is no hot loop.
    if (unrecorded) await new Promise((r) => setTimeout(r, 1000));
  }

  /** Wait for the batches in progress, then for the remaining pending ones, up to `ms`; then close every session. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.busy.size === 0) {
        let left: number;
        try { left = this.store.pending().length; } catch { left = 0; }
        if (left === 0) break;
        this.kick();
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.busy.values()]),
        new Promise((r) => { timer = setTimeout(r, Math.max(0, deadline - Date.now())); })]);
      clearTimeout(timer);
    }
    this.stopped = true;
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }
}
