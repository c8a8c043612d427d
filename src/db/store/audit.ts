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

/** Failed logins of one (user, source, status) in one window, folded into one entry. */
export interface FailedLoginCount {
  /** The window's start (the entry's time: all of its failures happened at or after it). */
  window: string;
  user: string;
  source: string;
  status: number;
  errorType: string;
  count: number;
  /** The last failure's time. */
  lastTime: string;
}

/** Add failures to their window's entry (operation "login", outcome refused), creating it if needed: one statement. */
export function addFailedLogins(inv: Inventory, f: FailedLoginCount): void {
  inv.run(
    `INSERT INTO audit (time, last_time, count, actor, source, operation, outcome, status, error_type)
     VALUES (?, ?, ?, ?, ?, 'login', 'refused', ?, ?)
     ON CONFLICT (actor, source, status, time) WHERE operation = 'login'
     DO UPDATE SET count = count + excluded.count, last_time = max(last_time, excluded.last_time)`,
    f.window, f.lastTime, f.count, f.user, f.source, f.status, f.errorType);
}

/** What an audit entry names, to find the projects it concerns. */
export interface AuditTargets {
  projects?: readonly string[];
  node?: string | null;
  network?: string | null;
  headnode?: string | null;
  /** A switch port: the node whose nic is cabled to it. */
  switch?: string | null;
  port?: string | null;
}

/** The labels of the projects the targets belong to now: named projects that exist, the node's, the network's owner and access list, the headnode's, the port's node's. */
export function projectsOfTargets(inv: Inventory, t: AuditTargets): string[] {
  const out = new Set<string>();
  for (const p of t.projects ?? []) {
    if (inv.get('SELECT 1 FROM project WHERE label = ?', p)) out.add(p);
  }
  const add = (labels: string[]) => { for (const l of labels) out.add(l); };
  if (t.node) add(inv.column<string>('SELECT p.label FROM node n JOIN project p ON p.id = n.project_id WHERE n.label = ?', t.node));
  if (t.network) {
    add(inv.column<string>(
      `SELECT p.label FROM network n JOIN project p ON p.id = n.owner_id WHERE n.label = ?
       UNION SELECT p.label FROM network n JOIN network_access a ON a.network_id = n.id JOIN project p ON p.id = a.project_id WHERE n.label = ?`,
      t.network, t.network));
  }
  if (t.headnode) add(inv.column<string>('SELECT p.label FROM headnode h JOIN project p ON p.id = h.project_id WHERE h.label = ?', t.headnode));
  if (t.switch && t.port) {
    add(inv.column<string>(
      `SELECT p.label FROM switch s JOIN port ON port.switch_id = s.id JOIN nic ON nic.port_id = port.id
         JOIN node n ON n.id = nic.node_id JOIN project p ON p.id = n.project_id WHERE s.label = ? AND port.label = ?`,
      t.switch, t.port));
  }
  return [...out];
}

/** An entry as GET /audit shows it (detail parsed by core). */
export interface AuditRow {
  id: number;
  time: string;
  last_time: string;
  count: number;
  actor: string | null;
  source: string;
  operation: string;
  outcome: AuditOutcome;
  status: number | null;
  error_type: string | null;
  node: string | null;
  network: string | null;
  detail: string | null;
  /** JSON array of the labels of the entry's projects, sorted. */
  projects: string;
}

/** Which entries to list: every field narrows; `visibleTo` (project labels) keeps only entries of those projects. */
export interface AuditFilter {
  since?: string;
  until?: string;
  actor?: string;
  project?: string;
  node?: string;
  network?: string;
  operation?: string;
  outcome?: string;
  /** Only entries with an id below this one (the next page). */
  before?: number;
  visibleTo?: readonly string[];
  limit: number;
}

/** Entries matching the filter, newest first (by id), at most `limit`. */
export function auditEntries(inv: Inventory, f: AuditFilter): AuditRow[] {
  const where: string[] = [];
  const args: Array<string | number> = [];
  const add = (sql: string, ...values: Array<string | number>) => { where.push(sql); args.push(...values); };
  if (f.since !== undefined) add('a.last_time >= ?', f.since);
  if (f.until !== undefined) add('a.time < ?', f.until);
  if (f.actor !== undefined) add('a.actor = ?', f.actor);
  if (f.node !== undefined) add('a.node = ?', f.node);
  if (f.network !== undefined) add('a.network = ?', f.network);
  if (f.operation !== undefined) add('a.operation = ?', f.operation);
  if (f.outcome !== undefined) add('a.outcome = ?', f.outcome);
  if (f.before !== undefined) add('a.id < ?', f.before);
  if (f.project !== undefined) add('EXISTS (SELECT 1 FROM audit_project ap WHERE ap.audit_id = a.id AND ap.project = ?)', f.project);
  if (f.visibleTo !== undefined) {
    add(`EXISTS (SELECT 1 FROM audit_project ap WHERE ap.audit_id = a.id AND ap.project IN (SELECT value FROM json_each(?)))`,
      JSON.stringify(f.visibleTo));
  }
  const sql = `SELECT a.id, a.time, a.last_time, a.count, a.actor, a.source, a.operation, a.outcome, a.status, a.error_type,
                      a.node, a.network, a.detail,
                      (SELECT json_group_array(project) FROM (SELECT project FROM audit_project WHERE audit_id = a.id ORDER BY project)) AS projects
                 FROM audit a ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY a.id DESC LIMIT ?`;
  return inv.all<AuditRow>(sql, ...args, f.limit);
}

/** Delete up to `batch` entries last touched before `cutoff` (oldest first); returns how many went. */
export function pruneAudit(inv: Inventory, cutoff: string, batch: number): number {
  return inv.run(
    'DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time < ? AND last_time < ? ORDER BY time LIMIT ?)',
    cutoff, cutoff, batch).changes;
}

/** The networking action as its audit entry names it: who queued it, what, on which node, nic and network, and the projects concerned. */
export interface ActionAuditRow {
  uuid: string;
  type: string;
  channel: string;
  actor: string | null;
  node: string;
  nic: string;
  /** The network it puts on the nic, or the one it takes off (null: revert_port, or gone). */
  network: string | null;
}

/** The audit view of an action, read before it changes the attachments. */
export function actionForAudit(inv: Inventory, actionId: number): ActionAuditRow | undefined {
  return inv.get<ActionAuditRow>(
    `SELECT a.uuid, a.type, a.channel, a.actor, node.label AS node, nic.label AS nic,
            COALESCE(a.new_network_label,
              (SELECT net.label FROM attachment t JOIN network net ON net.id = t.network_id WHERE t.nic_id = a.nic_id AND t.channel = a.channel)) AS network
       FROM networking_action a JOIN nic ON nic.id = a.nic_id JOIN node ON node.id = nic.node_id
      WHERE a.id = ?`, actionId);
}

/** Whether an entry of this operation with exactly this detail (JSON text) exists. */
export function hasAuditEntry(inv: Inventory, operation: string, detail: string): boolean {
  return inv.get('SELECT 1 FROM audit WHERE operation = ? AND detail = ?', operation, detail) !== undefined;
}
