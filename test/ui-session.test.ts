// The dashboard's sessions (issue 17, docs/dashboard-api.md) on the built executable: sign-in sets
// an HttpOnly, SameSite=Strict cookie; the cookie authenticates any route with the user's rights;
// a write authenticated by it needs the session's X-CSRF-Token; Basic clients are unaffected; a
// session ends at sign-out, when an admin revokes it, on a password change, when the user is
// deleted and when unused for [ui] session_idle; it survives a restart; logins are audited.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon, startDaemon, type ApiResponse, type Credentials, type RequestOptions } from './lib/daemon.js';
import { createProject, createUser, expectError, expectStatus, label, session } from './lib/fixtures.js';

/** A signed-in browser: the cookie it keeps and the CSRF token the page holds in memory. */
interface Browser { cookie: string; csrf: string }

async function signIn(d: Daemon, who: Credentials, headers: Record<string, string> = {}): Promise<{ r: ApiResponse; browser: Browser }> {
  const r = await d.request('POST', '/v0/session', { body: { username: who.username, password: who.password }, tcp: true, headers });
  expectStatus(r, 200, `sign-in of ${who.username}`);
  const setCookie = r.headers['set-cookie'];
  assert.ok(Array.isArray(setCookie) && setCookie.length === 1, `one Set-Cookie: ${JSON.stringify(setCookie)}`);
  return { r, browser: { cookie: setCookie[0]!.split(';')[0]!, csrf: r.json.csrf_token } };
}

/** A request as the dashboard's script makes it: the cookie, the token on writes if `csrf` says so. */
function asBrowser(d: Daemon, b: Browser, method: string, path: string, opts: RequestOptions & { csrf?: string | null } = {}): Promise<ApiResponse> {
  const headers: Record<string, string> = { cookie: b.cookie, ...opts.headers };
  const token = opts.csrf === undefined ? b.csrf : opts.csrf;
  if (token !== null) headers['x-csrf-token'] = token;
  return d.request(method, path, { ...opts, headers, tcp: true });
}

