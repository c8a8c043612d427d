// A user's own account (haas's extensions: GET /v0/whoami, PUT /v0/user/<u>/password),
// the last admin that cannot be removed (SPEC 3.9), user names that Object.prototype
// also has, and the 401 of a database that has no users yet.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './lib/daemon.js';
import {
  session, label, expectError, expectEmptyOk, expectStatus, createProject, createUser, addUserToProject, type Session,
} from './lib/fixtures.js';
import { openInventory } from '../src/db/inventory.js';
import { createUser as createUserOffline, setAdmin } from '../src/core/users.js';
import type { Core } from '../src/core/context.js';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

/** The JSON text of `obj` with one more own key (a literal cannot give JSON.stringify an own "__proto__"). */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): string {
  const text = JSON.stringify(obj);
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

describe('own accounts under database auth', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const rootCreds = { username: 'root', password: 'root-pw' };
  let root: Session;

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [rootCreds] });
    root = session(d, rootCreds);
  });
  after(async () => { await d?.cleanup(); });

  describe('GET /v0/whoami', () => {
    it('tells any authenticated user their name, admin flag and sorted projects, and nothing more', async () => {
      const me = await root.get('/v0/whoami');
      expectStatus(me, 200);
      assert.deepEqual(me.json, { user: 'root', is_admin: true, projects: [] });
      const pz = await createProject(root, label('zz'));
      const pa = await createProject(root, label('aa'));
      const user = await createUser(root, label('u'), { projects: [pz] });
      assert.deepEqual((await session(d, user).get('/v0/whoami')).json, { user: user.username, is_admin: false, projects: [pz] });
      await addUserToProject(root, user.username, pa);
      assert.deepEqual((await session(d, user).get('/v0/whoami')).json, { user: user.username, is_admin: false, projects: [pa, pz] });
      expectStatus(await session(d, user).get('/whoami'), 200, 'without the /v0 prefix');
    });

    it('answers 401 without valid credentials, and 400 to a body or a query', async () => {
      expectError(await d.request('GET', '/v0/whoami'), 401, 'AuthorizationError');
      expectError(await d.request('GET', '/v0/whoami', { auth: { username: 'root', password: 'wrong' } }), 401, 'AuthorizationError');
      expectError(await root.get('/v0/whoami', { rawBody: '{}' }), 400, 'ValidationError');
      expectError(await root.get('/v0/whoami?user=x'), 400, 'ValidationError');
    });
  });

  describe('PUT /v0/user/<u>/password', () => {
    it('lets a user change their own password: the old one stops working at once, the new one works', async () => {
      const user = await createUser(root);
      const me = session(d, user);
      expectStatus(await me.get('/v0/whoami'), 200, 'old password, now cached');
      expectEmptyOk(await me.put(`/v0/user/${user.username}/password`, { password: 'new-secret' }));
      expectError(await me.get('/v0/whoami'), 401, 'AuthorizationError', 'old password');
      const renewed = session(d, { username: user.username, password: 'new-secret' });
      assert.deepEqual((await renewed.get('/v0/whoami')).json, { user: user.username, is_admin: false, projects: [] });
    });

    it('lets an admin set anyone\'s password, and answers 404 for an unknown user', async () => {
      const user = await createUser(root);
      expectStatus(await session(d, user).get('/v0/whoami'), 200);
      expectEmptyOk(await root.put(`/v0/user/${user.username}/password`, { password: 'set-by-root' }));
      expectError(await session(d, user).get('/v0/whoami'), 401, 'AuthorizationError', 'old password');
      expectStatus(await session(d, { username: user.username, password: 'set-by-root' }).get('/v0/whoami'), 200);
      expectError(await root.put(`/v0/user/${label('ghost')}/password`, { password: 'x' }), 404, 'NotFoundError');
    });

    it('refuses a non-admin naming another user, existing or not, with 401, and changes nothing', async () => {
      const user = await createUser(root);
      const other = await createUser(root);
      const me = session(d, user);
      expectError(await me.put(`/v0/user/${other.username}/password`, { password: 'hijack' }), 401, 'AuthorizationError');
      expectError(await me.put(`/v0/user/root/password`, { password: 'hijack' }), 401, 'AuthorizationError');
      expectError(await me.put(`/v0/user/${label('ghost')}/password`, { password: 'hijack' }), 401, 'AuthorizationError');
      expectStatus(await session(d, other).get('/v0/whoami'), 200);
      expectStatus(await root.get('/v0/whoami'), 200);
      expectError(await d.request('PUT', `/v0/user/${user.username}/password`, { body: { password: 'x' } }), 401, 'AuthorizationError', 'anonymous');
    });

    it('validates the body as HIL\'s routes do: 400 ValidationError, and an empty password is 400 BadArgumentError', async () => {
      const user = await createUser(root);
      const me = session(d, user);
      const path = `/v0/user/${user.username}/password`;
      expectError(await me.put(path), 400, 'ValidationError', 'no body');
      expectError(await me.put(path, {}), 400, 'ValidationError', 'no password');
      for (const bad of [1, true, null, ['x'], { p: 'x' }]) expectError(await me.put(path, { password: bad }), 400, 'ValidationError', JSON.stringify(bad));
      expectError(await me.put(path, { password: 'x', is_admin: true }), 400, 'ValidationError', 'unknown key');
      for (const name of PROTOTYPE_NAMES) {
        expectError(await me.put(path, undefined, { rawBody: withKey({ password: 'x' }, name, 1) }), 400, 'ValidationError', name);
      }
      expectError(await me.put(path, undefined, { rawBody: '{"password":' }), 400, 'ValidationError', 'not JSON');
      expectError(await me.put(path, { password: '' }), 400, 'BadArgumentError', 'empty password');
      expectError(await me.post(path, { password: 'x' }), 405, 'MethodNotAllowedError');
      expectStatus(await me.get('/v0/whoami'), 200, 'the password is unchanged');
    });
  });

  describe('user names and body keys that Object.prototype also has', () => {
    it('creates and lists users named like Object.prototype\'s properties', async () => {
      for (const name of PROTOTYPE_NAMES) expectEmptyOk(await root.put(`/v0/auth/basic/user/${name}`, { password: `pw-${name}` }), name);
      const list = await root.get('/v0/auth/basic/users');
      for (const name of PROTOTYPE_NAMES) {
        assert.ok(Object.hasOwn(list.json, name), `${name} listed: ${list.text}`);
        assert.deepEqual(Object.getOwnPropertyDescriptor(list.json, name)?.value, { is_admin: false, projects: [] });
        assert.deepEqual((await session(d, { username: name, password: `pw-${name}` }).get('/v0/whoami')).json,
          { user: name, is_admin: false, projects: [] });
      }
    });

    it('refuses them as unknown keys of user bodies with 400 ValidationError', async () => {
      const p = await createProject(root);
      const user = await createUser(root);
      for (const name of PROTOTYPE_NAMES) {
        const fresh = label('u');
        expectError(await root.put(`/v0/auth/basic/user/${fresh}`, undefined, { rawBody: withKey({ password: 'x' }, name, true) }), 400, 'ValidationError', `user_create + ${name}`);
        expectError(await root.delete(`/v0/auth/basic/user/${fresh}`), 404, 'NotFoundError', 'not created');
        expectError(await root.patch(`/v0/auth/basic/user/${user.username}`, undefined, { rawBody: withKey({ is_admin: true }, name, 1) }), 400, 'ValidationError', `user_set_admin + ${name}`);
        expectError(await root.post(`/v0/auth/basic/user/${user.username}/add_project`, undefined, { rawBody: withKey({ project: p }, name, 1) }), 400, 'ValidationError', `user_add_project + ${name}`);
      }
      assert.deepEqual((await session(d, user).get('/v0/whoami')).json, { user: user.username, is_admin: false, projects: [] });
    });
  });
});

