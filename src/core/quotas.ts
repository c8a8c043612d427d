// Projects' quotas: how many nodes, networks from the VLAN pool and headnodes a
// project may hold. The defaults are the config's [quotas]; an admin may give a
// project its own limit. A quota is the project's, not the caller's: admins who
// reserve into a project are held to it too. Checked inside the transaction
// that would add one more, so that two concurrent calls cannot both pass;
// lowering a limit below what a project holds takes nothing away, it only
// refuses the next one.
import { QuotaExceededError } from '../errors.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustProject } from './lookup.js';
import type { ProjectRow } from '../db/store/projects.js';
import {
  allQuotaOverrides, allQuotaUse, clearQuotaOverride, QUOTA_KINDS, quotaOverrides, quotaUse, setQuotaOverride,
  type QuotaKind, type QuotaUse,
} from '../db/store/quotas.js';

/** Where a project's limit comes from: the config's default, an admin's number, or an admin's "no limit". */
export type QuotaSource = 'default' | 'override' | 'unlimited';

/** One kind of a project's quota: its limit (null = none), where the limit comes from, and what the project holds. */
export interface QuotaLine { limit: number | null; source: QuotaSource; used: number }

/** A project's quota as the API shows it: one line per kind. */
export type ProjectQuota = { project: string } & Record<QuotaKind, QuotaLine>;

/** An admin's change to one kind: a count, `unlimited`, or `default` (the override is removed). */
export type QuotaChange = number | 'unlimited' | 'default';

/** An admin's changes by kind; a kind absent or undefined keeps its limit. */
export type QuotaChanges = { [K in QuotaKind]?: QuotaChange | undefined };

type Overrides = Partial<Record<QuotaKind, number | null>>;

function lineOf(core: Core, overrides: Overrides, kind: QuotaKind, used: number): QuotaLine {
  const override = overrides[kind];
  if (override === undefined) return { limit: core.config.quotas[kind], source: 'default', used };
  return override === null ? { limit: null, source: 'unlimited', used } : { limit: override, source: 'override', used };
}

function quotaOf(core: Core, project: string, overrides: Overrides, use: QuotaUse): ProjectQuota {
  return {
    project,
    nodes: lineOf(core, overrides, 'nodes', use.nodes),
    networks: lineOf(core, overrides, 'networks', use.networks),
    headnodes: lineOf(core, overrides, 'headnodes', use.headnodes),
  };
}

/** What a project holds of a kind, as a refusal says it. */
function holding(kind: QuotaKind, n: number): string {
  const s = n === 1 ? '' : 's';
  if (kind === 'nodes') return `holds ${n} node${s}`;
  if (kind === 'networks') return `owns ${n} network${s} with a VLAN from the pool`;
  return `has ${n} headnode${s}`;
}

/**
 * Refuse (409 QuotaExceededError, a BlockedError) one more `kind` for the project when it already holds
 * its limit or more. Call it inside the transaction that adds the one more, after every other check.
 */
export function enforceQuota(core: Core, project: ProjectRow, kind: QuotaKind): void {
  const line = lineOf(core, quotaOverrides(core.inv, project.id), kind, 0);
  if (line.limit === null) return;
  const used = quotaUse(core.inv, project.id)[kind];
  if (used >= line.limit) throw new QuotaExceededError(project.label, kind, line.limit, used, holding(kind, used));
}

/** A project's limits, where each comes from, and its use (project access). */
export function showProjectQuota(core: Core, p: Principal, project: string): ProjectQuota {
  const proj = mustProject(core.inv, project);
  requireProjectAccess(p, proj.id);
  return quotaOf(core, proj.label, quotaOverrides(core.inv, proj.id), quotaUse(core.inv, proj.id));
}

/** Change some of a project's limits (admin); kinds not named keep theirs. Returns the quota as it now is. */
export function setProjectQuota(core: Core, p: Principal, project: string, changes: QuotaChanges): ProjectQuota {
  requireAdmin(p);
  return core.inv.tx(() => {
    const proj = mustProject(core.inv, project);
    for (const kind of QUOTA_KINDS) {
      const change = changes[kind];
      if (change === undefined) continue;
      if (change === 'default') clearQuotaOverride(core.inv, proj.id, kind);
      else setQuotaOverride(core.inv, proj.id, kind, change === 'unlimited' ? null : change);
    }
    return quotaOf(core, proj.label, quotaOverrides(core.inv, proj.id), quotaUse(core.inv, proj.id));
  });
}

/** Every project's quota, sorted by project (admin). */
export function listQuotas(core: Core, p: Principal): ProjectQuota[] {
  requireAdmin(p);
  const overrides = new Map<number, Overrides>();
  for (const o of allQuotaOverrides(core.inv)) overrides.set(o.project_id, { ...overrides.get(o.project_id), [o.kind]: o.allowed });
  return allQuotaUse(core.inv).map((u) => quotaOf(core, u.project, overrides.get(u.project_id) ?? {}, u));
}
