// Who may scrape GET /metrics: the unix socket and loopback without credentials; from another
// address an admin or the bearer token of `[metrics] token_file`, nobody else. And `[metrics]
// enabled = off` serves no /metrics at all. The "remote" caller connects to the daemon's
// non-loopback address (the host's own, or a dummy interface made for the test).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startDaemon, type Credentials } from './lib/daemon.js';
import { createUser, session } from './lib/fixtures.js';

const admin: Credentials = { username: 'admin', password: 'admin-pw' };
const TOKEN = 'scrape-token-0123456789abcdef';
const DUMMY = `haas-tm${process.pid % 10000}`;

/** A non-loopback IPv4 address of this host; made on a dummy interface when there is none. */
function remoteAddress(): { address: string; made: boolean } {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return { address: a.address, made: false };
  }
  const run = (...args: string[]) => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  run('link', 'add', DUMMY, 'type', 'dummy');
  run('addr', 'add', '192.0.2.77/32', 'dev', DUMMY);
  run('link', 'set', DUMMY, 'up');
  return { address: '192.0.2.77', made: true };
}

/** GET /metrics over TCP from `from` to `host:port`, with an Authorization header if given. */
function scrape(host: string, port: number, authorization?: string): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = httpRequest({ host, port, localAddress: host, path: '/metrics', headers: authorization ? { authorization } : {} }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c) => { text += c; });
      r.on('end', () => res({ status: r.statusCode ?? 0, text }));
    });
    req.on('error', rej);
    req.end();
  });
}

const basic = (c: Credentials) => 'Basic ' + Buffer.from(`${c.username}:${c.password}`).toString('base64');

describe('GET /metrics: who may scrape', () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  let remote: { address: string; made: boolean };
  let port: number;
  let member: Credentials;
  const tokenDir = mkdtempSync(join(tmpdir(), 'haas-test-token-'));

  before(async () => {
    remote = remoteAddress();
    port = await freePort();
    const tokenFile = join(tokenDir, 'metrics-token');
    writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 });
    d = await startDaemon({ auth: 'database', admins: [admin], extraArgs: ['--listen', `0.0.0.0:${port}`],
      config: `[drift]\ninterval = 0\n[metrics]\ntoken_file = ${tokenFile}\n` });
    member = await createUser(session(d, admin));
  });
  after(async () => {
    await d?.cleanup();
    rmSync(tokenDir, { recursive: true, force: true });
    if (remote?.made) spawnSync('ip', ['link', 'del', DUMMY]);
  });

  test('the unix socket and loopback need no credentials', async () => {
    const unix = await d.request('GET', '/metrics');
    assert.equal(unix.status, 200, unix.text);
    assert.match(unix.text, /^# HELP haas_/m);
    const loop = await scrape('127.0.0.1', port);
    assert.equal(loop.status, 200, loop.text);
  });

  test('from another address: nothing, a member and a wrong token are refused', async () => {
    for (const auth of [undefined, basic(member), 'Bearer not-the-token-at-all', basic({ username: 'admin', password: 'wrong' })]) {
      const r = await scrape(remote.address, port, auth);
      assert.equal(r.status, 401, `${auth}: ${r.text}`);
      assert.equal(JSON.parse(r.text).type, 'AuthorizationError');
      assert.doesNotMatch(r.text, /haas_http_requests_total/);
    }
  });

  test('from another address: an admin and the token get the metrics', async () => {
    for (const auth of [basic(admin), `Bearer ${TOKEN}`]) {
      const r = await scrape(remote.address, port, auth);
      assert.equal(r.status, 200, r.text);
      assert.match(r.text, /^haas_vlan_pool_size 3901$/m);
    }
  });

  test('the token is never in the log', () => {
    assert.ok(d.stderr.length > 0);
    assert.ok(!d.stderr.includes(TOKEN));
  });
});

describe('[metrics] enabled = off', () => {
  let d: Awaited<ReturnType<typeof startDaemon>>;
  before(async () => { d = await startDaemon({ config: '[drift]\ninterval = 0\n[metrics]\nenabled = off\n' }); });
  after(async () => { await d?.cleanup(); });

  test('serves no /metrics', async () => {
    const r = await d.request('GET', '/metrics');
    assert.equal(r.status, 404, r.text);
    assert.equal(r.json.type, 'NotFoundError');
  });
});
