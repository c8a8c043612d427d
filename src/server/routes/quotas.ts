// haas's extension routes for projects' quotas: a project's limits and use
// (members and admins), an admin's overrides, and every project's at once.
import * as quotas from '../../core/quotas.js';
import { ValidationError } from '../../errors.js';
import { body, NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

const QUOTA_BODY = body({}, { nodes: 'any', networks: 'any', headnodes: 'any' });

/** A body field as a change: a count, "unlimited", or null for the config's default. */
function quotaChange(kind: string, value: unknown): quotas.QuotaChange | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'default';
  if (value === 'unlimited') return 'unlimited';
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new ValidationError(`Field "${kind}" must be a non-negative integer, "unlimited", or null (the default).`);
}

/** Mount the quota routes on the router. */
export function quotaRoutes(r: Router): void {
  r.on('GET', '/project/:project/quota', NO_BODY, ({ core, p, params }) => json(quotas.showProjectQuota(core, p, params.project!)));
  r.on('PUT', '/project/:project/quota', QUOTA_BODY, ({ core, p, params, body: b }) => json(quotas.setProjectQuota(core, p, params.project!, {
    nodes: quotaChange('nodes', b.nodes), networks: quotaChange('networks', b.networks), headnodes: quotaChange('headnodes', b.headnodes),
  })));
  r.on('GET', '/quotas', NO_BODY, ({ core, p }) => json(quotas.listQuotas(core, p)));
}
