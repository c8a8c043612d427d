// The networking-action worker: applies PENDING actions to switches. Each
// switch gets its own lane: the actions queued for it are applied in order,
// as one batch in one device session, while other switches proceed in
// parallel. Any failure ends the affected actions ERROR with its message;
// nothing here can stop the worker or reach the API.
import { messageOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { PortChange, SwitchDriver } from '../drivers/switch/types.js';
import type { PendingAction } from '../core/actions.js';

/** What the worker needs from the inventory. */
export interface ActionStore {
  pending(): PendingAction[];
  finish(a: PendingAction, error: string | null): void;
}

/** Turn an action row into the change a driver applies. */
export function changeOf(a: PendingAction): PortChange {
  if (a.type === 'revert_port') return { kind: 'revert', port: a.port };
  if (a.channel === 'vlan/native') return { kind: 'modify', port: a.port, channel: { native: true }, vlan: a.vlan };
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

/** Applies pending networking actions, one lane per switch. */
export class ActionWorker {
  private readonly busy = new Map<number, Promise<void>>();
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly store: ActionStore,
    private readonly drivers: Record<string, SwitchDriver>,
    private readonly log: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** Look for work soon (coalesces calls made in the same tick). */
  kick(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => { this.scheduled = false; this.scan(); });
  }

  private scan(): void {
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
    for (const [switchId, actions] of bySwitch) {
      const run = this.runBatch(actions).finally(() => { this.busy.delete(switchId); this.kick(); });
      this.busy.set(switchId, run);
    }
  }

  private async runBatch(actions: PendingAction[]): Promise<void> {
    const first = actions[0]!;
    const what = `switch "${first.switch_label}"`;
    let results: Array<string | null>;
    try {
      const driver = this.drivers[first.switch_type];
      if (!driver) throw new Error(`the driver "${first.switch_type}" of ${what} is not enabled in this daemon`);
      const session = driver.connect(first.switch_label, JSON.parse(first.switch_config));
      try {
        const out = await withTimeout(session.applyBatch(actions.map(changeOf)), this.timeoutMs, what);
        results = actions.map((_, i) => {
          const r = out[i];
          return r === undefined ? `${what} gave no result for this change` : r === null ? null : r.error;
        });
      } finally {
        session.close().catch((e) => this.log.warn(`closing ${what}: ${messageOf(e)}`));
      }
    } catch (e) {
      const msg = messageOf(e);
      results = actions.map(() => msg);
    }
    actions.forEach((a, i) => {
      const err = results[i] ?? null;
      try {
        this.store.finish(a, err);
        if (err === null) this.log.debug(`action ${a.uuid} on ${what} port ${a.port}: DONE`);
        else this.log.warn(`action ${a.uuid} on ${what} port ${a.port}: ERROR: ${err}`);
      } catch (e) {
        this.log.error(`action ${a.uuid}: cannot record its result: ${messageOf(e)}`);
      }
    });
  }

  /** Wait for the batches in progress, then for the remaining pending ones, up to `ms`. */
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
      await Promise.race([Promise.allSettled([...this.busy.values()]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    }
    this.stopped = true;
  }
}
