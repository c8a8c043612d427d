// The OBM audit trail: who did which power or boot-device operation on which
// node, when, and how it ended. Labels are copied so that entries outlive
// their node and user.
import { requireAdmin } from './authz.js';
import { now, type Core, type Principal } from './context.js';
import { addObmAuditEntry, obmAudit, type ObmAuditEntry } from '../db/store/obm-audit.js';


/** The name audit entries carry for a caller. */
export function auditUser(p: Principal): string {
  return p.user ?? 'null-auth';
}

/** Record one operation's outcome. */
export function recordObmOperation(core: Core, entry: Omit<ObmAuditEntry, 'id' | 'time'>): void {
  addObmAuditEntry(core.inv, { ...entry, time: now() });
}

/** The audit trail, oldest first, optionally of one node label (admin only). */
export function listObmAudit(core: Core, p: Principal, node?: string): ObmAuditEntry[] {
  requireAdmin(p);
  return obmAudit(core.inv, node);
}
