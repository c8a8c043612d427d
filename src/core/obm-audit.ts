// The OBM audit trail: who did which power or boot-device operation on which
// node, when, and how it ended. Labels are copied so that entries outlive
// their node and user.
import { requireAdmin } from './authz.js';
import { now, type Core, type Principal } from './context.js';

/** The audited operations (the API call names). */
export type AuditedOperation = 'power_on' | 'power_off' | 'power_cycle' | 'boot_device';

/** One audited operation, as the API returns it. */
export interface ObmAuditEntry {
  id: number;
  /** ISO time the operation ended. */
  time: string;
  /** The API user, or "null-auth" under the null auth backend. */
  user: string;
  node: string;
  operation: AuditedOperation;
  /** power_cycle: "force" or null; boot_device: the device. */
  argument: string | null;
  /** ok; error (message says why); redirect (sent to the node's obmd, which did the work). */
  result: 'ok' | 'error' | 'redirect';
  message: string | null;
}

/** The name audit entries carry for a caller. */
export function auditUser(p: Principal): string {
  return p.user ?? 'null-auth';
}

/** Record one operation's outcome. */
export function recordObmOperation(core: Core, entry: Omit<ObmAuditEntry, 'id' | 'time'>): void {
  core.inv.run('INSERT INTO obm_audit (time, user, node, operation, argument, result, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    now(), entry.user, entry.node, entry.operation, entry.argument, entry.result, entry.message);
}

/** The audit trail, oldest first, optionally of one node label (admin only). */
export function listObmAudit(core: Core, p: Principal, node?: string): ObmAuditEntry[] {
  requireAdmin(p);
  const columns = 'id, time, user, node, operation, argument, result, message';
  return node === undefined
    ? core.inv.all<ObmAuditEntry>(`SELECT ${columns} FROM obm_audit ORDER BY id`)
    : core.inv.all<ObmAuditEntry>(`SELECT ${columns} FROM obm_audit WHERE node = ? ORDER BY id`, node);
}
