// haas's extension route for the audit trail: GET /audit with filters and paging.
import { AUDIT_QUERY_KEYS, listAudit } from '../../core/audit.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the audit trail route on the router. */
export function auditRoutes(r: Router): void {
  r.on('GET', '/audit', NO_BODY, ({ core, p, query }) => json(listAudit(core, p, query)), AUDIT_QUERY_KEYS);
}
