// The networking-action worker: applies PENDING actions to switches. Each
// switch gets its own lane: the actions queued for it are applied in order,
// as one batch, while other switches proceed in parallel. Device sessions are
// kept per switch and reused across batches (one SSH login, not one per
// change), closed after a while idle, and dropped after any failure so the
// next batch reconnects. A failure the switch reported, or one before
// anything was sent, ends the affected actions ERROR with its message: ERROR
// always means "not applied". When the outcome is uncertain (the session
// dropped or timed out after a change was sent), the action stays PENDING and
// its port is read back on a new session: DONE if the switch carries the
// change, ERROR if it carries the port's state from before, applied again if
// neither; a read-back that fails is retried with a growing delay, never
// guessed. Actions found PENDING at start-up may have been applied by the
// previous run, so their failures are checked the same way. A switch that
// cannot be reached fails, with the same words, the actions queued for it
// while it was being tried: one timeout, not one per batch. Nothing here can
// stop the worker or reach the API.
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import { SwitchUnreachableError, type ChangeResult, type HostKeyPolicy, type PortChange, type PortVlans, type SwitchSession } from '../drivers/switch/types.js';
import { afterChange, carriesExactly, NATIVE } from '../drivers/switch/vlan-state.js';

/**
 * What the worker reads of a PENDING action: the change (type, HIL channel, VLAN id or null to
 * remove), its port and switch, and what the inventory says the port carries before it.
 */
export interface WorkerAction {
  id: number; uuid: string; type: 'modify_port' | 'revert_port'; channel: string; vlan: number | null;
  port: string; switch_id: number; switch_label: string; switch_type: string; switch_config: string; switch_host_key: string | null;
  current: { native: number | null; tagged: number[] };
}

/** What the worker needs from the inventory; `finish` gets back the very action `pending` gave. */
export interface ActionStore<A extends WorkerAction = WorkerAction> {
  pending(): A[];
  finish(a: A, error: string | null): void;
  /** Record a switch's first SSH host key unless one is on record; returns the fingerprint on record. */
  hostKeySeen(switchId: number, fingerprint: string): string;
  /** Note an SSH host key the switch presented and that was refused. */
  hostKeyRefused(switchId: number, fingerprint: string): void;
}

/** A switch as the worker (and anything borrowing its lane) names it; host_key: its recorded SSH host key fingerprint, or null. */
export interface SwitchRef { id: number; label: string; type: string; config: string; host_key: string | null }

/** Opens a new driver session to a switch, checking its SSH host key by `hostKey` (the drivers parse its stored config). */
export type SwitchConnector = (sw: SwitchRef, hostKey: HostKeyPolicy) => SwitchSession;

/** Turn an action row into the change a driver applies. */
export function changeOf(a: WorkerAction): PortChange {
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

/** An action whose last attempt has an unknown outcome: why, how often reading it back failed, and when to try next. */
interface Unsure { error: string; failures: number; due: number }

/** Delay before the next read-back after `failures` failed ones: 0.5 s doubling up to 30 s. */
function readBackDelayMs(failures: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, failures - 1));
}

/** The timeouts of switch work: one device call (the drivers honour it), one batch on one switch. */
export interface WorkerTimeouts { callMs: number; batchMs: number }

