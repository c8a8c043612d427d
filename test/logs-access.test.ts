// The daemon's log: one access line per request (time, user, source, method, route template,
// status, duration) in text or JSON; never a password, a credential header, a body or a query
// string; `[log] access = off`; the level from --log-level, HAAS_LOG_LEVEL or the file, in that order.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runHaas, startDaemon, type Credentials } from './lib/daemon.js';
import { createUser, session } from './lib/fixtures.js';

const admin: Credentials = { username: 'admin', password: 'admin-Secret-9f3k2' };
const WRONG = 'wrong-Secret-x81q';
const BODY_SECRET = 'body-Secret-p0q7z';
const QUERY_SECRET = 'query-Secret-j4n5';
const TEXT_ACCESS = /^\d{4}-\d\d-\d\dT[\d:.]+Z haas: INFO access (\S+) (\S+) ([A-Z]+) (\S+) (\d{3}) (\d+\.\d)ms$/;

/** Requests that carry secrets every way a caller can send one. */
async function secretSession(d: Awaited<ReturnType<typeof startDaemon>>): Promise<void> {
  await d.request('GET', '/v0/node/no-such-node', { auth: admin });
  await d.request('GET', '/v0/nodes/all', { auth: { username: 'admin', password: WRONG }, tcp: true });
  await createUser(session(d, admin), 'logged-user', { password: BODY_SECRET });
  await d.request('GET', `/v0/audit?actor=${QUERY_SECRET}`, { auth: admin });
}

function assertNoSecret(log: string): void {
  for (const secret of [admin.password, WRONG, BODY_SECRET, QUERY_SECRET]) {
    assert.ok(!log.includes(secret), `the log holds a secret (${secret}):\n${log}`);
  }
  for (const pw of [admin.password, WRONG]) {
    assert.ok(!log.includes(Buffer.from(`admin:${pw}`).toString('base64')), 'the log holds an Authorization header');
  }
}

describe('the access log, text, at debug by flag (beating HAAS_LOG_LEVEL)', () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[drift]\ninterval = 0\n',
      extraArgs: ['--log-level', 'debug'], env: { HAAS_LOG_LEVEL: 'error' } });
    await secretSession(d);
    // Lines are written once per event-loop turn and at exit: read the whole log after it.
    await d.stop();
  });
  after(async () => { await d?.cleanup(); });

  test('one line per request: user, source, method, route template, status, duration', () => {
    const lines = d.stderr.split('\n').filter((l) => l.includes(' access '));
    const parsed = lines.map((l) => TEXT_ACCESS.exec(l)).filter((m) => m !== null);
    assert.equal(parsed.length, lines.length, `unparsable access lines:\n${lines.join('\n')}`);
    const find = (route: string, status: string) => parsed.find((m) => m[4] === route && m[5] === status);
    const notFound = find('/v0/node/:node', '404');
    assert.ok(notFound, d.stderr);
    assert.deepEqual([notFound[1], notFound[2], notFound[3]], ['admin', 'unix', 'GET']);
    const refused = find('/v0/nodes/:which', '401');
    assert.ok(refused, d.stderr);
    assert.deepEqual([refused[1], refused[2]], ['-', '127.0.0.1']);
    assert.ok(find('/v0/auth/basic/user/:user', '200'), d.stderr);
    assert.ok(find('/v0/audit', '200'), d.stderr);
    assert.ok(!d.stderr.includes('no-such-node '), 'a raw path in the access log');
  });

  test('no password, credential, body or query string in any line', () => assertNoSecret(d.stderr));

  test('debug lines are written', () => {
    assert.match(d.stderr, / haas: DEBUG worker drained$/m);
  });
});

describe('[log] format = json', () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[drift]\ninterval = 0\n[log]\nformat = json\n' });
    await secretSession(d);
    await d.stop();
  });
  after(async () => { await d?.cleanup(); });

  test('every line is one JSON object; access lines carry the request\'s fields', () => {
    const lines = d.stderr.split('\n').filter((l) => l !== '');
    assert.ok(lines.length > 5);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const o of objects) {
      assert.equal(typeof o.time, 'string');
      assert.ok(['debug', 'info', 'warn', 'error'].includes(o.level as string));
      assert.equal(typeof o.msg, 'string');
    }
    assert.ok(objects.some((o) => o.msg === 'haas ready' || String(o.msg).startsWith('haas ready')));
    const access = objects.filter((o) => o.msg === 'access');
    const notFound = access.find((o) => o.route === '/v0/node/:node');
    assert.ok(notFound, d.stderr);
    assert.deepEqual({ ...notFound, time: 0, duration_ms: 0 },
      { time: 0, level: 'info', msg: 'access', user: 'admin', source: 'the unix socket', method: 'GET', route: '/v0/node/:node', status: 404, duration_ms: 0 });
    assert.equal(typeof notFound.duration_ms, 'number');
    assert.ok(access.some((o) => o.user === null && o.status === 401 && o.source === '127.0.0.1'));
  });

  test('no secret in any line', () => assertNoSecret(d.stderr));
});

describe('the level from the environment, and [log] access = off', () => {
  test('HAAS_LOG_LEVEL=warn (beating the file\'s debug): no info lines, so no access lines', async () => {
    const d = await startDaemon({ config: '[drift]\ninterval = 0\n[log]\nlevel = debug\n', env: { HAAS_LOG_LEVEL: 'warn' } });
    try {
      await d.request('GET', '/v0/nodes/all');
      await d.stop();
      assert.doesNotMatch(d.stderr, / (INFO|DEBUG) /);
      assert.match(d.stderr, / WARN auth backend "null"/);
    } finally { await d.cleanup(); }
  });

  test('[log] access = off: the other info lines stay, the access lines go', async () => {
    const d = await startDaemon({ config: '[drift]\ninterval = 0\n[log]\naccess = off\n' });
    try {
      await d.request('GET', '/v0/nodes/all');
      await d.stop();
      assert.match(d.stderr, / INFO haas ready/);
      assert.doesNotMatch(d.stderr, / access /);
    } finally { await d.cleanup(); }
  });

  test('the log\'s reader gone (EPIPE, as when journald restarts): the daemon serves on and counts the lines', async () => {
    const d = await startDaemon({ config: '[drift]\ninterval = 0\n' });
    try {
      d.child.stderr!.destroy();
      for (let i = 0; i < 20; i++) assert.equal((await d.request('GET', '/v0/nodes/all')).status, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(d.child.exitCode, null, 'the daemon is alive');
      const lost = Number(/^haas_log_lines_lost_total (\d+)$/m.exec((await d.request('GET', '/metrics')).text)?.[1]);
      assert.ok(lost >= 20, `haas_log_lines_lost_total ${lost}`);
      assert.equal(await d.stop(), 0);
    } finally { await d.cleanup(); }
  });

  test('a bad level is refused where it was set; --check-config shows the [log] settings', () => {
    const bad = runHaas(['serve', '--check-config'], { env: { ...process.env, HAAS_LOG_LEVEL: 'loud' } });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /HAAS_LOG_LEVEL: \[log\] level: expected debug, info, warn or error, got "loud"/);
    const flag = runHaas(['serve', '--check-config', '--log-level', 'verbose']);
    assert.equal(flag.code, 2, flag.stderr);
    assert.match(flag.stderr, /--log-level: \[log\] level/);
    const good = runHaas(['serve', '--check-config', '--log-level', 'warn']);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^\[log\]\nlevel = warn\nformat = text\naccess = on$/m);
  });
});
