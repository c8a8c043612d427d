// `switch verify`: compare what a switch really has on its registered ports
// with what the inventory says, and optionally push the inventory back.
// The fix is applied directly (not queued): a queued revert would also
// remove the nic's attachments from the inventory, which is what we want to
// keep. It runs in the switch's worker lane, so it cannot interleave with a
// batch; actions still pending are applied after it, on top of it.
import { ApiError, messageOf, SwitchError } from '../errors.js';
import type { PortChange, PortVlans, SwitchSession } from '../drivers/switch/types.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustSwitch } from './lookup.js';
import { portLabelsOfSwitch, type SwitchRow } from '../db/store/switches.js';
import { vlansOnSwitch } from '../db/store/attachments.js';
import { unmanagedPortsOfSwitch } from '../db/store/onboarding.js';
import { NATIVE } from '../drivers/switch/vlan-state.js';
import { carriesExactly } from '../drivers/switch/vlan-state.js';

/** The networks of one port: native VLAN (or null) and the tagged VLANs, ascending. */
export interface PortExpectation { native: number | null; tagged: number[] }

/** The answer of verify: every registered port, and the ports whose switch configuration differs from the inventory. */
export interface VerifyReport {
  switch: string;
  ports: Record<string, { expected: PortExpectation; actual: PortVlans }>;
  drift: string[];
  /** With fix: the ports that were re-applied. */
  fixed?: string[];
  /** With fix: ports the switch refused to re-apply, with its words. */
  errors?: Record<string, string>;
}

/**
 * What the inventory says each registered port of the switch should carry (ports without a nic or
 * networks: nothing). Unmanaged ports (left by an import for the admin to decide) are not in it:
 * haas neither parks nor repairs them.
 */
export function expectedPorts(core: Core, sw: SwitchRow): Map<string, PortExpectation> {
  const out = new Map<string, PortExpectation>();
  const unmanaged = new Set(unmanagedPortsOfSwitch(core.inv, sw.id).map((u) => u.port));
  for (const port of portLabelsOfSwitch(core.inv, sw.id)) {
    if (!unmanaged.has(port)) out.set(port, { native: null, tagged: [] });
  }
  for (const r of vlansOnSwitch(core.inv, sw.id)) {
    const e = out.get(r.port);
    if (!e) continue;
    if (r.channel === NATIVE) e.native = r.net_id;
    else e.tagged.push(r.net_id);
  }
  for (const e of out.values()) e.tagged.sort((a, b) => a - b);
  return out;
}

/** The changes that give a port exactly its inventory networks. */
export function reapply(port: string, e: PortExpectation): PortChange[] {
  const changes: PortChange[] = [{ kind: 'revert', port }];
  if (e.native !== null) changes.push({ kind: 'modify', port, channel: { native: true }, vlan: e.native });
  for (const v of e.tagged) changes.push({ kind: 'modify', port, channel: { native: false, vlan: v }, vlan: v });
  return changes;
}

/**
 * Read every registered port of the switch back and report drift from the
 * inventory; with `fix`, re-apply the inventory to the drifting ports and
 * report the state read back afterwards (admin).
 */
export async function verifySwitch(core: Core, p: Principal, label: string, fix: boolean): Promise<VerifyReport> {
  requireAdmin(p);
  const sw = mustSwitch(core.inv, label);
  return core.withSwitchSession(sw, `verifying switch "${label}"`, (session) => verifyWith(core, sw, session, fix))
    .catch((e: unknown) => {
      // A timeout, a lost session or a disabled driver: the device side failed.
      throw e instanceof ApiError ? e : new SwitchError(`switch "${label}": ${messageOf(e)}`);
    });
}

/** The verify work itself, with the switch's session. */
async function verifyWith(core: Core, sw: SwitchRow, session: SwitchSession, fix: boolean): Promise<VerifyReport> {
  const label = sw.label;
  const read = async (expected: Map<string, PortExpectation>) => {
    let actual: Map<string, PortVlans>;
    try {
      actual = await session.getPortNetworks([...expected.keys()]);
    } catch (e) {
      throw new SwitchError(`switch "${label}": cannot read its ports: ${messageOf(e)}`);
    }
    // Port names are the switch's own (an OVS port may be "__proto__"): fromEntries keeps each one a plain key.
    const ports = [...expected].map(([port, exp]) => {
      const act = actual.get(port) ?? { native: null, tagged: [], anomaly: 'the switch did not report this port' };
      return [port, { expected: exp, actual: act }] as const;
    });
    const drift = ports.filter(([, r]) => !carriesExactly(r.actual, r.expected)).map(([port]) => port);
    const report: VerifyReport = { switch: sw.label, ports: Object.fromEntries(ports), drift };
    return report;
  };
  // Read the inventory inside the lane: it is current with every batch applied so far.
  const expected = expectedPorts(core, sw);
  const before = await read(expected);
  if (!fix) return before;
  const changes = before.drift.flatMap((port) => reapply(port, expected.get(port)!));
  const errors = new Map<string, string>();
  if (changes.length > 0) {
    let results;
    try {
      results = await session.applyBatch(changes);
    } catch (e) {
      throw new SwitchError(`switch "${label}": cannot re-apply the inventory: ${messageOf(e)}`);
    }
    changes.forEach((c, i) => { const r = results[i]; if (r) errors.set(c.port, r.error); });
  }
  const after = await read(expected);
  after.fixed = before.drift.filter((port) => !errors.has(port));
  if (errors.size > 0) after.errors = Object.fromEntries(errors);
  return after;
}
