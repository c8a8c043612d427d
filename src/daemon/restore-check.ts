// After `haas admin restore`, the inventory may no longer match the switches (they kept changing
// while the backup aged). The restore leaves a marker file beside the database; the next daemon,
// once it serves, reads every registered switch back, logs the drift of each (the admin then runs
// `haas switch verify SWITCH --fix`, or reconnects), and removes the marker when all were checked.
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import type { Core, Principal } from '../core/context.js';
import { verifySwitch, type PortExpectation } from '../core/verify.js';
import type { PortVlans } from '../drivers/switch/types.js';
import { messageOf } from '../errors.js';
import { switchLabels } from '../db/store/switches.js';
import { recordRestore } from '../core/audit.js';

/** The marker `haas admin restore` leaves beside the database it restored. */
export function restoredMarkerOf(db: string): string {
  return `${db}-restored`;
}

/** The daemon itself, reading its switches: an admin with no user behind it. */
const DAEMON: Principal = { user: null, admin: true, projectIds: new Set() };

function describe(v: PortExpectation | PortVlans): string {
  const parts = [v.native === null ? null : `native ${v.native}`, v.tagged.length ? `tagged ${v.tagged.join(',')}` : null]
    .filter((p): p is string => p !== null);
  const anomaly = 'anomaly' in v && v.anomaly ? ` (${v.anomaly})` : '';
  return (parts.join(', ') || 'nothing') + anomaly;
}

/**
 * If the database was restored, verify every switch and log what differs; remove the marker once
 * every switch was checked (read or found unreadable), unless `interrupted()` says the daemon is stopping.
 */
export async function verifyAfterRestore(core: Core, db: string, interrupted: () => boolean): Promise<void> {
  const marker = restoredMarkerOf(db);
  if (!existsSync(marker)) return;
  const log = core.log;
  const what = readFileSync(marker, 'utf8').trim().replace(/\s+/g, ' ');
  const switches = switchLabels(core.inv);
  recordRestore(core.inv, what);
  log.warn(`the database was restored${what ? ` (${what})` : ''}: verifying ${switches.length} switch(es) against the inventory`);
  for (const label of switches) {
    if (interrupted()) return;
    try {
      const report = await verifySwitch(core, DAEMON, label, false);
      const ports = Object.keys(report.ports).length;
      if (report.drift.length === 0) {
        log.info(`restore check: switch "${label}" matches the inventory (${ports} port(s))`);
      } else {
        const details = report.drift.map((p) => `${p} (inventory: ${describe(report.ports[p]!.expected)}; switch: ${describe(report.ports[p]!.actual)})`);
        log.warn(`restore check: switch "${label}" differs from the inventory on ${report.drift.length} of ${ports} port(s): ${details.join('; ')}; ` +
          `run: haas switch verify ${label} --fix`);
      }
    } catch (e) {
      log.warn(`restore check: switch "${label}" could not be read: ${messageOf(e)}`);
    }
  }
  if (interrupted()) return;
  unlinkSync(marker);
  log.info(`restore check done: removed ${marker}`);
}
