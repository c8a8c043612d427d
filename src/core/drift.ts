// Drift: what a switch carries on its registered ports that the inventory
// does not say. The periodic check (src/jobs/drift.ts) reads every switch back
// in the switch's worker lane, keeps the last result per switch in memory (the
// ledger, shown by GET /v0/drift and /v0/switch/<s>/drift) and re-applies the
// inventory to drifting ports: to every one with `[drift] repair = true`, and
// always to a port that leaks, that is one carrying a VLAN its node's current
// project may not use (a node that changed project while its port drifted).
// Only registered ports are read or touched; ports with a PENDING action are
// left to that action.
import { messageOf } from '../errors.js';
import type { PortVlans, SwitchSession } from '../drivers/switch/types.js';
import { carriesExactly } from '../drivers/switch/vlan-state.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustSwitch } from './lookup.js';
import { recordSystemEvent } from './audit.js';
import { projectsOfTargets } from '../db/store/audit.js';
import { allSwitches, portCountOfSwitch, type SwitchRow } from '../db/store/switches.js';
import { vlanGrants } from '../db/store/networks.js';
import { pendingPortsOfSwitch, portHoldersOfSwitch } from '../db/store/actions.js';
import { expectedPorts, reapply, type PortExpectation } from './verify.js';

/** One drifting port: the inventory's networks, what the switch carried, and what the check did about it. */
export interface PortDrift {
  expected: PortExpectation;
  actual: PortVlans;
  /** The port carried a VLAN its node's project may not use (free nodes and uncabled ports: any non-public one), or was open to every VLAN. */
  leak: boolean;
  /**
   * reported: left as it is (repair off, no leak); repaired: the inventory was re-applied and read back;
   * failed: re-applying it failed (`error`); pending: a networking action on the port will set it, left alone.
   */
  state: 'reported' | 'repaired' | 'failed' | 'pending';
  error?: string;
}

/** The last drift check of one switch. */
export interface SwitchDriftReport {
  switch: string;
  /** When the check ended (ISO), null before the first one. */
  checked_at: string | null;
  /** ok: every registered port matches; drift: some did not; error: the switch could not be read; unchecked: not checked yet. */
  result: 'ok' | 'drift' | 'error' | 'unchecked';
  /** Registered ports read back. */
  ports: number;
  /** The drifting ports, by the switch's own port name. */
  drift: Record<string, PortDrift>;
  /** With result error: why. */
  error?: string;
}

/** The last drift check of every switch, in memory (a restart starts with none). */
export class DriftLedger {
  private readonly bySwitch = new Map<number, SwitchDriftReport>();
  constructor(
    /** Seconds between checks (0 = no periodic check) and whether every drifting port is repaired, as configured. */
    readonly settings: { interval: number; repair: boolean },
  ) {}
  /** Keep a switch's latest report. */
  record(switchId: number, report: SwitchDriftReport): void { this.bySwitch.set(switchId, report); }
  /** The latest report of a switch (an unchecked one if none). */
  of(sw: SwitchRow): SwitchDriftReport {
    const r = this.bySwitch.get(sw.id);
    // A switch deleted and registered again under the same id's label is a new switch.
    return r && r.switch === sw.label ? r : { switch: sw.label, checked_at: null, result: 'unchecked', ports: 0, drift: {} };
  }
}

/** GET /drift: the settings and the last check of every switch, sorted by label (admin). */
export function showDrift(core: Core, p: Principal): { interval: number; repair: boolean; switches: SwitchDriftReport[] } {
  requireAdmin(p);
  return { ...core.drift.settings, switches: allSwitches(core.inv).map((sw) => core.drift.of(sw)) };
}

/** GET /switch/<s>/drift: the last drift check of one switch (admin). */
export function showSwitchDrift(core: Core, p: Principal, label: string): SwitchDriftReport {
  requireAdmin(p);
  return core.drift.of(mustSwitch(core.inv, label));
}

/** VLAN ids of public networks, and of the networks each project may use (owner or on the access list). */
function usableVlans(core: Core): { publicVlans: Set<number>; byProject: Map<number, Set<number>> } {
  const rows = vlanGrants(core.inv);
  const publicVlans = new Set<number>();
  const byProject = new Map<number, Set<number>>();
  const grant = (project: number, vlan: number) => {
    let s = byProject.get(project);
    if (!s) byProject.set(project, (s = new Set()));
    s.add(vlan);
  };
  for (const r of rows) {
    if (r.project_id === null) publicVlans.add(r.net_id);
    else grant(r.project_id, r.net_id);
    if (r.owner_id !== null) grant(r.owner_id, r.net_id);
  }
  return { publicVlans, byProject };
}

/** The project of the node cabled to each registered port of the switch (null: free node or no nic). */
function portProjects(core: Core, sw: SwitchRow): Map<string, number | null> {
  return new Map(portHoldersOfSwitch(core.inv, sw.id).map((r) => [r.port, r.project_id]));
}

/** A repair whose device session failed: what the check had found, with the repaired ports marked failed. */
class RepairCutOff extends Error {
  constructor(readonly drift: Record<string, PortDrift>, why: string) { super(`repairing drift: ${why}`); }
}

/**
 * Read every registered port of the switch back (in its worker lane), and re-apply the inventory
 * to the drifting ports that `repair` or a leak calls for. Never throws: a switch that cannot be
 * read gives a report with result "error".
 */
