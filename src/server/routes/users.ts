// Routes of SPEC.md 3.6 (users of the database auth backend; admin only),
// and haas's own account routes (whoami, set password), served under any
// auth backend.
import * as users from '../../core/users.js';
import { body, NO_BODY } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Router } from '../router.js';

/** Mount the user and membership routes on the router. */
export function userRoutes(r: Router): void {
  r.on('GET', '/auth/basic/users', NO_BODY, ({ core, p }) => json(users.listUsers(core, p)));
  r.on('PUT', '/auth/basic/user/:user', body({ password: 'string' }, { is_admin: 'boolean' }),
    ({ core, p, params, body: b }) => users.apiCreateUser(core, p, checkLabel('user', params.user!), b.password, b.is_admin ?? false));
  r.on('DELETE', '/auth/basic/user/:user', NO_BODY, ({ core, p, params }) => users.deleteUser(core, p, params.user!));
  r.on('PATCH', '/auth/basic/user/:user', body({ is_admin: 'boolean' }),
    ({ core, p, params, body: b }) => users.setAdmin(core, p, params.user!, b.is_admin));
  r.on('POST', '/auth/basic/user/:user/add_project', body({ project: 'string' }),
    ({ core, p, params, body: b }) => users.addProject(core, p, params.user!, b.project));
  r.on('POST', '/auth/basic/user/:user/remove_project', body({ project: 'string' }),
    ({ core, p, params, body: b }) => users.removeProject(core, p, params.user!, b.project));
}

/** haas's extensions: the caller's own account. */
export function accountRoutes(r: Router): void {
  r.on('GET', '/whoami', NO_BODY, ({ core, p }) => json(users.whoami(core, p)));
  r.on('PUT', '/user/:user/password', body({ password: 'string' }),
    ({ core, p, params, body: b }) => users.setPassword(core, p, params.user!, b.password));
}
