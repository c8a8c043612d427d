// Leases (issue 13): a reservation's end time, who may move it, and the
// release at the end, done the way a careful admin would: every network
// detached through queued actions (as a user's detach), the node powered off
// and its OBM disabled, its consoles closed, and the node handed back to the
// free pool (or the maintenance pool). The job that drives releases in time
// is src/jobs/leases.ts; everything it needs to know is in the database.
import { BadArgumentError, BlockedError, NotFoundError, messageOf } from '../errors.js';
import { requireProjectAccess } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { mustNode, mustProject } from './lookup.js';
import { recordSystemEvent } from './audit.js';
import { formatDuration } from '../durations.js';
import { obmDriverFor } from '../drivers/obm/type-names.js';
import { storedFields } from '../drivers/fields.js';
import { queueAction } from '../db/store/actions.js';
import { nodeHasPendingAction } from '../db/store/actions.js';
import { nodeHasAttachments } from '../db/store/attachments.js';
import { disableObmdNode, nodeByLabel, setNodeObmEnabled, setNodeProject, type NodeRow } from '../db/store/nodes.js';
import { projectByLabel } from '../db/store/projects.js';
import {
  allLeases, attachmentsToRelease, leaseOfNode, leasesOfProjects, leasesToWarn, markWarned, nextLeaseEnd, nextUnwarnedEnd,
  releasingLeases, removeLease, setLeaseEnd, setReleaseError, startDueReleases, type LeaseRow,
} from '../db/store/leases.js';
import { publishLeaseChange, publishProjectChange } from './events.js';

/** A lease as the API shows it. */
export interface LeaseView {
  node: string;
  project: string;
  started_at: string;
  /** null: no end. */
  ends_at: string | null;
  /** The latest end a member may set (`[leases] maximum` from the start); null: no maximum. */
  max_ends_at: string | null;
  state: 'active' | 'expired, releasing';
  /** Why the release could not complete yet (state "expired, releasing" only). */
  release_error: string | null;
  /** When the expiry warning went out, if it did. */
  warned_at: string | null;
}

/** How a lease changes: an end `forMs` from now, or at `until` (null: no end). */
export type LeaseChange = { forMs: number } | { until: Date | null };

function maxEnd(core: Core, l: Pick<LeaseRow, 'started_at'>): Date | null {
  const max = core.config.leases.maximumMs;
  return max === null ? null : new Date(Date.parse(l.started_at) + max);
}

function view(core: Core, l: LeaseRow): LeaseView {
  return {
    node: l.node, project: l.project, started_at: l.started_at, ends_at: l.ends_at,
    max_ends_at: maxEnd(core, l)?.toISOString() ?? null,
    state: l.releasing_since === null ? 'active' : 'expired, releasing',
    release_error: l.release_error, warned_at: l.warned_at,
  };
}

/** The end a new reservation gets (`[leases] default`, else the maximum, else none), as ISO text. */
export function defaultLeaseEnd(core: Core, start: Date): string | null {
  const ms = core.config.leases.defaultMs;
  return ms === null ? null : new Date(start.getTime() + ms).toISOString();
}

function mustLease(core: Core, p: Principal, nodeLabel: string): LeaseRow {
  const node = mustNode(core.inv, nodeLabel);
  requireProjectAccess(p, node.project_id);
  const lease = leaseOfNode(core.inv, node.id);
  if (!lease) throw new NotFoundError(`Node "${nodeLabel}" is not reserved by a project: it has no lease.`);
  return lease;
}

/** The node's lease (members of its project, admins). */
export function showLease(core: Core, p: Principal, nodeLabel: string): LeaseView {
  return view(core, mustLease(core, p, nodeLabel));
}

/** The leases the caller may see: admins all, members those of their projects; `project` narrows to one. */
export function listLeases(core: Core, p: Principal, projectLabel?: string): LeaseView[] {
  if (projectLabel !== undefined) {
    const proj = mustProject(core.inv, projectLabel);
    requireProjectAccess(p, proj.id);
    return allLeases(core.inv, proj.id).map((l) => view(core, l));
  }
  const rows = p.admin ? allLeases(core.inv) : leasesOfProjects(core.inv, [...p.projectIds]);
  return rows.map((l) => view(core, l));
}

/**
 * Set, extend, shorten or clear a lease's end (members of the node's project, admins). A member
 * stays within `[leases] maximum` from the reservation's start and may not clear the end while a
 * maximum is set; admins may do both.
 */
