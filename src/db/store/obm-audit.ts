// Store: the OBM audit trail, as GET /obm_audit shows it: the power and boot-device
// entries of the audit trail (those with detail.result). Labels are copied so
// that entries outlive their node and user.
import type { Inventory } from '../inventory.js';
import { addAuditEntry } from './audit.js';

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

/** Where an OBM operation came from and whom it concerns, for the audit trail. */
export interface ObmAuditContext {
  /** "socket" or the client's address. */
  source: string;
  /** The node's project at the time. */
  projects: readonly string[];
}

/** Append an entry to the trail ("null-auth" is stored as no actor, like every call under the null backend). */
export function addObmAuditEntry(inv: Inventory, entry: Omit<ObmAuditEntry, 'id'>, ctx: ObmAuditContext): void {
  addAuditEntry(inv, {
    time: entry.time, actor: entry.user === 'null-auth' ? null : entry.user, source: ctx.source, operation: entry.operation,
    outcome: entry.result === 'error' ? 'error' : 'ok', status: entry.result === 'error' ? 502 : null,
    errorType: entry.result === 'error' ? 'OBMError' : null, node: entry.node, network: null,
    detail: JSON.stringify({ argument: entry.argument, result: entry.result, message: entry.message }), projects: ctx.projects,
  });
}

const SELECT = `SELECT id, time, COALESCE(actor, 'null-auth') AS user, node, operation, json_extract(detail, '$.argument') AS argument,
                       json_extract(detail, '$.result') AS result, json_extract(detail, '$.message') AS message
                  FROM audit
                 WHERE operation IN ('power_on', 'power_off', 'power_cycle', 'boot_device') AND json_extract(detail, '$.result') IS NOT NULL`;

/** The trail, oldest first: all of it, or the entries of one node label. */
export function obmAudit(inv: Inventory, node?: string): ObmAuditEntry[] {
  return node === undefined
    ? inv.all<ObmAuditEntry>(`${SELECT} ORDER BY id`)
    : inv.all<ObmAuditEntry>(`${SELECT} AND node = ? ORDER BY id`, node);
}
