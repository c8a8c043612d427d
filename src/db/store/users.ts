// Store: users.
import type { Inventory } from '../inventory.js';

/** A user row (is_admin is 0 or 1; password_hash as src/core/passwords.ts makes it). */
export interface UserRow { id: number; label: string; password_hash: string; is_admin: number }

/** The user named `label`, or undefined. */
export function userByLabel(inv: Inventory, label: string): UserRow | undefined {
  return inv.get<UserRow>('SELECT * FROM user WHERE label = ?', label);
}