export async function checkSwitchDrift(core: Core, sw: SwitchRow, repair: boolean): Promise<SwitchDriftReport> {
  try {
    const drift = await core.withSwitchSession(sw, `checking switch "${sw.label}" for drift`, (s) => checkWith(core, sw, s, repair));
    const n = portCountOfSwitch(core.inv, sw.id);
    return { switch: sw.label, checked_at: new Date().toISOString(), result: Object.keys(drift).length > 0 ? 'drift' : 'ok', ports: n, drift };
  } catch (e) {
    const drift = e instanceof RepairCutOff ? e.drift : {};
    return { switch: sw.label, checked_at: new Date().toISOString(), result: 'error', ports: 0, drift, error: messageOf(e) };
  }
}


/** The check itself, with the switch's session: the drifting ports and what was done to each. */
async function checkWith(core: Core, sw: SwitchRow, session: SwitchSession, repair: boolean): Promise<Record<string, PortDrift>> {
  // Read inside the lane: the inventory is current with every batch applied so far.
  const expected = expectedPorts(core, sw);
  if (expected.size === 0) return {};
  const actual = await session.getPortNetworks([...expected.keys()]);
  const projects = portProjects(core, sw);
  const { publicVlans, byProject } = usableVlans(core);
  const drift = new Map<string, PortDrift>();
  for (const [port, exp] of expected) {
    const act = actual.get(port) ?? { native: null, tagged: [], anomaly: 'the switch did not report this port' };
    if (carriesExactly(act, exp)) continue;
    const project = projects.get(port) ?? null;
    const claimed = new Set([...(exp.native === null ? [] : [exp.native]), ...exp.tagged]);
    const mayUse = (v: number) => claimed.has(v) || publicVlans.has(v) || (project !== null && byProject.get(project)?.has(v) === true);
    const carried = [...(act.native === null ? [] : [act.native]), ...act.tagged];
    const leak = act.anomaly !== undefined || carried.some((v) => !mayUse(v));
    drift.set(port, { expected: exp, actual: act, leak, state: 'reported' });
  }
  // Ports with a PENDING action are the action's: it sets them, on top of whatever is there (read just before deciding).
  const pending = new Set(pendingPortsOfSwitch(core.inv, sw.id));
  for (const [port, d] of drift) if (pending.has(port)) d.state = 'pending';
  const toRepair = [...drift].filter(([, d]) => d.state === 'reported' && (repair || d.leak)).map(([port]) => port);
  if (toRepair.length > 0) {
    const changes = toRepair.flatMap((port) => reapply(port, expected.get(port)!));
    const errors = new Map<string, string>();
    let after: Map<string, PortVlans>;
    try {
      const results = await session.applyBatch(changes);
      changes.forEach((c, i) => { const r = results[i]; if (r && !errors.has(c.port)) errors.set(c.port, r.error); });
      after = await session.getPortNetworks(toRepair);
    } catch (e) {
      // The session failed mid-repair: say so for each port, and let the worker drop the session.
      for (const port of toRepair) Object.assign(drift.get(port)!, { state: 'failed', error: `the repair was cut off: ${messageOf(e)}` });
      throw new RepairCutOff(Object.fromEntries(drift), messageOf(e));
    }
    for (const port of toRepair) {
      const d = drift.get(port)!;
      const now = after.get(port);
      if (!errors.has(port) && now && carriesExactly(now, d.expected)) { d.state = 'repaired'; continue; }
      d.state = 'failed';
      d.error = errors.get(port) ?? `still differs after re-applying the inventory (switch: ${describeVlans(now)})`;
    }
    recordRepairs(core, sw, toRepair.map((port) => [port, drift.get(port)!]));
  }
  return Object.fromEntries(drift);
}

/** The audit trail's entries for the ports a check re-applied: what the switch carried, what it was set to, how it ended. */
function recordRepairs(core: Core, sw: SwitchRow, repaired: Array<[string, PortDrift]>): void {
  // The repair happened on the switch whatever the database says: a failed write is logged, not the check's failure.
  try { core.inv.tx(() => {
    for (const [port, d] of repaired) {
      recordSystemEvent(core.inv, {
        operation: 'drift_repair', outcome: d.state === 'repaired' ? 'ok' : 'error',
        projects: projectsOfTargets(core.inv, { switch: sw.label, port }),
        detail: {
          switch: sw.label, port, found: describeVlans(d.actual), set_to: describeVlans(d.expected), leak: d.leak,
          error: d.error ?? null,
        },
      });
    }
  }); } catch (e) {
    core.log.error(`switch "${sw.label}": could not record ${repaired.length} drift repair(s) in the audit trail: ${messageOf(e)}`);
  }
}

/** A port's VLANs in words, for logs and messages. */
export function describeVlans(v: PortExpectation | PortVlans | undefined): string {
  if (!v) return 'not reported';
  const parts = [v.native === null ? null : `native ${v.native}`, v.tagged.length ? `tagged ${v.tagged.join(',')}` : null]
    .filter((p): p is string => p !== null);
  const anomaly = 'anomaly' in v && v.anomaly ? ` (${v.anomaly})` : '';
  return (parts.join(', ') || 'nothing') + anomaly;
}

/**
 * What each registered port of the switch is cabled to, as one text per port: the nic, its node's
 * project, and whether it has a PENDING action. A port left drifting is checked again when this changes.
 */
export function portHolders(core: Core, sw: SwitchRow): Map<string, string> {
  return new Map(portHoldersOfSwitch(core.inv, sw.id).map((r) => [r.port, `nic ${r.nic_id ?? '-'} project ${r.project_id ?? '-'}${r.pending ? ' pending' : ''}`]));
}
