// The audit trail: who did what to which objects, from where, when, and how it
// ended. Changes are recorded in the transaction that makes them, so the trail
// and the inventory never disagree; what haas does on its own (lease releases,
// drift repairs) is recorded with no actor and the source "haas".
import type { Inventory } from '../db/inventory.js';
import { addAuditEntry, type AuditOutcome } from '../db/store/audit.js';
import { now } from './context.js';

/** One event for the trail. Never put a secret in `detail`. */
export interface AuditEvent {
  operation: string;
  outcome: AuditOutcome;
  /** The user; null: haas itself, or the null auth backend. */
  actor: string | null;
  /** "socket", the client's address, or "haas". */
  source: string;
  node?: string | null;
  network?: string | null;
  /** The projects the event concerns, as they are now (members of these see it). */
  projects?: readonly string[];
  status?: number | null;
  errorType?: string | null;
  detail?: Readonly<Record<string, string | number | boolean | null>> | null;
}

/** Record an event now; inside the caller's transaction when it runs in one. */
export function recordAudit(inv: Inventory, e: AuditEvent): void {
  addAuditEntry(inv, {
    time: now(), actor: e.actor, source: e.source, operation: e.operation, outcome: e.outcome,
    status: e.status ?? null, errorType: e.errorType ?? null, node: e.node ?? null, network: e.network ?? null,
    detail: e.detail ? JSON.stringify(e.detail) : null, projects: e.projects ?? [],
  });
}

/** Record something haas did on its own (actor null, source "haas"). */
export function recordSystemEvent(inv: Inventory, e: Omit<AuditEvent, 'actor' | 'source'>): void {
  recordAudit(inv, { ...e, actor: null, source: 'haas' });
}
