// Store: projects' quota overrides (table project_quota) and what each project
// holds of every kind a quota limits. The defaults live in the config, not here.
import type { Inventory } from '../inventory.js';

/** The kinds of things a quota limits, in the order they are shown. */
export const QUOTA_KINDS = ['nodes', 'networks', 'headnodes'] as const;
/** One kind a quota limits: nodes held, networks owned with a VLAN from the pool, headnodes. */
export type QuotaKind = typeof QUOTA_KINDS[number];

/** How many of each kind a project holds. */
export type QuotaUse = Record<QuotaKind, number>;

/** An admin's override for one project and kind: `allowed` null = no limit. */
export interface QuotaOverrideRow { project_id: number; kind: QuotaKind; allowed: number | null }

/** A project's overrides by kind; a kind without one is absent (the config's default applies). */
export function quotaOverrides(inv: Inventory, projectId: number): Partial<Record<QuotaKind, number | null>> {
  const rows = inv.all<QuotaOverrideRow>('SELECT project_id, kind, allowed FROM project_quota WHERE project_id = ?', projectId);
  return Object.fromEntries(rows.map((r) => [r.kind, r.allowed]));
}

/** Every override of every project. */
export function allQuotaOverrides(inv: Inventory): QuotaOverrideRow[] {
  return inv.all<QuotaOverrideRow>('SELECT project_id, kind, allowed FROM project_quota ORDER BY project_id, kind');
}

/** Set the project's override for a kind (replacing any): a count, or null for no limit. */
export function setQuotaOverride(inv: Inventory, projectId: number, kind: QuotaKind, allowed: number | null): void {
  inv.run('INSERT INTO project_quota (project_id, kind, allowed) VALUES (?, ?, ?) ON CONFLICT (project_id, kind) DO UPDATE SET allowed = excluded.allowed',
    projectId, kind, allowed);
}

/** Remove the project's override for a kind (the default applies again); none is no change. */
export function clearQuotaOverride(inv: Inventory, projectId: number, kind: QuotaKind): void {
  inv.run('DELETE FROM project_quota WHERE project_id = ? AND kind = ?', projectId, kind);
}

/** What the project holds: its nodes, the networks it owns whose VLAN is from the pool, its headnodes. */
export function quotaUse(inv: Inventory, projectId: number): QuotaUse {
  const row = inv.get<QuotaUse>(`SELECT
      (SELECT count(*) FROM node WHERE project_id = ?) AS nodes,
      (SELECT count(*) FROM network WHERE owner_id = ? AND allocated = 1) AS networks,
      (SELECT count(*) FROM headnode WHERE project_id = ?) AS headnodes`, projectId, projectId, projectId);
  return row ?? { nodes: 0, networks: 0, headnodes: 0 };
}

/** What every project holds (as quotaUse), with its id and label, sorted by label. */
export function allQuotaUse(inv: Inventory): (QuotaUse & { project_id: number; project: string })[] {
  return inv.all(`SELECT p.id AS project_id, p.label AS project,
      (SELECT count(*) FROM node WHERE project_id = p.id) AS nodes,
      (SELECT count(*) FROM network WHERE owner_id = p.id AND allocated = 1) AS networks,
      (SELECT count(*) FROM headnode WHERE project_id = p.id) AS headnodes
    FROM project p ORDER BY p.label`);
}
