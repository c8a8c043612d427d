// Store: the dashboard's sign-in sessions (table ui_session), by the hash of
// their id. What a session's times mean (idle, lifetime) is core's business
// (src/core/sessions.ts); here a session is a row.
import type { Inventory } from '../inventory.js';

/** A stored session: its id's hash, its user, and its times (ISO text). */
export interface SessionRow {
  id_hash: string;
  user_id: number;
  password_tag: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
}

/** A session with its user as it is now (label, admin flag and password hash). */
export interface SessionWithUser extends SessionRow {
  user: string;
  is_admin: boolean;
  password_hash: string;
}

/** Record a new session. */
export function addSession(inv: Inventory, row: SessionRow): void {
  inv.run(`INSERT INTO ui_session (id_hash, user_id, password_tag, created_at, last_seen_at, expires_at)
    VALUES (?, ?, ?, ?, ?, ?)`, row.id_hash, row.user_id, row.password_tag, row.created_at, row.last_seen_at, row.expires_at);
}

/** The session with this id hash and its user, or undefined. */
export function sessionByHash(inv: Inventory, idHash: string): SessionWithUser | undefined {
  const row = inv.get<Omit<SessionWithUser, 'is_admin'> & { is_admin: number }>(
    `SELECT s.id_hash, s.user_id, s.password_tag, s.created_at, s.last_seen_at, s.expires_at,
            u.label AS user, u.is_admin, u.password_hash
       FROM ui_session s JOIN user u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash);
  return row && { ...row, is_admin: row.is_admin === 1 };
}

/** Note when the session was last used. */
export function touchSession(inv: Inventory, idHash: string, lastSeenAt: string): void {
  inv.run('UPDATE ui_session SET last_seen_at = ? WHERE id_hash = ?', lastSeenAt, idHash);
}

/** Delete one session; true if it existed. */
export function deleteSession(inv: Inventory, idHash: string): boolean {
  return inv.run('DELETE FROM ui_session WHERE id_hash = ?', idHash).changes > 0;
}

/** Delete every session of a user; returns how many there were. */
export function deleteSessionsOfUser(inv: Inventory, userId: number): number {
  return inv.run('DELETE FROM ui_session WHERE user_id = ?', userId).changes;
}

/** Delete the sessions that ended: past their absolute end, or unused since `idleBefore` (ISO text). */
export function deleteEndedSessions(inv: Inventory, now: string, idleBefore: string): number {
  return inv.run('DELETE FROM ui_session WHERE expires_at <= ? OR last_seen_at <= ?', now, idleBefore).changes;
}