describe('the last admin (database auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const firstCreds = { username: 'first-admin', password: 'first-pw' };

  before(async () => { d = await startDaemon({ auth: 'database', admins: [firstCreds] }); });
  after(async () => { await d?.cleanup(); });

  it('cannot be deleted (409 BlockedError), by itself or after the other admins are gone', async () => {
    const first = session(d, firstCreds);
    const r = await first.delete(`/v0/auth/basic/user/${firstCreds.username}`);
    expectError(r, 409, 'BlockedError');
    assert.match(r.json.msg, /last admin.*make another user admin first/);
    expectStatus(await first.get('/v0/projects'), 200, 'still an admin');

    const second = await createUser(first, 'second-admin', { isAdmin: true });
    const user = await createUser(first, 'plain-user');
    expectEmptyOk(await session(d, second).delete(`/v0/auth/basic/user/${firstCreds.username}`), 'not the last one');
    expectError(await first.get('/v0/projects'), 401, 'AuthorizationError', 'deleted');
    expectError(await session(d, second).delete(`/v0/auth/basic/user/${second.username}`), 409, 'BlockedError');
    expectEmptyOk(await session(d, second).delete(`/v0/auth/basic/user/${user.username}`), 'a plain user');
    assert.deepEqual(Object.keys((await session(d, second).get('/v0/auth/basic/users')).json), [second.username]);
  });

  it('cannot be demoted: on oneself 409 IllegalStateError (HIL); another admin can be', async () => {
    const admins = Object.entries((await d.request('GET', '/v0/auth/basic/users', { auth: { username: 'second-admin', password: 'pw-second-admin' } })).json)
      .filter(([, u]) => (u as { is_admin: boolean }).is_admin);
    assert.equal(admins.length, 1);
    const second = session(d, { username: 'second-admin', password: 'pw-second-admin' });
    expectError(await second.patch('/v0/auth/basic/user/second-admin', { is_admin: false }), 409, 'IllegalStateError');
    const third = await createUser(second, 'third-admin', { isAdmin: true });
    expectEmptyOk(await second.patch(`/v0/auth/basic/user/${third.username}`, { is_admin: false }), 'two admins: one may go');
    expectError(await session(d, third).get('/v0/projects'), 401, 'AuthorizationError', 'demoted');
    expectStatus(await second.get('/v0/projects'), 200);
  });

  it('cannot be demoted by a caller that is not that user either (core)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'haas-users-'));
    const inv = openInventory(join(dir, 'haas.db'));
    try {
      let changed = 0;
      const core = { inv, usersChanged: () => { changed += 1; } } as unknown as Core;
      createUserOffline(core, 'only-admin', 'pw', true);
      // An admin that is not this user: a stale principal, or an admin the daemon knew before it was deleted.
      const other = { user: 'someone-else', admin: true, projectIds: new Set<number>() };
      assert.throws(() => setAdmin(core, other, 'only-admin', false), (e: Error & { type?: string; status?: number }) =>
        e.type === 'BlockedError' && e.status === 409 && /last admin/.test(e.message));
      assert.equal(inv.get<{ is_admin: number }>('SELECT is_admin FROM user WHERE label = ?', 'only-admin')!.is_admin, 1);
      createUserOffline(core, 'second', 'pw', true);
      setAdmin(core, other, 'only-admin', false);
      assert.equal(inv.get<{ is_admin: number }>('SELECT is_admin FROM user WHERE label = ?', 'only-admin')!.is_admin, 0);
      assert.equal(changed, 1, 'credentials dropped after the change');
    } finally {
      inv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a database with no users yet (database auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };

  before(async () => { d = await startDaemon({ auth: 'database' }); });
  after(async () => { await d?.cleanup(); });

  it('says in its 401 how to create the first admin, with or without credentials', async () => {
    for (const auth of [null, { username: 'admin', password: 'admin' }]) {
      const r = await d.request('GET', '/v0/projects', { auth });
      expectError(r, 401, 'AuthorizationError');
      assert.equal(r.json.msg, 'no users exist yet: create the first admin on the server with `haas admin create-user NAME --admin`');
    }
  });

  it('does not say so once a user exists', async () => {
    const other = await startDaemon({ auth: 'database', admins: [{ username: 'a', password: 'b' }] });
    try {
      for (const auth of [null, { username: 'a', password: 'wrong' }, { username: 'nobody', password: 'b' }]) {
        const r = await other.request('GET', '/v0/projects', { auth });
        expectError(r, 401, 'AuthorizationError');
        assert.doesNotMatch(r.json.msg, /create-user|no users/);
      }
    } finally {
      await other.cleanup();
    }
  });
});

describe('own accounts under null auth', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const existing = { username: 'known', password: 'known-pw' };

  before(async () => { d = await startDaemon({ auth: 'null', admins: [existing] }); });
  after(async () => { await d?.cleanup(); });

  it('whoami: nobody in particular, admin, no projects', async () => {
    const r = await d.request('GET', '/v0/whoami');
    expectStatus(r, 200);
    assert.deepEqual(r.json, { user: null, is_admin: true, projects: [] });
  });

  it('sets the password of a user in the database (everyone is admin), 404 for an unknown one', async () => {
    expectEmptyOk(await d.request('PUT', `/v0/user/${existing.username}/password`, { body: { password: 'changed' } }));
    expectError(await d.request('PUT', `/v0/user/${label('ghost')}/password`, { body: { password: 'x' } }), 404, 'NotFoundError');
  });
});
