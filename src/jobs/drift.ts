// The periodic drift check: every `[drift] interval` seconds (the first round
// right after start-up), every registered switch is read back in its worker
// lane (switches in parallel), its report kept in the ledger and each drifting
// port logged with what the inventory says and what the switch carries, and
// what was done about it. A round starts `interval` after the previous ended.
import type { DriftConfig } from '../config.js';
import type { Core } from '../core/context.js';
import { checkSwitchDrift, describeVlans, type SwitchDriftReport } from '../core/drift.js';
import type { SwitchRow } from '../core/lookup.js';
import { messageOf } from '../errors.js';

const DONE: Record<string, string> = {
  reported: 'reported (repair is off)',
  repaired: 'repaired: the inventory was re-applied',
  failed: 'NOT repaired',
  pending: 'left to the pending networking action',
};

/** Log one switch's drift check: a line per drifting port, or one for a switch that could not be read. */
function logReport(core: Core, r: SwitchDriftReport): void {
  if (r.result === 'error') { core.log.warn(`drift check: switch "${r.switch}" could not be read: ${r.error}`); return; }
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
      switches = this.core.inv.all<SwitchRow>('SELECT * FROM switch ORDER BY label');
    } catch (e) {
      this.core.log.error(`drift check: cannot read the switches: ${messageOf(e)}`);
      return;
    }
    await Promise.all(switches.map(async (sw) => {
      const report = await checkSwitchDrift(this.core, sw, this.settings.repair);
      if (this.stopped && report.result === 'error') return; // the worker refused: the daemon is shutting down
      this.core.drift.record(sw.id, report);
      logReport(this.core, report);
    }));
  }

  /** Stop scheduling rounds; resolves when the round in progress (if any) has ended. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.round ?? Promise.resolve();
  }
}
