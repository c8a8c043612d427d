// Users of the database auth backend (admin only), and what a user may do
// on their own account (see their name, admin flag and projects; change
// their password).
import { BadArgumentError, BlockedError, DuplicateError, IllegalStateError, NotFoundError } from '../errors.js';
import { requireAdmin, requireSelfOrAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, mustProject, mustUser } from './lookup.js';
import {
  addMember, addUser, adminCount, allUsers, deleteUser as removeUser, isMember, projectsOfUser, removeMember,
  setUserAdmin, setUserPassword, userByLabel, type UserRow,
} from '../db/store/users.js';
import { hashPassword } from './passwords.js';

/** {user: {is_admin, projects (sorted)}} (admin). */
export function listUsers(core: Core, p: Principal): Record<string, { is_admin: boolean; projects: string[] }> {
  requireAdmin(p);
  // fromEntries: a user named "__proto__" is a key like any other.
  return Object.fromEntries(allUsers(core.inv).map((u) => [u.label, { is_admin: u.is_admin, projects: projectsOfUser(core.inv, u.id) }]));
}

/** Create a user with a hashed password (admin). Also used offline by `haas admin create-user`. */
export function createUser(core: Pick<Core, 'inv'>, label: string, password: string, isAdmin: boolean): void {
  const hash = hashPassword(password);
  core.inv.tx(() => {
    assertAbsent(userByLabel(core.inv, label), 'user', label);
    addUser(core.inv, label, hash, isAdmin);
  });
}

/** Create a user (admin): `PUT /auth/basic/user/<user>`. */
export function apiCreateUser(core: Core, p: Principal, label: string, password: string, isAdmin: boolean): void {
  requireAdmin(p);
  createUser(core, label, password, isAdmin);
}

/** 409 if `u` is the only admin left (haas differs from HIL here: a lab is never locked out of its own daemon). */
function refuseLastAdmin(core: Pick<Core, 'inv'>, u: UserRow, what: string): void {
  if (u.is_admin && adminCount(core.inv) <= 1) throw new BlockedError(`cannot ${what} the last admin ("${u.label}"); make another user admin first`);
}

/** Delete a user (admin); never the last admin. */
export function deleteUser(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    refuseLastAdmin(core, u, 'delete');
    removeUser(core.inv, u.id);
  });
  core.usersChanged();
}

/** Grant or remove admin rights (admin); never on oneself (HIL), never removing the last admin's. */
export function setAdmin(core: Core, p: Principal, label: string, isAdmin: boolean): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    if (p.user === u.label) throw new IllegalStateError('You cannot change your own admin status.');
    if (!isAdmin) refuseLastAdmin(core, u, 'demote');
    setUserAdmin(core.inv, u.id, isAdmin);
  });
  core.usersChanged();
}

/** Set a user's password: the user themself or an admin. Cached credentials are dropped, so the old password stops working at once. */
export function setPassword(core: Core, p: Principal, label: string, password: string): void {
  if (password === '') throw new BadArgumentError('The password must not be empty.');
  // Authorized before the lookup: a non-admin learns nothing about other user names (401 either way).
  requireSelfOrAdmin(p, label);
  const hash = hashPassword(password);
  core.inv.tx(() => {
    setUserPassword(core.inv, mustUser(core.inv, label).id, hash);
  });
  core.usersChanged();
}

/** Who the caller is: `GET /v0/whoami` (any authenticated user; under null auth: nobody, admin, no projects). */
export interface WhoAmI { user: string | null; is_admin: boolean; projects: string[] }

/** The caller's name, admin flag and (sorted) projects. */
export function whoami(core: Core, p: Principal): WhoAmI {
  const user = p.user === null ? undefined : userByLabel(core.inv, p.user);
  const projects = user ? projectsOfUser(core.inv, user.id) : [];
  return { user: p.user, is_admin: p.admin, projects };
}

/** Make a user a member of a project (admin); 409 if already one. */
export function addProject(core: Core, p: Principal, label: string, project: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    const proj = mustProject(core.inv, project);
    if (isMember(core.inv, u.id, proj.id)) throw new DuplicateError(`user "${label}" is already in project "${project}"`);
    addMember(core.inv, u.id, proj.id);
  });
  core.usersChanged();
}

/** End a user's membership of a project (admin); 404 if not a member. */
export function removeProject(core: Core, p: Principal, label: string, project: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    const proj = mustProject(core.inv, project);
    if (!removeMember(core.inv, u.id, proj.id)) throw new NotFoundError(`user "${label}" is not in project "${project}"`);
  });
  core.usersChanged();
}
