// Store: the audit trail. Labels are copied, so entries outlive their objects.
import type { Inventory } from '../inventory.js';

/** How an audited call or event ended: done, refused by a rule (4xx), or failed (5xx, a device). */
export type AuditOutcome = 'ok' | 'refused' | 'error';

/** A new entry of the trail (see schema.sql, "The audit trail"). */
export interface NewAuditEntry {
  time: string;
  actor: string | null;
  source: string;
  operation: string;
  outcome: AuditOutcome;
  status: number | null;
  errorType: string | null;
  node: string | null;
  network: string | null;
  /** JSON text of the arguments worth keeping (never a secret), or null. */
  detail: string | null;
  /** The projects the entry concerns, as they were at the time. */
  projects: readonly string[];
}

/** Append an entry (and its projects); returns its id. */
export function addAuditEntry(inv: Inventory, e: NewAuditEntry): number {
  const id = Number(inv.run(
    `INSERT INTO audit (time, last_time, actor, source, operation, outcome, status, error_type, node, network, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    e.time, e.time, e.actor, e.source, e.operation, e.outcome, e.status, e.errorType, e.node, e.network, e.detail).lastInsertRowid);
  for (const project of new Set(e.projects)) inv.run('INSERT INTO audit_project (audit_id, project) VALUES (?, ?)', id, project);
  return id;
}
