// The audit trail: who did what to which objects, from where, when, and how it
// ended. Changes are recorded in the transaction that makes them, so the trail
// and the inventory never disagree; what haas does on its own (lease releases,
// drift repairs) is recorded with no actor and the source "haas".
//
// A state-changing API call runs inside auditedCall (src/server/router.ts does
// it for every write route) and its handler inside the call's `enter`: while
// the handler's synchronous part runs, the call is the inventory's current
// call, and the inventory's transaction hook (installAuditHook) writes its
// entry as the last statement of the first transaction of the call that
// changes a row. JavaScript runs one synchronous part at a time, so no other
// request's transaction can take the entry. A core operation that changes the
// inventory after an await (a device, obmd or maintenance-pool call) captures
// the call first (currentCall) and resumes it for that transaction
// (resumeCall). So an operation made of several transactions (detach_node
// with the maintenance pool, node delete with obmd: a checking transaction,
// an outside call, then the transaction that changes the inventory) is
// recorded with the one that makes its change visible; checking transactions
// change nothing and carry nothing. A call whose change was made nowhere the
// hook could see (no row changed, or an await not resumed) gets its entry in a
// write of its own when it returns: an entry is never lost. (Not an
// AsyncLocalStorage: on Node 20 it slows every promise of every request.)
// The projects of the entry are read in that transaction, before and after the
// change: the node's project when it is put on a network, a deleted network's
// owner and access projects.
import type { Inventory } from '../db/inventory.js';
import {
  addAuditEntry, addFailedLogins, auditEntries, hasAuditEntry, projectsOfTargets, pruneAudit,
  type AuditOutcome, type AuditRow, type AuditTargets, type FailedLoginCount,
} from '../db/store/audit.js';
import { projectById } from '../db/store/projects.js';
import { ValidationError } from '../errors.js';
import { now, type Core, type Principal } from './context.js';

/** A value an audit entry's detail may hold. */
export type DetailValue = string | number | boolean | null;

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
  detail?: Readonly<Record<string, DetailValue>> | null;
}

/** Record an event now; inside the caller's transaction when it runs in one. */
export function recordAudit(inv: Inventory, e: AuditEvent): void {
  addAuditEntry(inv, {
    time: now(), actor: e.actor, source: e.source, operation: e.operation, outcome: e.outcome,
    status: e.status ?? null, errorType: e.errorType ?? null, node: e.node ?? null, network: e.network ?? null,
    detail: e.detail && Object.keys(e.detail).length > 0 ? JSON.stringify(e.detail) : null, projects: e.projects ?? [],
  });
}

/** Record something haas did on its own (actor null, source "haas"). */
export function recordSystemEvent(inv: Inventory, e: Omit<AuditEvent, 'actor' | 'source'>): void {
  recordAudit(inv, { ...e, actor: null, source: 'haas' });
}

/** Record a restore of the database (`haas admin restore`), once per restore, in the restored database. */
export function recordRestore(inv: Inventory, marker: string): void {
  const detail = { restored: marker };
  inv.tx(() => {
    if (!hasAuditEntry(inv, 'restore', JSON.stringify(detail))) recordSystemEvent(inv, { operation: 'restore', outcome: 'ok', detail });
  });
}

/** The source as the trail names it: "socket" for the unix socket, else the client's address. */
export function auditSource(source: string): string {
  return source === 'the unix socket' ? 'socket' : source;
}

/** A state-changing API call under way: what its entry will say. */
export interface CallEntry {
  operation: string;
  actor: string | null;
  source: string;
  /** Objects named by the call (project labels in `projects`), for the entry's columns and its projects. */
  targets: AuditTargets;
  detail: Record<string, DetailValue>;
}

interface Pending extends CallEntry {
  /** Written (ok) or given up (the call ended): nothing more is recorded from this call's transactions. */
  done: boolean;
}

/** A call captured before an await, to resume it for a transaction after it (see resumeCall). */
export type CallHandle = Pending;

/** Per inventory: the call whose synchronous part is running, or null. */
interface CallState { current: Pending | null }
const states = new WeakMap<Inventory, CallState>();

function stateOf(inv: Inventory): CallState {
  let s = states.get(inv);
  if (!s) { s = { current: null }; states.set(inv, s); }
  return s;
}

function within<T>(inv: Inventory, p: Pending | null, fn: () => T): T {
  const state = stateOf(inv);
  const before = state.current;
  state.current = p;
  try { return fn(); } finally { state.current = before; }
}