export function setLease(core: Core, p: Principal, nodeLabel: string, change: LeaseChange): LeaseView {
  const { inv } = core;
  const result = inv.tx(() => {
    const lease = mustLease(core, p, nodeLabel);
    if (lease.releasing_since !== null) throw new BlockedError(`The lease of node "${nodeLabel}" has ended; the node is being released.`);
    const at = Date.now();
    const ends = 'forMs' in change ? new Date(at + change.forMs) : change.until;
    if (ends !== null && ends.getTime() <= at) throw new BadArgumentError(`The end time ${ends.toISOString()} is in the past.`);
    const limit = maxEnd(core, lease);
    if (limit !== null && !p.admin) {
      const max = formatDuration(core.config.leases.maximumMs ?? 0);
      if (ends === null) throw new BlockedError(`Only an admin may clear the end of a lease while a maximum is set ([leases] maximum = ${max}).`);
      if (ends > limit) {
        throw new BlockedError(`The end time ${ends.toISOString()} is beyond the maximum lease of ${max} from the reservation's start: at most ${limit.toISOString()}.`);
      }
    }
    setLeaseEnd(inv, lease.node_id, ends?.toISOString() ?? null);
    return leaseOfNode(inv, lease.node_id)!;
  });
  core.leasesChanged();
  publishLeaseChange(inv, result.node_id, result.ends_at === null ? 'cleared' : 'set');
  return view(core, result);
}

/** When the lease job must look again: the earliest end of a lease not yet releasing, or null. */
export function nextLeaseDeadline(core: Pick<Core, 'inv'>): Date | null {
  const t = nextLeaseEnd(core.inv);
  return t === undefined ? null : new Date(t);
}

/** Mark every lease whose end has passed as releasing (one transaction); returns how many started. */
export function startReleases(core: Pick<Core, 'inv'>): number {
  const started = core.inv.tx(() => startDueReleases(core.inv, now()));
  for (const nodeId of started) publishLeaseChange(core.inv, nodeId, 'releasing');
  return started.length;
}

/** The node ids of the leases being released. */
export function leasesBeingReleased(core: Pick<Core, 'inv'>): number[] {
  return releasingLeases(core.inv);
}

/**
 * Where a node's release stands after a step: `waiting` for its queued actions, `queued` more
 * detaches, `clear` of networks (ready for finishRelease), or `failed` with the device's words.
 */
export type ReleaseStep = { kind: 'waiting' } | { kind: 'queued' } | { kind: 'clear' } | { kind: 'failed'; reason: string };

/**
 * One step of the networking side of each node's release, all in one transaction: for every nic
 * still attached and idle, queue the detach of one network (tagged ones before the native one);
 * a nic whose last action ended in ERROR after `attemptSince` (the node's last step that
 * queued) has failed instead. Nodes no longer releasing are left out of the answer.
 */
export function releaseNetworks(core: Core, nodes: ReadonlyArray<{ nodeId: number; attemptSince: string | null }>): Map<number, ReleaseStep> {
  const { inv } = core;
  const steps = new Map<number, ReleaseStep>();
  let queued = false;
  inv.tx(() => {
    const at = now();
    for (const { nodeId, attemptSince } of nodes) {
      const lease = leaseOfNode(inv, nodeId);
      if (!lease || lease.releasing_since === null) continue;
      const rows = attachmentsToRelease(inv, nodeId);
      if (rows.length === 0) {
        steps.set(nodeId, nodeHasPendingAction(inv, nodeId) ? { kind: 'waiting' } : { kind: 'clear' });
        continue;
      }
      let step: ReleaseStep = { kind: 'waiting' };
      const seen = new Set<number>();
      for (const r of rows) {
        if (seen.has(r.nic_id)) continue;
        seen.add(r.nic_id);
        if (r.pending) continue;
        if (r.last_status === 'ERROR' && attemptSince !== null && (r.last_finished_at ?? '') >= attemptSince) {
          step = { kind: 'failed', reason: `detaching ${r.network} failed: ${r.last_message ?? 'no message'}` };
          break;
        }
        queueAction(inv, { type: 'modify_port', nicId: r.nic_id, channel: r.channel, network: null, createdAt: at });
        step = { kind: 'queued' };
        queued = true;
      }
      steps.set(nodeId, step);
    }
  });
  if (queued) core.actionsQueued();
  return steps;
}

/** Record that the node's release could not complete (shown as release_error) and in the audit trail. */
export function recordReleaseFailure(core: Core, nodeId: number, reason: string): void {
  const { inv } = core;
  inv.tx(() => {
    const lease = leaseOfNode(inv, nodeId);
    if (!lease) return;
    setReleaseError(inv, nodeId, reason);
    recordSystemEvent(inv, {
      operation: 'lease_release', outcome: 'error', node: lease.node, projects: [lease.project],
      detail: { project: lease.project, ends_at: lease.ends_at, error: reason },
    });
  });
}

