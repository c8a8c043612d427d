// The audit trail through the API and the CLI (haas's extension GET /audit, `haas audit`):
// who put a node on a network and when (with the action's device outcome), who tried to log
// in as someone, refused calls with their status and type, members seeing only their projects'
// entries as they were at the time, no secret anywhere, paging and filters.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHaas, startDaemon, waitAction, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, fails, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
type Entry = {
  id: number; time: string; last_time: string; count: number; actor: string | null; source: string; operation: string;
  outcome: string; status: number | null; error_type: string | null; node: string | null; network: string | null;
  projects: string[]; detail: Record<string, unknown>;
};

const admin: Credentials = { username: 'admin', password: 'admin-pw-Q7' };
const SECRETS = ['sw-secret-K3', 'bmc-secret-K3', 'user-secret-K3', 'changed-secret-K3', 'obmd-token-K3', 'wrong-guess-K3'];
let d: TestDaemon;
const call = callerAs(() => d);
let alice: Credentials; // member of pa
let bob: Credentials; // member of pb
let scratch: string;

async function audit(as: Credentials, query = ''): Promise<{ entries: Entry[]; next_before: number | null }> {
  return ok(await call('GET', `/audit${query}`, as)).json;
}

/** Every entry the caller may see, following the pages. */
async function everything(as: Credentials, query = ''): Promise<Entry[]> {
  const all: Entry[] = [];
  let before: number | null = null;
  do {
    const sep: string = query === '' ? '?' : '&';
    const page = await audit(as, `${query}${before === null ? '' : `${sep}before=${before}`}`);
    all.push(...page.entries);
    before = page.next_before;
  } while (before !== null);
  return all;
}