function entryOf(p: CallEntry, outcome: AuditOutcome, projects: Iterable<string>, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    operation: p.operation, outcome, actor: p.actor, source: p.source,
    node: p.targets.node ?? null, network: p.targets.network ?? null,
    projects: [...new Set(projects)], detail: p.detail, ...extra,
  };
}

/** Install the inventory hook that writes a call's entry into the call's first changing transaction (outside a call: one property read). */
export function installAuditHook(inv: Inventory): void {
  const state = stateOf(inv);
  inv.txBody = <T>(fn: () => T): T => {
    const p = state.current;
    if (!p || p.done) return fn();
    const before = projectsOfTargets(inv, p.targets);
    const changes = inv.changeCount();
    const result = fn();
    if (inv.changeCount() !== changes) {
      p.done = true;
      recordAudit(inv, entryOf(p, 'ok', [...before, ...projectsOfTargets(inv, p.targets)]));
    }
    return result;
  };
}

/** How a call that threw was answered: its status and error type (null: it cannot be recorded, e.g. a storage failure). */
export type FailedAnswer = { status: number; type: string } | null;

/** Runs a call's handler with the call current during its synchronous part. */
export type EnterCall = <R>(handler: () => R) => R;

/**
 * Run a state-changing call with its audit entry: `fn` reads the request and runs the handler
 * through `enter`. A change is recorded in its transaction (see the top of this file); a call that
 * changed no row the hook saw, in its own write; a refused (4xx) or failed (5xx) call, in its own
 * write after the answer is known (`answerOf` maps the thrown value). A storage failure (503) is not
 * recorded: the disk is what failed.
 */
export async function auditedCall<T>(inv: Inventory, log: { error(m: string): void }, entry: CallEntry,
  answerOf: (e: unknown) => FailedAnswer, fn: (enter: EnterCall) => Promise<T>): Promise<T> {
  const p: Pending = { ...entry, done: false };
  let result: T;
  try {
    result = await fn((handler) => within(inv, p, handler));
  } catch (e) {
    p.done = true;
    const answer = answerOf(e);
    if (answer) {
      // A change recorded already and then a failure: both are true, both are kept.
      const outcome: AuditOutcome = answer.status < 500 ? 'refused' : 'error';
      ownWrite(inv, log, () => entryOf(p, outcome, projectsOfTargets(inv, p.targets), { status: answer.status, errorType: answer.type }));
    }
    throw e;
  }
  if (!p.done) {
    p.done = true;
    ownWrite(inv, log, () => entryOf(p, 'ok', projectsOfTargets(inv, p.targets)));
  }
  return result;
}

/** The call running now (call it before the first await of an operation that writes after one), or null. */
export function currentCall(inv: Inventory): CallHandle | null {
  return stateOf(inv).current;
}

/** Run fn (a transaction after an await) as part of a call captured by currentCall. */
export function resumeCall<T>(inv: Inventory, call: CallHandle | null, fn: () => T): T {
  return within(inv, call, fn);
}

/** The call's entry is written by the caller (the OBM audit): the call records nothing more. Returns what the entry would say. */
export function claimCallEntry(call: CallHandle | null): CallEntry | null {
  if (!call || call.done) return null;
  call.done = true;
  return call;
}

/** Run fn outside any call (work a call only starts: the networking worker, drift checks). */
export function outsideCall<T>(inv: Inventory, fn: () => T): T {
  return within(inv, null, fn);
}

