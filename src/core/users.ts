// Users of the database auth backend (admin only).
import { DuplicateError, IllegalStateError, NotFoundError } from '../errors.js';
import { requireAdmin } from './authz.js';
import type { Core, Principal } from './context.js';
import { assertAbsent, findUser, mustProject, mustUser } from './lookup.js';
import { hashPassword } from './passwords.js';

/** {user: {is_admin, projects (sorted)}} (admin). */
export function listUsers(core: Core, p: Principal): Record<string, { is_admin: boolean; projects: string[] }> {
  requireAdmin(p);
  // fromEntries: a user named "__proto__" is a key like any other.
  return Object.fromEntries(core.inv.all<{ id: number; label: string; is_admin: number }>('SELECT id, label, is_admin FROM user ORDER BY label')
    .map((u) => [u.label, {
      is_admin: u.is_admin === 1,
      projects: core.inv.column<string>(
        'SELECT p.label FROM project p JOIN user_project up ON up.project_id = p.id WHERE up.user_id = ? ORDER BY p.label', u.id),
    }]));
}

/** Create a user with a hashed password (admin). Also used offline by `haas admin create-user`. */
export function createUser(core: Pick<Core, 'inv'>, label: string, password: string, isAdmin: boolean): void {
  const hash = hashPassword(password);
  core.inv.tx(() => {
    assertAbsent(findUser(core.inv, label), 'user', label);
    core.inv.run('INSERT INTO user (label, password_hash, is_admin) VALUES (?, ?, ?)', label, hash, isAdmin ? 1 : 0);
  });
}

export function apiCreateUser(core: Core, p: Principal, label: string, password: string, isAdmin: boolean): void {
  requireAdmin(p);
  createUser(core, label, password, isAdmin);
}

export function deleteUser(core: Core, p: Principal, label: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    core.inv.run('DELETE FROM user WHERE id = ?', u.id);
  });
  core.usersChanged();
}

export function setAdmin(core: Core, p: Principal, label: string, isAdmin: boolean): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    if (p.user === u.label) throw new IllegalStateError('You cannot change your own admin status.');
    core.inv.run('UPDATE user SET is_admin = ? WHERE id = ?', isAdmin ? 1 : 0, u.id);
  });
  core.usersChanged();
}

export function addProject(core: Core, p: Principal, label: string, project: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    const proj = mustProject(core.inv, project);
    if (core.inv.get('SELECT 1 FROM user_project WHERE user_id = ? AND project_id = ?', u.id, proj.id)) {
      throw new DuplicateError(`user "${label}" is already in project "${project}"`);
    }
    core.inv.run('INSERT INTO user_project (user_id, project_id) VALUES (?, ?)', u.id, proj.id);
  });
  core.usersChanged();
}

export function removeProject(core: Core, p: Principal, label: string, project: string): void {
  requireAdmin(p);
  core.inv.tx(() => {
    const u = mustUser(core.inv, label);
    const proj = mustProject(core.inv, project);
    const r = core.inv.run('DELETE FROM user_project WHERE user_id = ? AND project_id = ?', u.id, proj.id);
    if (r.changes === 0) throw new NotFoundError(`user "${label}" is not in project "${project}"`);
  });
  core.usersChanged();
}
