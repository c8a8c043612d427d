// Store: users of the database auth backend and their project memberships.
import type { Inventory } from '../inventory.js';

/** A user row (password_hash as src/core/passwords.ts makes it). */
export interface UserRow { id: number; label: string; password_hash: string; is_admin: boolean }

/** How a user is stored: SQLite has no booleans. */
type StoredUser = Omit<UserRow, 'is_admin'> & { is_admin: number };
const userOf = (r: StoredUser | undefined): UserRow | undefined => r && { ...r, is_admin: r.is_admin === 1 };

/** The user named `label`, or undefined. */
export function userByLabel(inv: Inventory, label: string): UserRow | undefined {
  return userOf(inv.get<StoredUser>('SELECT * FROM user WHERE label = ?', label));
}

/** The user with id `id`, or undefined. */
export function userById(inv: Inventory, id: number): UserRow | undefined {
  return userOf(inv.get<StoredUser>('SELECT * FROM user WHERE id = ?', id));
}

/** Whether any user exists. */
export function hasUsers(inv: Inventory): boolean {
  return inv.get('SELECT 1 FROM user LIMIT 1') !== undefined;
}

/** A user as listed: id, label and admin flag. */
export interface UserSummary { id: number; label: string; is_admin: boolean }

/** All users, sorted by label. */
export function allUsers(inv: Inventory): UserSummary[] {
  return inv.all<Omit<UserSummary, 'is_admin'> & { is_admin: number }>('SELECT id, label, is_admin FROM user ORDER BY label')
    .map((u) => ({ ...u, is_admin: u.is_admin === 1 }));
}

/** How many users are admins. */
export function adminCount(inv: Inventory): number {
  return inv.column<number>('SELECT count(*) FROM user WHERE is_admin = 1')[0] ?? 0;
}

/** Add a user; returns its id. */
export function addUser(inv: Inventory, label: string, passwordHash: string, isAdmin: boolean): number {
  return Number(inv.run('INSERT INTO user (label, password_hash, is_admin) VALUES (?, ?, ?)', label, passwordHash, isAdmin ? 1 : 0).lastInsertRowid);
}

/** Delete the user and its memberships. */
export function deleteUser(inv: Inventory, userId: number): void {
  inv.run('DELETE FROM user WHERE id = ?', userId);
}

/** Grant or remove the user's admin rights. */
export function setUserAdmin(inv: Inventory, userId: number, isAdmin: boolean): void {
  inv.run('UPDATE user SET is_admin = ? WHERE id = ?', isAdmin ? 1 : 0, userId);
}

/** Replace the user's password hash. */
export function setUserPassword(inv: Inventory, userId: number, passwordHash: string): void {
  inv.run('UPDATE user SET password_hash = ? WHERE id = ?', passwordHash, userId);
}

/** Labels of the user's projects, sorted. */
export function projectsOfUser(inv: Inventory, userId: number): string[] {
  return inv.column<string>('SELECT p.label FROM project p JOIN user_project up ON up.project_id = p.id WHERE up.user_id = ? ORDER BY p.label', userId);
}

/** Ids of the user's projects (unordered). */
export function projectIdsOfUser(inv: Inventory, userId: number): number[] {
  return inv.column<number>('SELECT project_id FROM user_project WHERE user_id = ?', userId);
}

/** Whether the user is a member of the project. */
export function isMember(inv: Inventory, userId: number, projectId: number): boolean {
  return inv.get('SELECT 1 FROM user_project WHERE user_id = ? AND project_id = ?', userId, projectId) !== undefined;
}

/** Make the user a member of the project (the primary key refuses a second membership). */
export function addMember(inv: Inventory, userId: number, projectId: number): void {
  inv.run('INSERT INTO user_project (user_id, project_id) VALUES (?, ?)', userId, projectId);
}

/** End the user's membership of the project; false when there was none. */
export function removeMember(inv: Inventory, userId: number, projectId: number): boolean {
  return inv.run('DELETE FROM user_project WHERE user_id = ? AND project_id = ?', userId, projectId).changes > 0;
}
