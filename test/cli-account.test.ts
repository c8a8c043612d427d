// A user's own account from the CLI: `haas whoami`, `haas user set-password`, and `haas network list`
// showing a non-admin the networks of their projects.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHaas, startDaemon, type Daemon } from './lib/daemon.js';
import { label } from './lib/fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'haas-cli-account-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  chmodSync(path, 0o600);
  return path;
}

function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HAAS_ENDPOINT: '', HIL_ENDPOINT: '', HAAS_USERNAME: '', HIL_USERNAME: '', HAAS_PASSWORD: undefined, HIL_PASSWORD: undefined,
    HAAS_CLIENT_CONFIG: join(scratch, 'no-such-client.conf'), NO_COLOR: '1', ...extra,
  };
}

describe('haas whoami, user set-password and network list (database auth)', () => {
  const admin = { username: 'acct-admin', password: 'acct-admin-pw' };
  let d: Daemon & { cleanup(): Promise<void> };
  let haas: (args: string[], as?: { username: string; password: string }, input?: string) => ReturnType<typeof runHaas>;
  const ok = (args: string[], as = admin, input?: string) => {
    const r = haas(args, as, input);
    assert.equal(r.code, 0, `haas ${args.join(' ')} -> ${r.code}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin] });
    haas = (args, as = admin, input) => runHaas(args, {
      env: cleanEnv({ HAAS_ENDPOINT: d.url, HAAS_USERNAME: as.username, HAAS_PASSWORD: as.password }), input,
    });
  });
  after(async () => { await d?.cleanup(); });

  it('says who the caller is, their role and projects', () => {
    const carol = { username: label('carol'), password: 'carol-pw' };
    const [p1, p2] = [label('pb'), label('pa')];
    ok(['user', 'create', carol.username], admin, `${carol.password}\n`);
    ok(['project', 'create', p1]);
    ok(['project', 'create', p2]);
    ok(['user', 'add-project', carol.username, p1]);
    ok(['user', 'add-project', carol.username, p2]);

    assert.deepEqual(JSON.parse(ok(['whoami', '--json'], carol)), { user: carol.username, is_admin: false, projects: [p1, p2].sort() });
    const human = ok(['whoami'], carol);
    assert.match(human, new RegExp(`^user:\\s+${carol.username}$`, 'm'));
    assert.match(human, /^admin:\s+no$/m);
    assert.match(human, new RegExp(`^projects:\\s+${[p1, p2].sort().join(', ')}$`, 'm'));
    assert.match(ok(['whoami']), /^admin:\s+yes$/m);
    const wrong = haas(['whoami'], { username: carol.username, password: 'nope' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^AuthorizationError: /);
  });

  it('changes one\'s own password from stdin or --new-password-file; an admin changes anyone\'s', () => {
    const dave = { username: label('dave'), password: 'dave-pw' };
    const erin = { username: label('erin'), password: 'erin-pw' };
    ok(['user', 'create', dave.username], admin, `${dave.password}\n`);
    ok(['user', 'create', erin.username], admin, `${erin.password}\n`);

    // dave, from stdin; the old password stops working.
    const changed = haas(['user', 'set-password', dave.username], dave, 'dave-new\n');
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, `changed the password of user ${dave.username}\n`);
    assert.equal(haas(['whoami'], dave).code, 1);
    const daveNew = { ...dave, password: 'dave-new' };
    assert.equal(JSON.parse(ok(['whoami', '--json'], daveNew)).user, dave.username);

    // From a file, with the caller's own (current) password in --password-file.
    const current = file('dave-current.pw', 'dave-new\n');
    const next = file('dave-next.pw', 'dave-next\n');
    const r = runHaas(['user', 'set-password', dave.username, '--new-password-file', next, '--password-file', current, '-q'], {
      env: cleanEnv({ HAAS_ENDPOINT: d.url, HAAS_USERNAME: dave.username, HAAS_PASSWORD: 'stale' }),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    ok(['whoami'], { ...dave, password: 'dave-next' });

    // Not someone else's; an admin may; an unknown user is a 404 for an admin.
    const refused = haas(['user', 'set-password', erin.username], { ...dave, password: 'dave-next' }, 'hijack\n');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^AuthorizationError: /);
    ok(['whoami'], erin);
    ok(['user', 'set-password', erin.username], admin, 'erin-new\n');
    ok(['whoami'], { ...erin, password: 'erin-new' });
    const missing = haas(['user', 'set-password', label('nobody')], admin, 'x\n');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^NotFoundError: /);
    const empty = haas(['user', 'set-password', erin.username], admin, '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /empty new password/);
  });

  it('lists for a non-admin the public networks and those of their projects', () => {
    const frank = { username: label('frank'), password: 'frank-pw' };
    const [mine, other] = [label('pmine'), label('pother')];
    const [pub, ownNet, grantedNet, foreignNet] = [label('pub'), label('own'), label('granted'), label('foreign')];
    ok(['user', 'create', frank.username], admin, `${frank.password}\n`);
    ok(['project', 'create', mine]);
    ok(['project', 'create', other]);
    ok(['user', 'add-project', frank.username, mine]);
    ok(['network', 'create', pub]);
    ok(['network', 'create', ownNet, '--owner', mine]);
    ok(['network', 'create', grantedNet, '--access', mine, '--net-id', '3001']);
    ok(['network', 'create', foreignNet, '--owner', other]);

    const listed = JSON.parse(ok(['network', 'list', '--json'], frank));
    assert.deepEqual(Object.keys(listed).filter((n) => [pub, ownNet, grantedNet, foreignNet].includes(n)).sort(),
      [pub, ownNet, grantedNet].sort());
    assert.deepEqual(listed[pub].projects, null);
    assert.deepEqual(listed[ownNet].projects, [mine]);
    assert.deepEqual(listed[grantedNet], { network_id: '3001', projects: [mine] });
    const human = ok(['network', 'list'], frank);
    assert.match(human, new RegExp(`^${grantedNet}\\s+3001\\s+${mine}$`, 'm'));
    assert.ok(!human.includes(foreignNet));
    // The admin sees every network, as list_networks gives them.
    const all = JSON.parse(ok(['network', 'list', '--json']));
    for (const n of [pub, ownNet, grantedNet, foreignNet]) assert.ok(n in all, n);
  });
});

describe('haas whoami under --auth null', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => { d = await startDaemon(); });
  after(async () => { await d?.cleanup(); });

  it('says there is no user and everyone is admin', () => {
    const env = cleanEnv({ HAAS_ENDPOINT: `unix:${d.socket}` });
    const r = runHaas(['whoami', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { user: null, is_admin: true, projects: [] });
    assert.match(runHaas(['whoami'], { env }).stdout, /^user:\s+\(none: the daemon runs --auth null, everyone is admin\)$/m);
  });
});