function ownWrite(inv: Inventory, log: { error(m: string): void }, event: () => AuditEvent): void {
  try {
    inv.tx(() => recordAudit(inv, event()));
  } catch (e) {
    log.error(`could not record an audit entry: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// --- Failed logins ----------------------------------------------------------

/** Failed logins are folded per (user, source, status) per hour. */
const WINDOW_MS = 3600_000;
/** Pending failures are written within this long (one transaction for all). */
const FLUSH_MS = 1000;
/** At most this many (user, source, status) keys wait in memory; more are written at once. */
const MAX_PENDING = 1000;
/** User names are cut to this length in the trail (an attacker chooses them). */
const MAX_USER = 128;

/**
 * Failed logins waiting to be written: a flood costs a map update per failure and one transaction
 * per second, never a write (or an fsync) on the 401 or 429 answer's path.
 */
export class FailedLogins {
  private pending = new Map<string, FailedLoginCount>();
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly inv: Inventory, private readonly log: { error(m: string): void }) {}

  /** Count one failed login of `user` from `source`, answered `status` (401, 429). */
  note(user: string, source: string, status: number, errorType: string): void {
    const t = Date.now();
    const window = new Date(t - (t % WINDOW_MS)).toISOString();
    const name = user.length > MAX_USER ? `${user.slice(0, MAX_USER)}...` : user;
    const src = auditSource(source);
    const key = `${window}\u0000${name}\u0000${src}\u0000${status}`;
    const time = new Date(t).toISOString();
    const f = this.pending.get(key);
    if (f) { f.count++; f.lastTime = time; return; }
    this.pending.set(key, { window, user: name, source: src, status, errorType, count: 1, lastTime: time });
    if (this.pending.size >= MAX_PENDING) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Write what is pending now (before reading the trail, and at shutdown). */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = null; }
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    try {
      outsideCall(this.inv, () => this.inv.tx(() => { for (const f of batch) addFailedLogins(this.inv, f); }));
    } catch (e) {
      this.log.error(`could not record ${batch.length} failed logins in the audit trail: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

const failedLogins = new WeakMap<Inventory, FailedLogins>();

/** The failed-login recorder of an inventory (one per database handle). */
export function failedLoginsOf(inv: Inventory, log: { error(m: string): void }): FailedLogins {
  let f = failedLogins.get(inv);
  if (!f) { f = new FailedLogins(inv, log); failedLogins.set(inv, f); }
  return f;
}

// --- Reading and pruning ----------------------------------------------------

/** An entry as GET /audit answers it. */
export type AuditEntryView = Omit<AuditRow, 'projects' | 'detail'> & { projects: string[]; detail: Record<string, DetailValue> };

/** GET /audit's query parameters. */
export const AUDIT_QUERY_KEYS = ['since', 'until', 'actor', 'project', 'node', 'network', 'operation', 'outcome', 'limit', 'before'];
/** Entries per page unless `limit` says otherwise, and the most a page holds. */
export const AUDIT_PAGE = { default: 100, max: 1000 };

function time(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new ValidationError(`Query parameter "${name}" must be a time (ISO 8601), not "${v}".`);
  return new Date(ms).toISOString();
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(v)) throw new ValidationError(`Query parameter "${name}" must be a positive whole number, not "${v}".`);
  return Number(v);
}

/**
 * The trail, newest first, one page: admins see every entry; anyone else the entries of the projects
 * they belong to now (an entry's projects are those of the time of the event; failed logins have none).
 * `next_before`: pass it as `before` for the next page (null: no more).
 */
export function listAudit(core: Core, p: Principal, q: Record<string, string>): { entries: AuditEntryView[]; next_before: number | null } {
  failedLoginsOf(core.inv, core.log).flush();
  const outcome = q.outcome;
  if (outcome !== undefined && !['ok', 'refused', 'error'].includes(outcome)) {
    throw new ValidationError(`Query parameter "outcome" must be ok, refused or error, not "${outcome}".`);
  }
  const limit = Math.min(positive('limit', q.limit) ?? AUDIT_PAGE.default, AUDIT_PAGE.max);
  const visibleTo = p.admin ? undefined
    : [...p.projectIds].map((id) => projectById(core.inv, id)?.label).filter((l): l is string => l !== undefined);
  const rows = auditEntries(core.inv, {
    since: time('since', q.since), until: time('until', q.until), actor: q.actor, project: q.project, node: q.node,
    network: q.network, operation: q.operation, outcome, before: positive('before', q.before), visibleTo, limit,
  });
  return { entries: rows.map(view), next_before: rows.length === limit ? rows[rows.length - 1]!.id : null };
}

function view(r: AuditRow): AuditEntryView {
  const { projects, detail, ...rest } = r;
  return { ...rest, projects: JSON.parse(projects) as string[], detail: detail ? JSON.parse(detail) as Record<string, DetailValue> : {} };
}

/** Delete entries older than `retentionMs`, `batch` at a time; returns how many went in this batch (call again while it is `batch`). */
export function pruneAuditBatch(inv: Inventory, retentionMs: number, batch: number): number {
  return inv.tx(() => pruneAudit(inv, new Date(Date.now() - retentionMs).toISOString(), batch));
}