describe('the audit trail (database auth)', () => {
  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'haas-test-audit-'));
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[drift]\ninterval = 0\n' });
    for (const p of ['pa', 'pb']) ok(await call('PUT', `/project/${p}`, admin));
    alice = await createUser(session(d, admin), 'alice', { projects: ['pa'], password: 'user-secret-K3' });
    bob = await createUser(session(d, admin), 'bob', { projects: ['pb'] });
    ok(await call('PUT', '/switch/sw', admin, { type: 'mock', hostname: 'sw.example', username: 'u', password: 'sw-secret-K3' }));
    ok(await call('PUT', '/switch/sw/port/gi1%2F0%2F1', admin));
    ok(await call('PUT', '/node/n1', admin, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'bmc-secret-K3' } }));
    ok(await call('PUT', '/node/n1/nic/eth0', admin, { macaddr: 'de:ad:be:ef:00:01' }));
    ok(await call('POST', '/switch/sw/port/gi1%2F0%2F1/connect_nic', admin, { node: 'n1', nic: 'eth0' }));
    ok(await call('PUT', '/node/n2', admin, { obmd: { uri: 'http://127.0.0.1:1/', admin_token: 'obmd-token-K3' } }));
    ok(await call('PUT', '/network/pa-net', alice, { owner: 'pa', access: 'pa', net_id: '' }));
    ok(await call('PUT', '/network/pb-net', bob, { owner: 'pb', access: 'pb', net_id: '' }));
  });
  after(async () => {
    await d?.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('answers who put node n1 on network pa-net, when, and how the switch took it', async () => {
    ok(await call('POST', '/project/pa/connect_node', alice, { node: 'n1' }));
    const queued = ok(await call('POST', '/node/n1/nic/eth0/connect_network', alice, { network: 'pa-net' }), 202).json.status_id;
    assert.equal((await waitAction(d, queued, alice)).status, 'DONE');

    const { entries } = await audit(admin, '?node=n1&network=pa-net');
    const [end, connect] = entries;
    assert.equal(entries.length, 2, JSON.stringify(entries));
    assert.deepEqual({ ...connect!, id: 0, time: '', last_time: '' }, {
      id: 0, time: '', last_time: '', count: 1, actor: 'alice', source: 'socket', operation: 'node_connect_network',
      outcome: 'ok', status: null, error_type: null, node: 'n1', network: 'pa-net', projects: ['pa'], detail: { nic: 'eth0' },
    });
    assert.ok(Date.parse(connect!.time) <= Date.parse(end!.time));
    assert.equal(end!.operation, 'networking_action');
    assert.equal(end!.actor, 'alice', 'the action carries who queued it');
    assert.equal(end!.outcome, 'ok');
    assert.deepEqual(end!.projects, ['pa']);
    assert.deepEqual(end!.detail, { status_id: queued, type: 'modify_port', nic: 'eth0', channel: 'vlan/native', status: 'DONE', message: null });

    // The reservation before it, with the project it went into.
    const reserved = (await audit(admin, '?node=n1&operation=project_connect_node')).entries;
    assert.deepEqual(reserved.map((e) => [e.actor, e.outcome, e.projects]), [['alice', 'ok', ['pa']]]);
  });

  it('records an action the switch refused as an error with the device\'s words, in the name of who queued it', async () => {
    ok(await call('PUT', '/switch/down', admin, { type: 'mock', hostname: 'down.invalid', username: 'u', password: 'sw-secret-K3' }));
    ok(await call('PUT', '/switch/down/port/gi1%2F0%2F1', admin));
    ok(await call('PUT', '/node/n3', admin, { obm: { type: 'mock', host: 'bmc', user: 'u', password: 'bmc-secret-K3' } }));
    ok(await call('PUT', '/node/n3/nic/eth0', admin, { macaddr: 'de:ad:be:ef:00:03' }));
    ok(await call('POST', '/switch/down/port/gi1%2F0%2F1/connect_nic', admin, { node: 'n3', nic: 'eth0' }));
    ok(await call('POST', '/project/pa/connect_node', alice, { node: 'n3' }));
    const id = ok(await call('POST', '/node/n3/nic/eth0/connect_network', alice, { network: 'pa-net' }), 202).json.status_id;
    assert.equal((await waitAction(d, id, alice)).status, 'ERROR');
    const [end] = (await audit(alice, '?node=n3&operation=networking_action')).entries;
    assert.deepEqual([end?.actor, end?.outcome, end?.status, end?.error_type, end?.network, end?.detail.status], ['alice', 'error', 502, 'SwitchError', 'pa-net', 'ERROR']);
    assert.match(String(end?.detail.message), /unreachable/);
  });

  it('answers who tried to log in as zed: user, source and a folded count, never the password', async () => {
    for (let i = 0; i < 3; i++) fails(await call('GET', '/projects', { username: 'zed', password: 'wrong-guess-K3' }), 401, 'AuthorizationError');
    fails(await call('GET', '/whoami', { username: 'zed', password: 'wrong-guess-K3' }, undefined), 401, 'AuthorizationError');
    const { entries } = await audit(admin, '?actor=zed&operation=login');
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const e = entries[0]!;
    assert.deepEqual([e.actor, e.source, e.outcome, e.status, e.error_type, e.count], ['zed', 'socket', 'refused', 401, 'AuthorizationError', 4]);
    assert.ok(e.last_time >= e.time);
    assert.deepEqual(e.projects, []);
    assert.ok(!JSON.stringify(entries).includes('wrong-guess'));
    // Members never see failed logins, not even their own name's.
    fails(await call('GET', '/whoami', { username: 'alice', password: 'wrong-guess-K3' }), 401, 'AuthorizationError');
    assert.deepEqual((await audit(alice, '?operation=login')).entries, []);
    assert.equal((await audit(admin, '?operation=login&actor=alice')).entries[0]!.count, 1);
  });

  it('records refused calls with their status and error type, in the projects concerned', async () => {
    fails(await call('DELETE', '/project/pa', alice), 401, 'AuthorizationError');
    fails(await call('POST', '/project/pb/connect_node', bob, { node: 'n1' }), 409, 'BlockedError');
    fails(await call('POST', '/project/pa/connect_node', alice, { nod: 'n1' }), 400, 'ValidationError');
    const refused = (await audit(admin, '?outcome=refused&limit=10')).entries.filter((e) => e.operation !== 'login');
    assert.deepEqual(refused.slice(0, 3).map((e) => [e.actor, e.operation, e.status, e.error_type, e.projects]), [
      ['alice', 'project_connect_node', 400, 'ValidationError', ['pa']],
      ['bob', 'project_connect_node', 409, 'BlockedError', ['pa', 'pb']],
      ['alice', 'project_delete', 401, 'AuthorizationError', ['pa']],
    ]);
    // Reads are not recorded.
    assert.deepEqual((await audit(admin, '?operation=show_node')).entries, []);
  });

  it('shows a member only the entries of their projects, as the projects were at the time', async () => {
    // n1 leaves pa (its network first) and goes to pb, which puts it on pb-net.
    const off = ok(await call('POST', '/node/n1/nic/eth0/detach_network', alice, { network: 'pa-net' }), 202).json.status_id;
    assert.equal((await waitAction(d, off, alice)).status, 'DONE');
    ok(await call('POST', '/project/pa/detach_node', alice, { node: 'n1' }));
    ok(await call('POST', '/project/pb/connect_node', bob, { node: 'n1' }));
    const on = ok(await call('POST', '/node/n1/nic/eth0/connect_network', bob, { network: 'pb-net' }), 202).json.status_id;
    assert.equal((await waitAction(d, on, bob)).status, 'DONE');

    const ofN1 = (as: Credentials) => everything(as, '?node=n1');
    const byAdmin = await ofN1(admin);
    const byAlice = await ofN1(alice);
    const byBob = await ofN1(bob);
    assert.ok(byAlice.every((e) => e.projects.includes('pa')), JSON.stringify(byAlice));
    assert.ok(byBob.every((e) => e.projects.includes('pb')), JSON.stringify(byBob));
    assert.ok(!byBob.some((e) => e.network === 'pa-net'), 'bob sees nothing of pa\'s use of n1');
    assert.ok(!byAlice.some((e) => e.network === 'pb-net'), 'alice sees nothing of pb\'s use of n1');
    assert.deepEqual(byAlice.filter((e) => e.operation === 'project_detach_node').map((e) => [e.actor, e.projects]), [['alice', ['pa']]]);
    assert.deepEqual(byBob.filter((e) => e.operation === 'project_connect_node' && e.outcome === 'ok').map((e) => e.actor), ['bob']);
    assert.equal(byAdmin.length, new Set([...byAlice, ...byBob].map((e) => e.id)).size + byAdmin.filter((e) => e.projects.length === 0).length);
    // A deleted network's entry still names the projects it had (read before the change).
    ok(await call('PUT', '/network/pa-tmp', alice, { owner: 'pa', access: 'pa', net_id: '' }));
    ok(await call('DELETE', '/network/pa-tmp', alice));
    assert.deepEqual((await audit(alice, '?network=pa-tmp')).entries.map((e) => [e.operation, e.projects]),
      [['network_delete', ['pa']], ['network_create', ['pa']]]);
    assert.deepEqual((await audit(bob, '?network=pa-tmp')).entries, []);
    // A member filtering on another project gets only what also concerns their own (bob's try to take n1 from pa).
    assert.deepEqual((await everything(alice, '?project=pb')).map((e) => [e.actor, e.operation, e.outcome, e.projects]),
      [['bob', 'project_connect_node', 'refused', ['pa', 'pb']]]);
  });

  it('never holds a secret: passwords, switch and BMC credentials, obmd tokens', async () => {
    ok(await call('PUT', `/user/alice/password`, alice, { password: 'changed-secret-K3' }));
    alice = { username: 'alice', password: 'changed-secret-K3' };
    ok(await call('PUT', '/auth/basic/user/carol', admin, { password: 'user-secret-K3', is_admin: false }));
    const all = await everything(admin);
    const text = JSON.stringify(all);
    for (const s of SECRETS) assert.ok(!text.includes(s), `the audit trail holds ${s}`);
    const changed = all.find((e) => e.operation === 'user_set_password');
    assert.deepEqual([changed?.actor, changed?.detail], ['alice', { user: 'alice' }]);
    const sw = all.find((e) => e.operation === 'switch_register' && e.detail.switch === 'sw');
    assert.deepEqual(sw?.detail, { switch: 'sw', type: 'mock', hostname: 'sw.example' });
  });

  it('pages newest first and filters by time, actor, operation and outcome', async () => {
    const all = await everything(admin);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.id > all[i]!.id, 'newest first');
    const paged = await everything(admin, '?limit=3');
    assert.deepEqual(paged.map((e) => e.id), all.map((e) => e.id));
    const first = await audit(admin, '?limit=3');
    assert.equal(first.entries.length, 3);
    assert.equal(first.next_before, first.entries[2]!.id);

    const middle = all[Math.floor(all.length / 2)]!;
    const since = await everything(admin, `?since=${encodeURIComponent(middle.time)}`);
    assert.ok(since.length > 0 && since.every((e) => e.last_time >= middle.time));
    const until = await everything(admin, `?until=${encodeURIComponent(middle.time)}`);
    assert.ok(until.every((e) => e.time < middle.time));
    assert.deepEqual((await everything(admin, '?actor=bob&outcome=ok')).map((e) => e.actor).filter((a) => a !== 'bob'), []);
    assert.ok((await everything(admin, '?operation=network_create')).length >= 2);

    fails(await call('GET', '/audit?outcome=maybe', admin), 400, 'ValidationError');
    fails(await call('GET', '/audit?since=yesterday', admin), 400, 'ValidationError');
    fails(await call('GET', '/audit?limit=0', admin), 400, 'ValidationError');
    fails(await call('GET', '/audit?color=red', admin), 400, 'ValidationError');
    assert.ok((await audit(admin, '?limit=100000')).entries.length <= 1000);
  });

  it('is shown by `haas audit` as a table or JSON', () => {
    const env = {
      HAAS_ENDPOINT: `unix:${d.socket}`, HIL_ENDPOINT: '', HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password,
      HAAS_CLIENT_CONFIG: join(scratch, 'none.conf'), NO_COLOR: '1',
    };
    const json = runHaas(['audit', '--node', 'n1', '--network', 'pa-net', '--operation', 'node_connect_network', '--json'], { env });
    assert.equal(json.code, 0, json.stderr);
    const page = JSON.parse(json.stdout) as { entries: Entry[] };
    assert.deepEqual(page.entries.map((e) => [e.actor, e.node, e.network]), [['alice', 'n1', 'pa-net']]);
    const table = runHaas(['audit', '--actor', 'zed', '--since', '1d'], { env });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^TIME\s+ACTOR\s+SOURCE\s+OPERATION\s+TARGET\s+PROJECTS\s+OUTCOME/);
    assert.match(table.stdout, /zed\s+socket\s+login\s+refused 401 AuthorizationError x4/);
    const bad = runHaas(['audit', '--limit', 'lots'], { env });
    assert.notEqual(bad.code, 0);
  });
});

describe('the audit trail\'s retention ([audit] retention)', () => {
  it('prunes entries past the retention in the background (at start, then hourly)', async () => {
    const config = '[drift]\ninterval = 0\n[audit]\nretention = 1s\n';
    let daemon = await startDaemon({ auth: 'null', config });
    const dir = daemon.dir;
    try {
      const as = callerAs(() => daemon);
      ok(await as('PUT', '/project/old', null));
      assert.deepEqual((await as('GET', '/audit', null)).json.entries.map((e: Entry) => [e.actor, e.operation, e.detail]),
        [[null, 'project_create', { project: 'old' }]]);
      await daemon.stop();
      await new Promise((r) => setTimeout(r, 1100)); // let the entry age past the retention
      daemon = await startDaemon({ auth: 'null', config, dir });
      ok(await as('PUT', '/project/new', null));
      assert.deepEqual((await as('GET', '/audit', null)).json.entries.map((e: Entry) => e.detail.project), ['new']);
    } finally {
      await daemon.cleanup();
      rmSync(dir, { recursive: true, force: true }); // the second daemon was given the dir: cleanup() leaves it
    }
  });
});
