// The OBM audit trail: who did which power or boot-device operation on which
// node, when, and how it ended; part of the audit trail (src/core/audit.ts),
// shown by GET /obm_audit in its own shape. Labels are copied so that entries
// outlive their node and user.
import { requireAdmin } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { addObmAuditEntry, obmAudit, type ObmAuditEntry } from '../db/store/obm-audit.js';
import { projectsOfTargets } from '../db/store/audit.js';
import { claimCallEntry, type CallHandle } from './audit.js';

/** The name audit entries carry for a caller. */
export function auditUser(p: Principal): string {
  return p.user ?? 'null-auth';
}

/** Record one operation's outcome, as the entry of the API call that asked for it (captured before its await). */
export function recordObmOperation(core: Core, entry: Omit<ObmAuditEntry, 'id' | 'time'>, call: CallHandle | null): void {
  claimCallEntry(call);
  core.inv.tx(() => addObmAuditEntry(core.inv, { ...entry, time: now() },
    { source: call?.source ?? 'haas', projects: projectsOfTargets(core.inv, { node: entry.node }) }));
}

/** The audit trail, oldest first, optionally of one node label (admin only). */
export function listObmAudit(core: Core, p: Principal, node?: string): ObmAuditEntry[] {
  requireAdmin(p);
  return obmAudit(core.inv, node);
}
