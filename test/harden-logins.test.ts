// Password guessing is throttled per (user, source) (issue 11): after `login_failures` failed logins,
// 429 RateLimitError with Retry-After; another source or another user is not affected; every failed
// login is logged without the password; once the delay is over the right password works again.
// The daemon runs with small limits ([limits] login_failures = 3, login_delay = 1) to stay quick.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { startDaemon, type ApiResponse, type Credentials, type Daemon } from './lib/daemon.js';
import { createUser, expectError, expectStatus, session } from './lib/fixtures.js';

/** GET over TCP from a chosen loopback address, or over the unix socket. */
function get(d: Daemon, path: string, auth: Credentials, from: '127.0.0.1' | '127.0.0.2' | 'unix'): Promise<ApiResponse> {
  const target = from === 'unix' ? { socketPath: d.socket } : { host: '127.0.0.1', port: d.port, localAddress: from };
  const authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return new Promise((res, rej) => {
    const req = httpRequest({ ...target, method: 'GET', path, headers: { authorization }, agent: false }, (resp) => {
      let text = '';
      resp.setEncoding('utf8');
      resp.on('data', (c) => { text += c; });
      resp.on('end', () => {
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        res({ status: resp.statusCode ?? 0, headers: resp.headers, text, json });
      });
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`timeout GET ${path}`)));
    req.on('error', rej);
    req.end();
  });
}

function expectThrottled(r: ApiResponse, what: string): number {
  expectError(r, 429, 'RateLimitError', what);
  assert.equal(typeof r.json.msg, 'string');
  assert.deepEqual(Object.keys(r.json).sort(), ['msg', 'type']);
  const retry = Number(r.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1, `${what}: Retry-After ${r.headers['retry-after']}`);
  return retry;
}

describe('login throttling per (user, source)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const root = { username: 'thr-root', password: 'thr-root-pw' };
  let alice: Credentials;
  let bob: Credentials;
  const guesses = Array.from({ length: 40 }, (_, i) => `guess-${i}-xyzzy`);

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [root], config: '[limits]\nlogin_failures = 3\nlogin_delay = 1\nlogin_max_delay = 2\n' });
    const admin = session(d, root);
    alice = await createUser(admin, 'thr-alice', { password: 'alice-right-pw' });
    bob = await createUser(admin, 'thr-bob', { password: 'bob-right-pw' });
  });
  after(async () => { await d?.cleanup(); });

  it('answers 429 with Retry-After once alice has failed 3 times from one address, even with her cached right password', async () => {
    expectStatus(await get(d, '/v0/whoami', alice, '127.0.0.1'), 200, 'alice before the flood');
    for (const password of guesses.slice(0, 3)) {
      expectError(await get(d, '/v0/whoami', { username: alice.username, password }, '127.0.0.1'), 401, 'AuthorizationError');
    }
    expectThrottled(await get(d, '/v0/whoami', { username: alice.username, password: guesses[3]! }, '127.0.0.1'), 'a 4th guess');
    // The right password, although verified before, is no oracle during the delay.
    expectThrottled(await get(d, '/v0/whoami', alice, '127.0.0.1'), 'the right password during the delay');
    // A flood costs nothing more: every further guess is refused without a check.
    const flood = await Promise.all(guesses.slice(4).map((password) => get(d, '/v0/whoami', { username: alice.username, password }, '127.0.0.1')));
    for (const r of flood) expectThrottled(r, 'flood');
  });

  it('lets alice in from another address and over the unix socket meanwhile', async () => {
    expectStatus(await get(d, '/v0/whoami', alice, '127.0.0.2'), 200, 'alice from 127.0.0.2');
    expectStatus(await get(d, '/v0/whoami', alice, 'unix'), 200, 'alice over the unix socket');
  });

  it('lets bob in from the same address, and counts his failures on their own', async () => {
    expectStatus(await get(d, '/v0/whoami', bob, '127.0.0.1'), 200, 'bob from 127.0.0.1');
    expectError(await get(d, '/v0/whoami', { username: bob.username, password: 'bob-wrong' }, '127.0.0.1'), 401, 'AuthorizationError');
    expectStatus(await get(d, '/v0/whoami', bob, '127.0.0.1'), 200, 'bob again');
  });

  it('lets at most login_failures parallel guesses through to a password check', async () => {
    const carol = { username: 'thr-carol-unknown', password: '' };
    const rs = await Promise.all(guesses.slice(0, 12).map((password) => get(d, '/v0/whoami', { ...carol, password }, '127.0.0.2')));
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(3).fill(401), ...Array(9).fill(429)], `statuses ${statuses}`);
  });

  it('logs every failed login with user and source, never the password', () => {
    assert.match(d.stderr, /failed login for user "thr-alice" from 127\.0\.0\.1: failure 1 in a row/);
    assert.match(d.stderr, /failed login for user "thr-alice" from 127\.0\.0\.1: failure 3 in a row; further logins for this user from there wait 1 s/);
    assert.match(d.stderr, /refused login for user "thr-alice" from 127\.0\.0\.1/);
    assert.match(d.stderr, /failed login for user "thr-bob" from 127\.0\.0\.1/);
    assert.match(d.stderr, /failed login for user "thr-carol-unknown" from 127\.0\.0\.2/);
    for (const secret of [...guesses, 'bob-wrong', alice.password, bob.password]) {
      assert.ok(!d.stderr.includes(secret), `the log holds a password: ${secret}`);
    }
  });

  it('lets the right password in again once the delay is over, and the next failure waits longer', async () => {
    let r = await get(d, '/v0/whoami', alice, '127.0.0.1');
    for (let i = 0; i < 10 && r.status === 429; i++) {
      await new Promise((res) => setTimeout(res, Number(r.headers['retry-after']) * 1000 + 100));
      r = await get(d, '/v0/whoami', alice, '127.0.0.1');
    }
    expectStatus(r, 200, 'alice after the delay');
    // A success forgets the failures: alice has her 3 failures again before any delay.
    for (const password of guesses.slice(0, 3)) {
      expectError(await get(d, '/v0/whoami', { username: alice.username, password }, '127.0.0.1'), 401, 'AuthorizationError');
    }
    expectThrottled(await get(d, '/v0/whoami', alice, '127.0.0.1'), 'after 3 new failures');
  });
});
