// `haas project connect-node --for/--until`, `haas lease list|set|clear`, and the end times in
// `haas node show` and `haas project nodes`, typed against a daemon with `[leases] maximum` and
// database auth (an admin and a member), on the executable.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runHaas, startDaemon, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const admin: Credentials = { username: 'admin', password: 'admin-pw' };

describe('haas lease', () => {
  let d: TestDaemon;
  const call = callerAs(() => d);
  let alice: Credentials;

  /** Run haas as `who` against the daemon's TCP endpoint. */
  function haas(who: Credentials, args: string[]) {
    return runHaas([...args, '--endpoint', d.url, '--username', who.username],
      { env: { HAAS_PASSWORD: who.password, HAAS_CLIENT_CONFIG: '/nonexistent', NO_COLOR: '1' } });
  }
  function okHaas(who: Credentials, args: string[]): string {
    const r = haas(who, args);
    assert.equal(r.code, 0, `haas ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[leases]\ndefault = 2h\nmaximum = 1d\n' });
    for (const p of ['pa', 'pb']) ok(await call('PUT', `/project/${p}`, admin));
    alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
    for (const n of ['n1', 'n2', 'n3']) ok(await call('PUT', `/node/${n}`, admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
  });
  after(async () => { await d?.cleanup(); });

  it('connect-node --for reserves the node with that end; without it the default applies', async () => {
    assert.match(okHaas(alice, ['project', 'connect-node', 'pa', 'n1', '--for', '4h']), /node n1 is now in project pa until \d{4}-/);
    const n1 = ok(await call('GET', '/node/n1/lease', admin)).json;
    assert.equal(Date.parse(n1.ends_at) > Date.parse(n1.started_at) + 3 * 3_600_000, true);
    okHaas(alice, ['project', 'connect-node', 'pa', 'n2']);
    const n2 = ok(await call('GET', '/node/n2/lease', admin)).json;
    assert.equal(Date.parse(n2.ends_at) - Date.parse(n2.started_at), 2 * 3_600_000);
    okHaas(admin, ['project', 'connect-node', 'pb', 'n3']);
  });

  it('lease list shows what the caller may see, with how long is left', () => {
    const mine = okHaas(alice, ['lease', 'list']).trim().split('\n');
    assert.match(mine[0]!, /^NODE\s+PROJECT\s+STARTED\s+ENDS\s+STATE$/);
    assert.deepEqual(mine.slice(1).map((l) => l.split(/\s+/)[0]), ['n1', 'n2']);
    assert.match(mine[1]!, /ends in (3h5\dm|4h)/);
    assert.deepEqual(okHaas(admin, ['lease', 'list', '--project', 'pb']).trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['n3']);
    const json = JSON.parse(okHaas(admin, ['lease', 'list', '--json']));
    assert.deepEqual(json.map((l: { node: string }) => l.node), ['n1', 'n2', 'n3']);
  });

  it('lease set within the maximum; beyond it the daemon\'s refusal names the maximum; clear is for admins', () => {
    assert.match(okHaas(alice, ['lease', 'set', 'n1', '--for', '90m']), /node n1 \(project pa\) ends at \d{4}-/);
    const beyond = haas(alice, ['lease', 'set', 'n1', '--for', '3d']);
    assert.equal(beyond.code, 1);
    assert.match(beyond.stderr, /maximum lease of 1d/);
    assert.equal(haas(alice, ['lease', 'clear', 'n1']).code, 1);
    assert.match(okHaas(admin, ['lease', 'clear', 'n1']), /node n1 \(project pa\) has no end/);
    const both = haas(alice, ['lease', 'set', 'n1', '--for', '1h', '--until', '2030-01-01T00:00:00Z']);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr + both.stdout, /exactly one of --for/);
  });

  it('node show and project nodes show the end; their --json keeps HIL\'s shapes', () => {
    assert.match(okHaas(alice, ['node', 'show', 'n2']), /^lease:\s+\d{4}-\S+ \(ends in (1h5\dm|2h)\)$/m);
    assert.doesNotMatch(okHaas(alice, ['node', 'show', 'n1']), /lease:/, 'no end: nothing to show');
    assert.deepEqual(Object.keys(JSON.parse(okHaas(alice, ['node', 'show', 'n2', '--json']))).sort(), ['metadata', 'name', 'nics', 'project']);
    const lines = okHaas(alice, ['project', 'nodes', 'pa']).trim().split('\n');
    assert.equal(lines[0], 'n1');
    assert.match(lines[1]!, /^n2 {2}ends in \S+ \(\d{4}-/);
    assert.deepEqual(JSON.parse(okHaas(alice, ['project', 'nodes', 'pa', '--json'])), ['n1', 'n2']);
  });
});
