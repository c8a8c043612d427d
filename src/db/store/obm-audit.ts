// Store: the OBM audit trail. Labels are copied so that entries outlive their node and user.
import type { Inventory } from '../inventory.js';

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

/** Append an entry to the trail. */
export function addObmAuditEntry(inv: Inventory, entry: Omit<ObmAuditEntry, 'id'>): void {
  inv.run('INSERT INTO obm_audit (time, user, node, operation, argument, result, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
    entry.time, entry.user, entry.node, entry.operation, entry.argument, entry.result, entry.message);
}

/** The trail, oldest first: all of it, or the entries of one node label. */
export function obmAudit(inv: Inventory, node?: string): ObmAuditEntry[] {
  return node === undefined
    ? inv.all<ObmAuditEntry>('SELECT id, time, user, node, operation, argument, result, message FROM obm_audit ORDER BY id')
    : inv.all<ObmAuditEntry>('SELECT id, time, user, node, operation, argument, result, message FROM obm_audit WHERE node = ? ORDER BY id', node);
}
