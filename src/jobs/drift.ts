// The periodic drift check: every `[drift] interval` seconds (the first round
// right after start-up), every registered switch is read back in its worker
// lane (switches in parallel), its report kept in the ledger and each drifting
// port logged with what the inventory says and what the switch carries, and
// what was done about it. A round starts `interval` after the previous ended.
// Drift left in place (reported, or left to a pending action) is watched: when
// the port's node changes project (or its nic or pending action changes), the
// switch is checked again at once, so a VLAN that has just become a leak does
// not wait for the next round. So is a switch whose node has just been reserved or released
// (drift nobody has seen yet: the old project's VLAN must not outlive the move).
import type { DriftConfig } from '../config.js';
import type { Core } from '../core/context.js';
import { checkSwitchDrift, describeVlans, portHolders, type SwitchDriftReport } from '../core/drift.js';
import { allSwitches, switchByIdAndLabel, switchesOfNode, type SwitchRow } from '../db/store/switches.js';
import { messageOf } from '../errors.js';

/** How often the holders of ports left drifting are looked at (one small query per such switch). */
const WATCH_MS = 1000;

const DONE: Record<string, string> = {
  reported: 'reported (repair is off)',
  repaired: 'repaired: the inventory was re-applied',
  failed: 'NOT repaired',
  pending: 'left to the pending networking action',
};

/** Log one switch's drift check: a line per drifting port, or one for a switch that could not be read. */
function logReport(core: Core, r: SwitchDriftReport): void {
  if (r.result === 'error') core.log.warn(`drift check: switch "${r.switch}" failed: ${r.error}`);
  for (const [port, d] of Object.entries(r.drift)) {
    const what = d.state === 'reported' ? DONE.reported : d.state === 'failed' ? `${DONE.failed}: ${d.error}` : DONE[d.state];
    const line = `drift: switch "${r.switch}" port "${port}": inventory ${describeVlans(d.expected)}; switch ${describeVlans(d.actual)}` +
      `${d.leak ? ' (a VLAN its node\'s project may not use)' : ''}; ${what}`;
    if (d.state === 'failed') core.log.error(line); else core.log.warn(line);
  }
  if (r.result === 'ok') core.log.debug(`drift check: switch "${r.switch}" matches the inventory (${r.ports} port(s))`);
}

/** Runs the drift check of every switch every `intervalMs` until stopped. */
export class DriftMonitor {
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = false;
  /** Per switch id: the switch, and its ports left drifting with their holders when last checked. */
  private readonly watched = new Map<number, { sw: SwitchRow; ports: Map<string, string> }>();
  private watchTimer: NodeJS.Timeout | null = null;
  /** Checks in progress, by switch id. */
  private readonly checking = new Map<number, Promise<void>>();

  constructor(private readonly core: Core, private readonly settings: DriftConfig) {}

  /** Start the rounds (none when the interval is 0). */
  start(): void {
    const { intervalMs, repair } = this.settings;
    if (intervalMs === 0) { this.core.log.info('drift check: off ([drift] interval = 0)'); return; }
    this.core.log.info(`drift check: every ${intervalMs / 1000} s, ${repair ? 'repairing every drifting port' : 'repairing only ports that leak a VLAN'}`);
    this.schedule(0);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.round = this.checkAll().finally(() => {
        this.round = null;
        if (!this.stopped) this.schedule(this.settings.intervalMs);
      });
    }, ms);
  }

  /** One round: every switch, in parallel (each waits for its own lane). */
  private async checkAll(): Promise<void> {
    let switches: SwitchRow[];
    try {
      switches = allSwitches(this.core.inv);
    } catch (e) {
      this.core.log.error(`drift check: cannot read the switches: ${messageOf(e)}`);
      return;
    }
    await Promise.all(switches.map((sw) => this.checkOne(sw)));
  }

  /**
   * Check at once the switches a node's nics are cabled to (the node has just changed project): a
   * VLAN of its old project that a port still carries is then a leak, taken off whatever `repair` says.
   */
  checkNode(nodeId: number): void {
    if (this.settings.intervalMs === 0 || this.stopped) return;
    let switches: SwitchRow[];
    try {
      switches = switchesOfNode(this.core.inv, nodeId);
    } catch (e) {
      this.core.log.error(`drift check: cannot find the switches of node ${nodeId}: ${messageOf(e)}`);
      return;
    }
    for (const sw of switches) {
      this.core.log.info(`drift check: switch "${sw.label}": a node cabled to it changed project: checking the switch now`);
      void this.checkOne(sw);
    }
  }

  /** Check one switch (after its check in progress, if any), record, log, and watch what is left drifting. */
  private checkOne(sw: SwitchRow): Promise<void> {
    const previous = this.checking.get(sw.id) ?? Promise.resolve();
    const run = previous.then(async () => {
      // Taken before the check: a change while it runs makes the first look afterwards check again.
      const holders = portHolders(this.core, sw);
      const report = await checkSwitchDrift(this.core, sw, this.settings.repair);
      if (this.stopped && report.result === 'error') return; // the worker refused: the daemon is shutting down
      this.core.drift.record(sw.id, report);
      logReport(this.core, report);
      this.watch(sw, report, holders);
    }).catch((e: unknown) => this.core.log.error(`drift check: switch "${sw.label}": ${messageOf(e)}`))
      .finally(() => { if (this.checking.get(sw.id) === run) this.checking.delete(sw.id); });
    this.checking.set(sw.id, run);
    return run;
  }

  /** Remember the ports the check left drifting, with their holders when it began. */
  private watch(sw: SwitchRow, report: SwitchDriftReport, holders: Map<string, string>): void {
    const left = Object.entries(report.drift).filter(([, d]) => d.state === 'reported' || d.state === 'pending').map(([port]) => port);
    if (left.length === 0) { this.watched.delete(sw.id); return; }
    this.watched.set(sw.id, { sw, ports: new Map(left.map((port) => [port, holders.get(port) ?? ''])) });
    if (!this.watchTimer && !this.stopped) this.watchTimer = setInterval(() => this.lookForChanges(), WATCH_MS);
  }

  /** Check a switch again at once when a port it left drifting changed hands. */
  private lookForChanges(): void {
    for (const [id, { sw, ports }] of this.watched) {
      if (this.checking.has(id)) continue;
      try {
        const now = switchByIdAndLabel(this.core.inv, id, sw.label);
        if (!now) { this.watched.delete(id); continue; }
        const holders = portHolders(this.core, now);
        const moved = [...ports].find(([port, was]) => holders.get(port) !== was);
        if (!moved) continue;
        this.watched.delete(id);
        this.core.log.info(`drift check: switch "${sw.label}" port "${moved[0]}" changed hands while drifting (${moved[1]} -> ${holders.get(moved[0]) ?? 'unregistered'}): checking the switch now`);
        void this.checkOne(now);
      } catch (e) {
        this.core.log.error(`drift check: cannot look at switch "${sw.label}": ${messageOf(e)}`);
      }
    }
    if (this.watched.size === 0 && this.watchTimer) { clearInterval(this.watchTimer); this.watchTimer = null; }
  }

  /** Stop scheduling checks; resolves when the checks in progress (if any) have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.timer = null;
    this.watchTimer = null;
    await this.round;
    await Promise.all([...this.checking.values()]);
  }
}