async function powerOffAndDisable(core: Core, node: NodeRow): Promise<void> {
  if (node.obmd_uri) {
    // obmd powers off only with a node token: take one for the purpose when the OBM was disabled.
    const token = node.obm_enabled && node.obmd_node_token ? node.obmd_node_token : await core.obmd.fetchToken(node);
    await core.obmd.powerOff(node, token);
    await core.obmd.revokeToken(node);
    disableObmdNode(core.inv, node.id);
  } else {
    const driver = node.obm_type ? obmDriverFor(core.obmDrivers, node.obm_type) : undefined;
    if (!driver || !node.obm_config) throw new Error(`the OBM driver "${node.obm_type}" of node "${node.label}" is not enabled in this daemon`);
    try {
      await driver.open(node.label, storedFields(node.obm_config)).powerOff();
    } catch (e) {
      throw new Error(`power off of node "${node.label}" failed: ${messageOf(e)}`);
    }
    setNodeObmEnabled(core.inv, node.id, false);
  }
  core.consoles.end(node.label);
}

/**
 * The rest of a release once the node is off every network: power off and OBM disabled, consoles
 * closed, the node to the free pool or the maintenance pool, `lease_release` in the audit trail.
 * Throws (with the device's or the pool's words) when a step fails; the lease stays releasing.
 */
export async function finishRelease(core: Core, nodeId: number): Promise<void> {
  const { inv } = core;
  const lease = leaseOfNode(inv, nodeId);
  if (!lease || lease.releasing_since === null) return;
  const node = nodeByLabel(inv, lease.node);
  if (!node) return;
  await powerOffAndDisable(core, node);
  const maint = core.config.maintenance;
  let target: number | null = null;
  if (maint && lease.project !== maint.project) {
    const mp = projectByLabel(inv, maint.project);
    if (!mp) throw new Error(`the maintenance project "${maint.project}" does not exist`);
    if (!core.maintenancePool) throw new Error('[maintenance] is configured but core has no maintenance pool client');
    await core.maintenancePool.accept(lease.node);
    target = mp.id;
  }
  const released = inv.tx(() => {
    const now = leaseOfNode(inv, nodeId);
    // Someone may have detached the node meanwhile, or attached a network again: then not now.
    if (!now || now.releasing_since === null) return false;
    if (nodeHasAttachments(inv, nodeId) || nodeHasPendingAction(inv, nodeId)) throw new Error('a network was attached again during the release');
    removeLease(inv, nodeId);
    setNodeProject(inv, nodeId, target);
    recordSystemEvent(inv, {
      operation: 'lease_release', outcome: 'ok', node: lease.node, projects: [lease.project],
      detail: { project: lease.project, ends_at: lease.ends_at, to: target === null ? 'free' : maint!.project },
    });
    return true;
  });
  if (released) {
    core.nodeChangedProject(nodeId);
    publishLeaseChange(inv, nodeId, 'released', lease);
    publishProjectChange(inv, lease.node, lease.project_id);
  }
}

/** What the lease webhook is sent before a lease ends (never a secret). */
export interface LeaseExpiringEvent { event: 'lease_expiring'; node: string; project: string; ends_at: string }

/** The lease webhook (`[leases] webhook`, src/outside/webhook.ts): a failed POST throws with the reason. */
export interface LeaseWebhook {
  post(event: LeaseExpiringEvent): Promise<void>;
}

/** A warning owed: the event and the lease it is for. */
export interface DueWarning { nodeId: number; event: LeaseExpiringEvent }

/** The warnings owed now (`[leases] warn_before` and `webhook` set): leases ending within warn_before, not yet warned. */
export function dueWarnings(core: Core): DueWarning[] {
  const before = core.config.leases.warnBeforeMs;
  if (before === null || core.leaseWebhook === null) return [];
  return leasesToWarn(core.inv, new Date(Date.now() + before).toISOString()).map((l) => ({
    nodeId: l.node_id, event: { event: 'lease_expiring', node: l.node, project: l.project, ends_at: l.ends_at! },
  }));
}

/** When the next warning falls due (an unwarned end minus warn_before), or null for none (or no webhook). */
export function nextWarningAt(core: Core): Date | null {
  const before = core.config.leases.warnBeforeMs;
  if (before === null || core.leaseWebhook === null) return null;
  const end = nextUnwarnedEnd(core.inv);
  return end === undefined ? null : new Date(Date.parse(end) - before);
}

/** POST the warning to the webhook, then record it (once per end time); throws with the webhook's failure. */
export async function sendWarning(core: Core, w: DueWarning): Promise<void> {
  if (core.leaseWebhook === null) return;
  await core.leaseWebhook.post(w.event);
  core.inv.tx(() => markWarned(core.inv, w.nodeId, w.event.ends_at, now()));
  publishLeaseChange(core.inv, w.nodeId, 'expiring');
}