describe('dashboard sessions', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const root = { username: 'ses-root', password: 'ses-root-pw' };
  let alice: Credentials;
  let project: string;

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [root] });
    project = await createProject(session(d, root));
    alice = await createUser(session(d, root), 'ses-alice', { projects: [project] });
  });
  after(async () => { await d?.cleanup(); });

  it('signs in with a name and password: the cookie is HttpOnly, SameSite=Strict, Path=/ (no Secure over plain HTTP)', async () => {
    const { r, browser } = await signIn(d, alice);
    assert.deepEqual(Object.keys(r.json).sort(), ['auth', 'csrf_token', 'expires_at', 'is_admin', 'user']);
    assert.equal(r.json.auth, 'database');
    assert.equal(r.json.user, alice.username);
    assert.equal(r.json.is_admin, false);
    assert.match(r.json.csrf_token, /^[A-Za-z0-9_-]{40,}$/);
    assert.ok(Date.parse(r.json.expires_at) > Date.now() + 6 * 86_400_000, `a week's lifetime by default: ${r.json.expires_at}`);
    const attrs = (r.headers['set-cookie'] as string[])[0]!.split(';').map((s) => s.trim());
    assert.match(attrs[0]!, /^haas_session=[A-Za-z0-9_-]{40,}$/);
    assert.deepEqual(attrs.slice(1).sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict']);
    assert.notEqual(browser.cookie.split('=')[1], browser.csrf, 'the token is not the session id');
    const who = await asBrowser(d, browser, 'GET', '/v0/session');
    expectStatus(who, 200);
    assert.deepEqual(who.json, r.json);
  });

  it('refuses a wrong password with 401 and no cookie, and a sign-in posted from another site with 403', async () => {
    const r = await d.request('POST', '/v0/session', { body: { username: alice.username, password: 'wrong' }, tcp: true });
    expectError(r, 401, 'AuthorizationError');
    assert.equal(r.headers['set-cookie'], undefined);
    assert.equal(r.headers['www-authenticate'], undefined, 'no Basic challenge: a browser would show its own dialog');
    const foreign = await d.request('POST', '/v0/session', { body: alice, tcp: true, headers: { origin: 'https://evil.example' } });
    expectError(foreign, 403, 'CsrfError');
    const missing = await d.request('POST', '/v0/session', { body: { username: alice.username }, tcp: true });
    expectError(missing, 400, 'ValidationError');
    expectError(await d.request('GET', '/v0/session', { tcp: true }), 401, 'AuthorizationError');
    expectError(await d.request('PUT', '/v0/session', { tcp: true }), 405, 'MethodNotAllowedError');
  });

  it('authenticates any route by the cookie with the user\'s rights', async () => {
    const { browser } = await signIn(d, alice);
    const mine = await asBrowser(d, browser, 'GET', `/v0/project/${project}/nodes`);
    expectStatus(mine, 200);
    expectError(await asBrowser(d, browser, 'GET', '/v0/auth/basic/users'), 401, 'AuthorizationError');
    expectError(await d.request('GET', `/v0/project/${project}/nodes`, { tcp: true, headers: { cookie: 'haas_session=forged-value-000000000000000000000000000000' } }),
      401, 'AuthorizationError');
  });

  it('needs the session\'s X-CSRF-Token on a write authenticated by the cookie: 403 without or with a wrong one', async () => {
    const { browser } = await signIn(d, alice);
    const net = label('ses-net');
    const body = { owner: project, access: project, net_id: '' };
    const without = await asBrowser(d, browser, 'PUT', `/v0/network/${net}`, { body, csrf: null });
    expectError(without, 403, 'CsrfError');
    assert.match(without.json.msg, /X-CSRF-Token/);
    expectError(await asBrowser(d, browser, 'PUT', `/v0/network/${net}`, { body, csrf: 'A'.repeat(browser.csrf.length) }), 403, 'CsrfError');
    const other = await signIn(d, alice);
    expectError(await asBrowser(d, browser, 'PUT', `/v0/network/${net}`, { body, csrf: other.browser.csrf }), 403, 'CsrfError');
    expectError(await session(d, root).get(`/v0/network/${net}`), 404, 'NotFoundError', 'nothing was created');
    expectStatus(await asBrowser(d, browser, 'PUT', `/v0/network/${net}`, { body }), 200);
    expectStatus(await session(d, root).get(`/v0/network/${net}`), 200);
  });

  it('leaves Basic clients as they were: no token needed, and Basic wins over a cookie', async () => {
    const { browser } = await signIn(d, alice);
    const net = label('ses-basic');
    expectStatus(await d.request('PUT', `/v0/network/${net}`, { auth: alice, body: { owner: project, access: project, net_id: '' }, tcp: true }), 200);
    const both = await d.request('GET', '/v0/auth/basic/users', { auth: root, tcp: true, headers: { cookie: browser.cookie } });
    expectStatus(both, 200, 'the admin\'s Basic credentials, not alice\'s cookie');
    const wrongBasic = await d.request('GET', `/v0/project/${project}/nodes`, { auth: { ...alice, password: 'nope' }, tcp: true, headers: { cookie: browser.cookie } });
    expectError(wrongBasic, 401, 'AuthorizationError');
    assert.match(String(wrongBasic.headers['www-authenticate'] ?? ''), /^$|Basic/);
    const noCreds = await d.request('GET', '/v0/auth/basic/users', { tcp: true });
    assert.equal(noCreds.headers['www-authenticate'], 'Basic realm="haas"', 'a plain client still gets the challenge');
  });

  it('signs out: 204, the cookie cleared, the session over', async () => {
    const { browser } = await signIn(d, alice);
    expectError(await asBrowser(d, browser, 'DELETE', '/v0/session', { csrf: null }), 403, 'CsrfError');
    const out = await asBrowser(d, browser, 'DELETE', '/v0/session');
    expectStatus(out, 204);
    assert.match((out.headers['set-cookie'] as string[])[0]!, /^haas_session=; Max-Age=0;.*HttpOnly/);
    const after = await asBrowser(d, browser, 'GET', '/v0/session');
    expectError(after, 401, 'AuthorizationError');
    assert.match(after.json.msg, /expired or was revoked/);
  });

  it('ends a user\'s sessions when an admin revokes them, the password changes, or the user is deleted', async () => {
    const bob = await createUser(session(d, root), label('ses-bob'));
    const first = await signIn(d, bob);
    expectError(await session(d, bob).delete(`/v0/user/${bob.username}/sessions`), 401, 'AuthorizationError', 'admins only');
    expectStatus(await asBrowser(d, first.browser, 'GET', '/v0/session'), 200);
    expectStatus(await session(d, root).delete(`/v0/user/${bob.username}/sessions`), 204);
    expectError(await asBrowser(d, first.browser, 'GET', '/v0/session'), 401, 'AuthorizationError');
    expectError(await session(d, root).delete('/v0/user/nobody-here/sessions'), 404, 'NotFoundError');
    const revoked = await session(d, root).get('/v0/audit?operation=user_revoke_sessions');
    assert.ok(revoked.json.entries.some((e: any) => e.actor === root.username && e.detail.user === bob.username), JSON.stringify(revoked.json.entries));

    const second = await signIn(d, bob);
    expectStatus(await session(d, bob).put(`/v0/user/${bob.username}/password`, { password: 'bob-new-pw' }), 200);
    expectError(await asBrowser(d, second.browser, 'GET', '/v0/session'), 401, 'AuthorizationError', 'password changed');

    const third = await signIn(d, { ...bob, password: 'bob-new-pw' });
    expectStatus(await session(d, root).delete(`/v0/auth/basic/user/${bob.username}`), 200);
    expectError(await asBrowser(d, third.browser, 'GET', '/v0/session'), 401, 'AuthorizationError', 'user deleted');
  });

  it('records sign-ins and sign-outs in the audit trail, never the password', async () => {
    const carol = await createUser(session(d, root), label('ses-carol'));
    const { browser } = await signIn(d, carol);
    expectStatus(await asBrowser(d, browser, 'DELETE', '/v0/session'), 204);
    const logins = await session(d, root).get('/v0/audit?operation=session_login');
    expectStatus(logins, 200);
    const mine = logins.json.entries.filter((e: any) => e.detail.username === carol.username);
    assert.equal(mine.length, 1, JSON.stringify(logins.json.entries));
    assert.equal(mine[0].outcome, 'ok');
    assert.ok(!JSON.stringify(logins.json).includes(carol.password));
    const logouts = await session(d, root).get('/v0/audit?operation=session_logout');
    assert.ok(logouts.json.entries.some((e: any) => e.actor === carol.username && e.outcome === 'ok'), JSON.stringify(logouts.json.entries));
  });

  it('keeps a session across a restart of the daemon', async () => {
    const { browser } = await signIn(d, alice);
    await d.stop();
    await d.start();
    const who = await asBrowser(d, browser, 'GET', '/v0/session');
    expectStatus(who, 200);
    assert.equal(who.json.user, alice.username);
    assert.equal(who.json.csrf_token, browser.csrf);
    expectStatus(await asBrowser(d, browser, 'PUT', `/v0/network/${label('ses-restart')}`, { body: { owner: project, access: project, net_id: '' } }), 200);
  });

  it('never writes a session id or token to the daemon log', async () => {
    const { browser } = await signIn(d, alice);
    await asBrowser(d, browser, 'GET', '/v0/session');
    await asBrowser(d, browser, 'PUT', `/v0/network/${label('ses-log')}`, { body: {}, csrf: null });
    const log = d.stderr + d.stdout;
    assert.ok(!log.includes(browser.cookie.split('=')[1]!), 'no session id in the log');
    assert.ok(!log.includes(browser.csrf), 'no CSRF token in the log');
  });
});

