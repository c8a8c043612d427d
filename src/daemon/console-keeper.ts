// Which node consoles the daemon keeps open with nobody watching, so their
// output reaches the console log: every node whose in-process OBM is enabled.
// The set is read from the inventory at start, every few seconds (OBM enabled or
// disabled) and at once when a node changes project. A session that fails or
// ends soon is re-opened after a growing delay (2 s doubling to 5 min), so a
// broken BMC sees one attempt every few minutes, not a stream of them.
import type { Inventory } from '../db/inventory.js';
import { nodesWithKeptConsole, type KeptConsoleNode } from '../db/store/consoles.js';
import { nodeAndProject } from '../db/store/nodes.js';
import { nodeConsoleKey, type ConsoleHub } from '../core/consoles.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import { obmDriverFor } from '../drivers/obm/type-names.js';
import { storedFields } from '../drivers/fields.js';
import type { Logger } from '../log.js';
import type { ConsoleLogBook, LogOwner } from './console-log.js';

/** How often the kept set is compared with the inventory. */
const RECONCILE_MS = 3000;
/** How often released logs past their retention are removed. */
const PRUNE_MS = 3600_000;
/** A session that lasted this long was healthy: the next failure starts the backoff afresh. */
const HEALTHY_MS = 10_000;
const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 300_000;
const REOPEN_MS = 1000;

/** The delay before re-opening a console after `failures` failed or short sessions in a row. */
export function retryDelay(failures: number): number {
  return failures === 0 ? REOPEN_MS : Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 20));
}

interface Keeping {
  node: string;
  /** The OBM settings it was opened with: a change re-opens it. */
  signature: string;
  stopped: boolean;
  timer: NodeJS.Timeout | null;
  failures: number;
}

/** What the keeper works with. */
export interface KeeperDeps {
  inv: Inventory;
  hub: ConsoleHub;
  book: ConsoleLogBook;
  obmDrivers: Record<string, ObmDriver>;
  log: Logger;
}

/** Keeps the consoles of OBM-enabled nodes open and their logs owned by the right project. */
export class ConsoleKeeper {
  private readonly kept = new Map<string, Keeping>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly d: KeeperDeps) {}

  /** Reconcile now and then periodically; prune old released logs now and hourly. */
  start(): void {
    this.d.book.prune();
    this.reconcile();
    this.timers.push(setInterval(() => this.reconcile(), RECONCILE_MS), setInterval(() => this.d.book.prune(), PRUNE_MS));
  }

  /** Stop re-opening consoles (the hub's endAll closes the open ones). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const k of this.kept.values()) this.forget(k, false);
  }

  /** Bring the kept set and every log's owner in line with the inventory. */
  reconcile(): void {
    const wanted = new Map<string, KeptConsoleNode>();
    for (const n of nodesWithKeptConsole(this.d.inv)) wanted.set(n.label, n);
    for (const node of this.d.book.nodes()) {
      if (wanted.has(node)) continue;
      const n = nodeAndProject(this.d.inv, node);
      if (n) this.d.book.setOwner(node, { id: n.project_id, name: n.project });
      else this.d.book.retire(node);
    }
    for (const [node, n] of wanted) this.d.book.setOwner(node, ownerOf(n));
    for (const k of [...this.kept.values()]) {
      const n = wanted.get(k.node);
      if (!n || signature(n) !== k.signature) this.forget(k, true);
    }
    for (const [node, n] of wanted) {
      if (this.kept.has(node)) continue;
      const k: Keeping = { node, signature: signature(n), stopped: false, timer: null, failures: 0 };
      this.kept.set(node, k);
      this.open(k, n);
    }
  }

  private forget(k: Keeping, endSession: boolean): void {
    k.stopped = true;
    if (k.timer) clearTimeout(k.timer);
    this.kept.delete(k.node);
    if (endSession) this.d.hub.end(nodeConsoleKey(k.node));
  }

  private open(k: Keeping, n: KeptConsoleNode): void {
    k.timer = null;
    if (k.stopped) return;
    const driver = obmDriverFor(this.d.obmDrivers, n.obm_type);
    if (!driver) return; // a driver this daemon does not run: nothing to keep
    const openedAt = Date.now();
    const retry = (failed: boolean) => {
      if (k.stopped) return;
      k.failures = failed || Date.now() - openedAt < HEALTHY_MS ? k.failures + 1 : 0;
      // Re-read the inventory first: the session may have ended because the OBM was disabled.
      k.timer = setTimeout(() => { k.timer = null; this.reconcile(); if (!k.stopped) this.open(k, n); }, retryDelay(k.failures));
    };
    let session;
    try { session = driver.open(n.label, storedFields(n.obm_config)); } catch (e) {
      this.d.log.warn(`console log of ${n.label}: ${e instanceof Error ? e.message : String(e)}`);
      retry(true);
      return;
    }
    this.d.hub.keep(nodeConsoleKey(n.label), () => session.console()).then(() => retry(false), (e: unknown) => {
      if (k.failures === 0) this.d.log.warn(`console log of ${n.label}: ${e instanceof Error ? e.message : String(e)} (retrying with backoff)`);
      retry(true);
    });
  }
}

function ownerOf(n: KeptConsoleNode): LogOwner {
  return { id: n.project_id, name: n.project };
}

function signature(n: KeptConsoleNode): string {
  return `${n.obm_type}\n${n.obm_config}`;
}