/** Applies pending networking actions, one lane per switch. */
export class ActionWorker<A extends WorkerAction = WorkerAction> {
  private readonly busy = new Map<number, Promise<unknown>>();
  private readonly sessions = new Map<number, PooledSession>();
  /** Action id -> its unknown outcome, until read back. */
  private readonly unsure = new Map<number, Unsure>();
  /** Actions found PENDING at the first scan (a previous run may have applied them); null before it. */
  private recovered: Set<number> | null = null;
  private wake: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly store: ActionStore<A>,
    private readonly connect: SwitchConnector,
    private readonly log: Logger,
    /** Upper bound of one batch of work on one switch (a read-back included). */
    private readonly timeoutMs: number,
    /** How long an unused device session stays open. */
    private readonly idleMs = 30_000,
  ) {
    // Taken before any request can queue an action (else the first scan takes them).
    try { this.recovered = new Set(store.pending().map((a) => a.id)); } catch { this.recovered = null; }
  }

  /** Look for work soon (coalesces calls made in the same tick). */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.scan(); });
  }

  private scan(): void {
    if (this.stopped) return;
    let pending: A[];
    try { pending = this.store.pending(); } catch (e) {
      this.log.error(`networking worker: cannot read pending actions: ${messageOf(e)}`);
      return;
    }
    this.recovered ??= new Set(pending.map((a) => a.id));
    const ids = new Set(pending.map((a) => a.id));
    for (const id of this.unsure.keys()) if (!ids.has(id)) this.unsure.delete(id);
    const now = Date.now();
    let nextDue = Infinity;
    const bySwitch = new Map<number, A[]>();
    for (const a of pending) {
      if (this.busy.has(a.switch_id)) continue;
      let list = bySwitch.get(a.switch_id);
      if (!list) bySwitch.set(a.switch_id, (list = []));
      list.push(a);
    }
    for (const [switchId, actions] of bySwitch) {
      const due = actions.filter((a) => (this.unsure.get(a.id)?.due ?? Infinity) <= now);
      const fresh = actions.filter((a) => !this.unsure.has(a.id));
      for (const a of actions) nextDue = Math.min(nextDue, this.unsure.get(a.id)?.due ?? Infinity);
      if (due.length > 0) this.occupy(switchId, this.readBack(due));
      else if (fresh.length > 0) this.occupy(switchId, this.runBatch(fresh));
    }
    // Read-backs that are not due yet: look again when the first one is.
    if (nextDue < Infinity && nextDue > now) {
      if (this.wake) clearTimeout(this.wake);
      this.wake = setTimeout(() => { this.wake = null; this.kick(); }, nextDue - now);
      this.wake.unref();
    }
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
    const checked = { current: sw.host_key };
    const session = this.newSession(sw, checked);
    this.sessions.set(sw.id, { key, session, idle: null, hostKey: checked });
    return session;
  }

  /** A new, unpooled session to the switch; `checked` learns the host key it records on first use. */
  private newSession(sw: SwitchRef, checked = { current: sw.host_key }): SwitchSession {
    const hostKey: HostKeyPolicy = {
      recorded: sw.host_key,
      firstSeen: (fp) => (checked.current = this.store.hostKeySeen(sw.id, fp)),
      refused: (fp) => this.store.hostKeyRefused(sw.id, fp),
    };
    return this.connect(sw, hostKey);
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

  private refOf(a: A): SwitchRef {
    return { id: a.switch_id, label: a.switch_label, type: a.switch_type, config: a.switch_config, host_key: a.switch_host_key };
  }

  private async runBatch(actions: A[]): Promise<void> {
    const first = actions[0]!;
    const what = `switch "${first.switch_label}"`;
    const sw = this.refOf(first);
    let results: ChangeResult[];
    let unreachable: string | null = null;
    try {
      const out = await this.useSession(sw, what, (s) => s.applyBatch(actions.map(changeOf)));
      results = actions.map((_, i) => out[i] ?? (out[i] === null ? null : { error: `${what} gave no result for this change`, uncertain: true }));
    } catch (e) {
      // Nothing sent (unreachable), or anything may have been (a lost session, the batch timeout).
      const msg = messageOf(e);
      if (e instanceof SwitchUnreachableError) unreachable = msg;
      results = actions.map(() => (unreachable !== null ? { error: msg } : { error: msg, uncertain: true }));
    }
    let unrecorded = false;
    actions.forEach((a, i) => {
      const r = results[i] ?? null;
      const maybeApplied = r !== null && (r.uncertain === true || this.recovered?.has(a.id) === true);
      this.recovered?.delete(a.id);
      if (r !== null && maybeApplied) {
        this.unsure.set(a.id, { error: r.error, failures: 0, due: Date.now() });
        this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: outcome unknown (${r.error}); reading the port back`);
        return;
      }
      if (!this.record(a, r === null ? null : r.error, what)) unrecorded = true;
    });
    if (unreachable !== null) this.failQueuedMeanwhile(sw, actions, unreachable);
    // An action whose result could not be recorded stays PENDING and is applied
    // again (drivers are idempotent): keep the lane busy a moment so that is no hot loop.
    if (unrecorded) await new Promise((r) => setTimeout(r, 1000));
  }

  /** Record an action's outcome; false if it could not be recorded (it stays PENDING). */
  private record(a: A, err: string | null, what: string): boolean {
    try {
      this.store.finish(a, err);
      if (err === null) this.log.debug(`action ${a.uuid} on ${what} port ${a.port}: DONE`);
      else this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: ERROR: ${err}`);
      return true;
    } catch (e) {
      this.log.error(`action ${a.uuid}: cannot record its result: ${messageOf(e)}`);
      return false;
    }
  }

  /**
   * The switch could not be reached, and nothing was sent: the actions queued
   * for it while it was being tried end with the same words instead of each
   * waiting for a timeout of its own (those that may have been applied earlier are read back instead).
   */
  private failQueuedMeanwhile(sw: SwitchRef, tried: A[], msg: string): void {
    const triedIds = new Set(tried.map((a) => a.id));
    let pending: A[];
    try { pending = this.store.pending(); } catch { return; }
    for (const a of pending) {
      if (a.switch_id !== sw.id || triedIds.has(a.id) || this.unsure.has(a.id) || this.recovered?.has(a.id)) continue;
      this.record(a, `${msg} (not sent: the switch could not be reached while this action was queued)`, `switch "${sw.label}"`);
    }
  }

  /**
   * Read the ports of actions with an unknown outcome back on a new session,
   * and record what the switch carries. A read-back that fails leaves them
   * PENDING, to be read back again later.
   */
  private async readBack(actions: A[]): Promise<void> {
    const first = actions[0]!;
    const what = `switch "${first.switch_label}"`;
    const sw = this.refOf(first);
    let read: Map<string, PortVlans>;
    try {
      read = await withTimeout(this.readPorts(sw, actions.map((a) => a.port)), this.timeoutMs, `reading ports of ${what} back`);
    } catch (e) {
      for (const a of actions) {
        const u = this.unsure.get(a.id);
        if (!u) continue;
        u.failures += 1;
        u.due = Date.now() + readBackDelayMs(u.failures);
        this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: outcome still unknown: reading the port back failed `
          + `(${messageOf(e)}); it stays PENDING, next read-back in ${readBackDelayMs(u.failures) / 1000} s`);
      }
      return;
    }
    let unrecorded = false;
    for (const a of actions) {
      const u = this.unsure.get(a.id);
      const actual = read.get(a.port);
      if (!u) continue;
      if (!actual) {
        u.failures += 1;
        u.due = Date.now() + readBackDelayMs(u.failures);
        this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: outcome still unknown: the read-back did not include the port`);
        continue;
      }
      const after = afterChange(a.current, changeOf(a));
      if (carriesExactly(actual, after)) {
        this.log.info(`action ${a.uuid} on ${what} port ${a.port}: read back after "${u.error}": the switch carries the change`);
        if (this.record(a, null, what)) this.unsure.delete(a.id); else unrecorded = true;
      } else if (carriesExactly(actual, a.current)) {
        if (this.record(a, `${u.error}; read back on a new session: the switch does not carry the change`, what)) this.unsure.delete(a.id);
        else unrecorded = true;
      } else {
        // Half applied, or changed behind haas's back: apply it again (drivers are idempotent).
        this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: read back after "${u.error}": the port carries `
          + `${JSON.stringify(actual)}, neither the state before nor after the change; applying it again`);
        this.unsure.delete(a.id);
      }
    }
    if (unrecorded) await new Promise((r) => setTimeout(r, 1000));
  }

  /** Read ports on a session of their own (not the pooled one, which may be broken). */
  private async readPorts(sw: SwitchRef, ports: string[]): Promise<Map<string, PortVlans>> {
    const session = this.newSession(sw);
    try { return await session.getPortNetworks(ports); } finally {
      session.close().catch((e) => this.log.warn(`closing a read-back session of switch "${sw.label}": ${messageOf(e)}`));
    }
  }

  /** Wait for the batches in progress, then for the remaining pending ones, up to `ms`; then close every session. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (this.busy.size === 0) {
        // Actions waiting for a read-back are left to the next start (which reads them back).
        let left: number;
        try { left = this.store.pending().filter((a) => !this.unsure.has(a.id)).length; } catch { left = 0; }
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
    if (this.wake) clearTimeout(this.wake);
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }
}
