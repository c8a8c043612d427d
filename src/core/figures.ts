// The inventory's figures as /metrics reports them, read when scraped: each function is one or two
// cheap queries (src/db/store/metrics.ts) or the drift ledger in memory. No authorization here: the
// /metrics endpoint decides who may scrape (src/server/metrics.ts).
import type { Core } from './context.js';
import { headnodesByStatus, leaseCounts, nodeCounts, pendingActionsBySwitch, pooledNetworkCount, type LeaseCountsRow, type NodeCountsRow } from '../db/store/metrics.js';
import { allQuotaOverrides, allQuotaUse, QUOTA_KINDS, type QuotaKind } from '../db/store/quotas.js';
import { allSwitches } from '../db/store/switches.js';

/** The networking queue of one switch: PENDING actions and the age of the oldest (seconds). */
export interface SwitchQueue { switch: string; pending: number; oldestAgeSeconds: number }

/** The PENDING actions of every switch that has any. */
export function switchQueues(core: Core, nowMs = Date.now()): SwitchQueue[] {
  return pendingActionsBySwitch(core.inv).map((r) => ({
    switch: r.switch, pending: r.pending, oldestAgeSeconds: Math.max(0, (nowMs - Date.parse(r.oldest)) / 1000),
  }));
}

/** The VLAN pool: how many ids it has (config) and how many networks hold one of them. */
export function vlanPoolFigures(core: Core): { size: number; used: number } {
  const size = core.config.vlanPool.reduce((n, r) => n + r.to - r.from + 1, 0);
  return { size, used: pooledNetworkCount(core.inv) };
}

/** Nodes in the inventory, and how many are reserved. */
export function nodeFigures(core: Core): NodeCountsRow { return nodeCounts(core.inv); }

/** Headnodes per status, every status present (0 when none has it). */
export function headnodeFigures(core: Core): Record<'created' | 'running' | 'stopped' | 'dead', number> {
  const out = { created: 0, running: 0, stopped: 0, dead: 0 };
  for (const r of headnodesByStatus(core.inv)) if (Object.hasOwn(out, r.status)) out[r.status as keyof typeof out] = r.n;
  return out;
}

/** Leases held, ending within `[leases] warn_before` (0 when it is not set), and being released. */
export function leaseFigures(core: Core, nowMs = Date.now()): LeaseCountsRow {
  const warn = core.config.leases.warnBeforeMs;
  const counts = leaseCounts(core.inv, new Date(nowMs + (warn ?? 0)).toISOString());
  return warn === null ? { ...counts, ending: 0 } : counts;
}

/** One project's use of one quota kind, and its limit (null: none). */
export interface QuotaFigure { project: string; kind: QuotaKind; used: number; limit: number | null }

/** What every project holds of each quota kind, with the limit that applies to it. */
export function quotaFigures(core: Core): QuotaFigure[] {
  const overrides = new Map<string, number | null>();
  for (const o of allQuotaOverrides(core.inv)) overrides.set(`${o.project_id}:${o.kind}`, o.allowed);
  const out: QuotaFigure[] = [];
  for (const u of allQuotaUse(core.inv)) {
    for (const kind of QUOTA_KINDS) {
      const key = `${u.project_id}:${kind}`;
      const limit = overrides.has(key) ? overrides.get(key) ?? null : core.config.quotas[kind];
      out.push({ project: u.project, kind, used: u[kind], limit });
    }
  }
  return out;
}

/** The last drift check of every switch: drifting ports, and whether the switch could be read (null: not checked yet). */
export function driftFigures(core: Core): { switch: string; driftingPorts: number; readable: boolean | null }[] {
  return allSwitches(core.inv).map((sw) => {
    const r = core.drift.of(sw);
    return { switch: sw.label, driftingPorts: Object.keys(r.drift).length, readable: r.result === 'unchecked' ? null : r.result !== 'error' };
  });
}
