// HIL's authorization rules, called explicitly at the top of every operation.
import { AuthorizationError } from '../errors.js';
import type { Principal } from './context.js';

/** Throws unless the caller is an admin. */
export function requireAdmin(p: Principal): void {
  if (!p.admin) throw new AuthorizationError('This operation requires administrative access.');
}

/** Throws unless the caller is an admin or the user named (own account). */
export function requireSelfOrAdmin(p: Principal, user: string): void {
  if (!p.admin && p.user !== user) throw new AuthorizationError('This operation requires administrative access or being that user.');
}

/** Admin, or a member of the project. A null project (free node) means admin only. */
export function haveProjectAccess(p: Principal, projectId: number | null): boolean {
  return p.admin || (projectId !== null && p.projectIds.has(projectId));
}

/** Throws unless haveProjectAccess (HIL's require_project_access). */
export function requireProjectAccess(p: Principal, projectId: number | null): void {
  if (!haveProjectAccess(p, projectId)) throw new AuthorizationError('You do not have access to the required project.');
}
