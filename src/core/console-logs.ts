// Console logs as core uses them: the daemon keeps one log per node while its
// OBM is enabled (src/daemon/console-log.ts). A log belongs to the project that
// held the node when it was written: its members (and admins) read the current
// log; once the node leaves the project only admins read it, as a released log.
import type { Readable } from 'node:stream';
import { BadArgumentError, NotFoundError } from '../errors.js';
import { requireAdmin, requireProjectAccess } from './authz.js';
import type { Core, Principal } from './context.js';
import { mustNode } from './lookup.js';

/** A log of a project that no longer holds the node, kept for admins until `[console] log_retention`. */
export interface ReleasedConsoleLog {
  /** The name to read it by (`?log=`). */
  name: string;
  /** The project that held the node, or null if it was free. */
  project: string | null;
  /** When the node left that project (ISO time). */
  released: string;
  bytes: number;
}

/** What to read of a node's log. */
export interface ConsoleLogQuery {
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs: number | null;
  /** Keep streaming new lines until the reader leaves or the log ends (the node changes project). */
  follow: boolean;
}

/** The daemon's console logs, by node label. */
export interface ConsoleLogs {
  /** The node's current log (empty if nothing was written yet), its lines with their time prefix. */
  current(node: string, q: ConsoleLogQuery): Readable;
  /** The node's released logs, oldest first. */
  released(node: string): ReleasedConsoleLog[];
  /** One released log by name, or null if there is none of that name (never follows). */
  readReleased(node: string, name: string, sinceMs: number | null): Readable | null;
}

/** Parse `since` as an ISO time (or epoch seconds); a bad one is a 400. */
export function parseSince(since: string | undefined): number | null {
  if (since === undefined || since === '') return null;
  const ms = /^[0-9]+(\.[0-9]+)?$/.test(since) ? Number(since) * 1000 : Date.parse(since);
  if (!Number.isFinite(ms)) throw new BadArgumentError(`"since": expected an ISO time such as 2026-01-31T12:00:00Z or epoch seconds, got "${since}"`);
  return ms;
}

/**
 * The node's console log: the current one for its project's members and admins,
 * or (`log` given) a released one for admins only.
 */
export function readNodeConsoleLog(core: Core, p: Principal, label: string, q: ConsoleLogQuery & { log: string | null }): Readable {
  const node = mustNode(core.inv, label);
  if (q.log === null) {
    requireProjectAccess(p, node.project_id);
    return core.consoleLogs.current(node.label, q);
  }
  requireAdmin(p);
  if (q.follow) throw new BadArgumentError('a released console log does not grow: "follow" is only for the current log');
  const stream = core.consoleLogs.readReleased(node.label, q.log, q.sinceMs);
  if (!stream) throw new NotFoundError(`node "${label}" has no released console log "${q.log}"`);
  return stream;
}

/** The node's released console logs (admins). */
export function listReleasedConsoleLogs(core: Core, p: Principal, label: string): ReleasedConsoleLog[] {
  const node = mustNode(core.inv, label);
  requireAdmin(p);
  return core.consoleLogs.released(node.label);
}
