// The daemon as a process (SPEC.md sections 4 and 5, 3.6): crash recovery of networking actions,
// graceful shutdown, file modes, refusals at start-up, `haas admin create-user` and database auth.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort, haasCommand, repoRoot, runHaas, startDaemon, waitAction,
  type ApiResponse, type Credentials, type Daemon,
} from './lib/daemon.js';
import { ok } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const SLOW_SWITCH = '[driver.mock]\nswitch_delay_ms = 500\n';
const NODES = ['n1', 'n2', 'n3'];

const tempDirs: string[] = [];
const running: TestDaemon[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'haas-daemon-test-'));
  tempDirs.push(dir);
  return dir;
}
async function start(opts: Parameters<typeof startDaemon>[0]): Promise<TestDaemon> {
  const d = await startDaemon(opts);
  running.push(d);
  return d;
}
after(async () => {
  for (const d of running) await d.cleanup();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** `haas serve` run to completion (for start-up refusals); a daemon that keeps serving is killed after timeoutMs. */
function serveUntilExit(args: string[], timeoutMs = 15_000) {
  const { cmd, args: pre } = haasCommand();
  const r = spawnSync(cmd, [...pre, 'serve', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, signal: r.signal, stderr: r.stderr, stdout: r.stdout };
}

/** A project with three free-to-use nodes, each with eth0 cabled to the mock switch, and a public network. */
async function buildLab(d: Daemon, auth: Credentials | null = null): Promise<void> {
  const call = (method: string, path: string, body?: unknown) => d.request(method, `/v0${path}`, { auth, body });
  ok(await call('PUT', '/project/lab'));
  ok(await call('PUT', '/switch/sw', { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' }));
  ok(await call('PUT', '/network/lan', { owner: 'admin', access: '', net_id: '' }));
  for (const [i, node] of NODES.entries()) {
    const port = encodeURIComponent(`gi1/0/${i + 1}`);
    ok(await call('PUT', `/node/${node}`, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    ok(await call('PUT', `/node/${node}/nic/eth0`, { macaddr: `aa:bb:cc:00:00:0${i}` }));
    ok(await call('PUT', `/switch/sw/port/${port}`));
    ok(await call('POST', `/switch/sw/port/${port}/connect_nic`, { node, nic: 'eth0' }));
    ok(await call('POST', '/project/lab/connect_node', { node }));
  }
}

/** Connects every lab node to `lan` and checks the actions are all still PENDING. */
async function queueConnects(d: Daemon): Promise<string[]> {
  const ids: string[] = [];
  for (const node of NODES) {
    const r = ok(await d.request('POST', `/v0/node/${node}/nic/eth0/connect_network`, { body: { network: 'lan' } }), 202);
    ids.push(r.json.status_id);
  }
  for (const id of ids) {
    assert.equal(ok(await d.request('GET', `/v0/networking_action/${id}`)).json.status, 'PENDING');
  }
  return ids;
}

async function assertAttached(d: Daemon): Promise<void> {
  for (const node of NODES) {
    const r = ok(await d.request('GET', `/v0/node/${node}`));
    assert.deepEqual(r.json.nics[0].networks, { 'vlan/native': 'lan' }, node);
  }
}

describe('networking actions and the daemon\'s life', () => {
  test('PENDING actions survive kill -9 and are applied when the daemon starts again', async () => {
    const dir = tempDir();
    const first = await start({ dir, config: SLOW_SWITCH });
    await buildLab(first);
    const ids = await queueConnects(first);
    await first.kill();

    const second = await start({ dir });
    for (const id of ids) {
      assert.deepEqual(await waitAction(second, id),
        { status: 'DONE', node: NODES[ids.indexOf(id)], nic: 'eth0', type: 'modify_port', channel: 'vlan/native', new_network: 'lan' });
    }
    await assertAttached(second);
    assert.equal(await second.stop(), 0);
  });

  test('SIGTERM lets the actions in progress finish, then the daemon exits 0', async () => {
    const dir = tempDir();
    const first = await start({ dir, config: SLOW_SWITCH });
    await buildLab(first);
    const ids = await queueConnects(first);
    const exitCode = await first.stop(); // the fixture sends SIGKILL after 15 s

    // Restarted with a very slow switch: any action left PENDING would still be PENDING now.
    const second = await start({ dir, config: '[driver.mock]\nswitch_delay_ms = 20000\n' });
    for (const id of ids) {
      assert.equal(ok(await second.request('GET', `/v0/networking_action/${id}`)).json.status, 'DONE');
    }
    await assertAttached(second);
    await second.kill();
    assert.equal(exitCode, 0, `exit code after SIGTERM; daemon stderr:\n${first.stderr}`);
  });
});

describe('starting the daemon', () => {
  test('serve --help explains itself', () => {
    const r = runHaas(['serve', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--listen/);
  });

  test('the socket is mode 0660 and the database 0600', async () => {
    const d = await start({});
    assert.equal(statSync(d.socket).mode & 0o777, 0o660, 'socket mode');
    assert.equal(statSync(d.db).mode & 0o777, 0o600, 'database mode');
  });

  test('a config file holding a secret is refused when group or others can read it', async () => {
    const dir = tempDir();
    const conf = join(dir, 'haas.conf');
    writeFileSync(conf, '[maintenance]\nproject = maint\nurl = http://ops:hunter2@127.0.0.1:9/pool\n');
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(conf, mode);
      const r = serveUntilExit(['--config', conf, '--db', join(dir, 'haas.db'), '--socket', join(dir, 'haas.sock')]);
      assert.equal(r.signal, null, `mode ${mode.toString(8)}: the daemon must refuse to start, not serve`);
      assert.notEqual(r.code, 0, `mode ${mode.toString(8)}`);
      assert.match(r.stderr, /haas\.conf/, 'the message names the file');
      assert.match(r.stderr, /readable|permission|mode|chmod/i);
      assert.ok(!existsSync(join(dir, 'haas.sock')), 'no socket was created');
    }
  });

  test('the same secret in a private config file, or a world-readable config without secrets, is accepted', async () => {
    const d = await start({ config: '[maintenance]\nproject = maint\nurl = http://ops:hunter2@127.0.0.1:9/pool\n' });
    ok(await d.request('GET', '/v0/nodes/all'));

    const dir = tempDir();
    const conf = join(dir, 'public.conf');
    writeFileSync(conf, '[network]\nvlan_pool = 100-200\n');
    chmodSync(conf, 0o644);
    const e = await start({ extraArgs: ['--config', conf] });
    ok(await e.request('GET', '/v0/nodes/all'));
  });

  test('--auth null is refused on a non-loopback address', async () => {
    const dir = tempDir();
    const port = await freePort();
    const r = serveUntilExit(['--auth', 'null', '--listen', `0.0.0.0:${port}`,
      '--db', join(dir, 'haas.db'), '--socket', join(dir, 'haas.sock')], 10_000);
    assert.equal(r.signal, null, 'the daemon must refuse to start, not serve');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /auth/i);
    assert.match(r.stderr, /null/);
  });
});

describe('database authentication', () => {
  const root: Credentials = { username: 'root', password: 'root-pw' };
  const ops: Credentials = { username: 'ops', password: 'ops-pw' };
  let d: TestDaemon;
  const call = (method: string, path: string, auth: Credentials | null, body?: unknown) =>
    d.request(method, `/v0${path}`, { auth, body });

  function unauthorized(r: ApiResponse): void {
    assert.equal(r.status, 401, `expected 401, got ${r.status}: ${r.text}`);
    assert.equal(r.json?.type, 'AuthorizationError');
  }

  test('haas admin create-user makes users offline, and refuses a name twice', async () => {
    const dir = tempDir();
    const db = join(dir, 'haas.db');
    const pwFile = join(dir, 'root.pw');
    writeFileSync(pwFile, `${root.password}\n`, { mode: 0o600 });
    const created = runHaas(['admin', 'create-user', 'root', '--admin', '--password-file', pwFile, '--db', db, '--init']);
    assert.equal(created.code, 0, created.stderr);

    const again = runHaas(['admin', 'create-user', 'root', '--admin', '--password-file', pwFile, '--db', db]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /root/);
    assert.match(again.stderr, /exist|already|duplicate/i);

    const fromStdin = runHaas(['admin', 'create-user', 'ops', '--db', db], { input: `${ops.password}\n` });
    assert.equal(fromStdin.code, 0, fromStdin.stderr);

    d = await start({ auth: 'database', dir });
    assert.deepEqual(ok(await call('GET', '/auth/basic/users', root)).json, {
      ops: { is_admin: false, projects: [] },
      root: { is_admin: true, projects: [] },
    });
    ok(await call('GET', '/nodes/all', ops));
    unauthorized(await call('GET', '/projects', ops));
  });

  test('passwords are not stored in clear', () => {
    for (const file of [d.db, `${d.db}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      assert.ok(!bytes.includes(root.password), `${file} holds root's password`);
      assert.ok(!bytes.includes(ops.password), `${file} holds ops's password`);
    }
  });

  test('no credentials, a wrong password and an unknown user are all 401, the last two alike', async () => {
    unauthorized(await call('GET', '/nodes/all', null));
    const wrong = await call('GET', '/nodes/all', { username: 'root', password: 'nope' });
    const unknown = await call('GET', '/nodes/all', { username: 'mallory', password: 'nope' });
    unauthorized(wrong);
    unauthorized(unknown);
    assert.deepEqual(unknown.json, wrong.json, 'an unknown user looks like a wrong password');
    unauthorized(await d.request('GET', '/v0/nodes/all', { auth: { username: 'root', password: 'nope' }, tcp: true }));
    ok(await d.request('GET', '/v0/projects', { auth: root, tcp: true }));
  });

  test('a deleted user is refused on its very next request', async () => {
    const temp = { username: 'temp', password: 'temp-pw' };
    ok(await call('PUT', '/auth/basic/user/temp', root, { password: temp.password }));
    ok(await call('GET', '/nodes/all', temp));
    ok(await call('DELETE', '/auth/basic/user/temp', root));
    unauthorized(await call('GET', '/nodes/all', temp));
  });

  test('a user re-created with a new password logs in with the new one only', async () => {
    ok(await call('PUT', '/auth/basic/user/pwu', root, { password: 'old-pw' }));
    ok(await call('GET', '/nodes/all', { username: 'pwu', password: 'old-pw' }));
    ok(await call('DELETE', '/auth/basic/user/pwu', root));
    ok(await call('PUT', '/auth/basic/user/pwu', root, { password: 'new-pw' }));
    unauthorized(await call('GET', '/nodes/all', { username: 'pwu', password: 'old-pw' }));
    ok(await call('GET', '/nodes/all', { username: 'pwu', password: 'new-pw' }));
  });

  test('granting and taking away admin rights takes effect on the next request', async () => {
    const boss = { username: 'boss', password: 'boss-pw' };
    ok(await call('PUT', '/auth/basic/user/boss', root, { password: boss.password, is_admin: false }));
    unauthorized(await call('GET', '/projects', boss));
    ok(await call('PATCH', '/auth/basic/user/boss', root, { is_admin: true }));
    ok(await call('GET', '/projects', boss));
    ok(await call('PATCH', '/auth/basic/user/boss', root, { is_admin: false }));
    unauthorized(await call('GET', '/projects', boss));
    ok(await call('GET', '/nodes/all', boss));
  });

  test('an admin cannot change their own admin flag', async () => {
    const r = await call('PATCH', '/auth/basic/user/root', root, { is_admin: false });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json?.type, 'IllegalStateError');
    ok(await call('GET', '/projects', root));
  });
});