describe('dashboard sessions: idle timeout', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const root = { username: 'idle-root', password: 'idle-root-pw' };
  before(async () => { d = await startDaemon({ auth: 'database', admins: [root], config: '[ui]\nsession_idle = 1s\nsession_lifetime = 1h\n' }); });
  after(async () => { await d?.cleanup(); });

  it('ends a session unused for session_idle', async () => {
    const { browser } = await signIn(d, root);
    await new Promise((r) => setTimeout(r, 1500));
    const r = await asBrowser(d, browser, 'GET', '/v0/session');
    expectError(r, 401, 'AuthorizationError');
    assert.equal(r.headers['www-authenticate'], undefined);
  });
});

describe('dashboard sessions under auth = null', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => { d = await startDaemon({ auth: 'null' }); });
  after(async () => { await d?.cleanup(); });

  it('signs in without a password and says there is no authentication', async () => {
    const r = await d.request('POST', '/v0/session', { body: {}, tcp: true });
    expectStatus(r, 200);
    assert.deepEqual(r.json, { auth: 'null', user: null, is_admin: true, csrf_token: null, expires_at: null });
    assert.equal(r.headers['set-cookie'], undefined);
    const who = await d.request('GET', '/v0/session', { tcp: true });
    assert.deepEqual(who.json, r.json);
  });
});
