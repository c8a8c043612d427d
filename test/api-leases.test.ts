// Leases through the API on the executable (issue 13, docs/leases.md): a reservation's end
// time, who may move it within and beyond `[leases] maximum`, and the release at the end with
// the mock switch and mock OBM (networks detached, OBM off and disabled, node free), also across
// a restart in the middle of a release, a lease that ended while the daemon was down, and a
// switch that is down during the release; and the warning before the end, POSTed to a webhook.
// Waits poll for the state change; nothing is timed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { runHaas, startDaemon, waitAction, type Credentials, type Daemon } from './lib/daemon.js';
import { callerAs, createUser, fails, ok, session } from './lib/fixtures.js';
import { startFakeObmd } from './lib/fake-obmd.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;

const admin: Credentials = { username: 'admin', password: 'admin-pw' };
const MOCK_SWITCH = { type: 'mock', hostname: 'sw.example', username: 'u', password: 'p' };

/** Poll `probe` until it returns a value (not undefined); fails after `ms` with `what`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The inventory a release test needs: a switch, and per node a cabled nic, a mock OBM, a reservation in `project`. */
class Lab {
  private ports = 0;
  constructor(private readonly d: () => Daemon) {}
  get call() { return callerAs(this.d); }

  async setUp(project: string): Promise<void> {
    ok(await this.call('PUT', `/project/${project}`, admin));
    ok(await this.call('PUT', '/switch/sw', admin, MOCK_SWITCH));
  }

  /** A node reserved into `project`, its nic on `network` (DONE) and its OBM on and powered on. Returns its port. */
  async reservedNode(node: string, project: string, network: string | null): Promise<string> {
    const { call } = this;
    const port = `gi1/0/${++this.ports}`;
    ok(await call('PUT', `/node/${node}`, admin, { obm: { type: 'mock', host: `${node}-bmc`, user: 'u', password: 'p' } }));
    ok(await call('PUT', `/node/${node}/nic/eth0`, admin, { macaddr: `${node}-eth0` }));
    ok(await call('PUT', `/switch/sw/port/${encodeURIComponent(port)}`, admin));
    ok(await call('POST', `/switch/sw/port/${encodeURIComponent(port)}/connect_nic`, admin, { node, nic: 'eth0' }));
    ok(await call('POST', `/project/${project}/connect_node`, admin, { node }));
    if (network !== null) {
      const r = ok(await call('POST', `/node/${node}/nic/eth0/connect_network`, admin, { network }), 202);
      assert.equal((await waitAction(this.d(), r.json.status_id, admin)).status, 'DONE');
    }
    ok(await call('PUT', `/node/${node}/obm`, admin, { enabled: true }));
    ok(await call('POST', `/node/${node}/power_on`, admin));
    return port;
  }

  /** Wait until the node is free (released), then check what a careful admin would have left: no networks, OBM disabled and off, switch port bare. */
  async expectReleased(node: string, port: string): Promise<void> {
    const { call } = this;
    const shown = await until(`${node} released`, async () => {
      const r = ok(await call('GET', `/node/${node}`, admin));
      return r.json.project === null ? r.json : undefined;
    });
    assert.deepEqual(shown.nics[0].networks, {});
    fails(await call('GET', `/node/${node}/lease`, admin), 404, 'NotFoundError');
    fails(await call('GET', `/node/${node}/power_status`, admin), 409, 'BlockedError', /disabled/);
    ok(await call('PUT', `/node/${node}/obm`, admin, { enabled: true }));
    assert.equal(ok(await call('GET', `/node/${node}/power_status`, admin)).json.power_status, 'off');
    ok(await call('PUT', `/node/${node}/obm`, admin, { enabled: false }));
    const verify = ok(await call('GET', '/switch/sw/verify', admin)).json;
    assert.deepEqual(verify.ports[port].actual, { native: null, tagged: [] });
  }
}

describe('leases: ends, maximum and who may move them', () => {
  let d: TestDaemon;
  const call = callerAs(() => d);
  let alice: Credentials; // member of pa
  let bob: Credentials; // member of pb

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[leases]\nmaximum = 1d\n' });
    for (const p of ['pa', 'pb']) ok(await call('PUT', `/project/${p}`, admin));
    alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
    bob = await createUser(session(d, admin), 'bob', { projects: ['pb'] });
    for (const n of ['n1', 'n2', 'n3']) ok(await call('PUT', `/node/${n}`, admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    ok(await call('POST', '/project/pa/connect_node', alice, { node: 'n1' }));
    ok(await call('POST', '/project/pb/connect_node', bob, { node: 'n2' }));
  });
  after(async () => { await d?.cleanup(); });

  it('a plain connect_node gets the maximum as its end (no default set); members of the project and admins see it', async () => {
    const lease = ok(await call('GET', '/node/n1/lease', alice)).json;
    assert.deepEqual(Object.keys(lease).sort(), ['ends_at', 'max_ends_at', 'node', 'project', 'release_error', 'started_at', 'state', 'warned_at']);
    assert.equal(lease.node, 'n1');
    assert.equal(lease.project, 'pa');
    assert.equal(lease.state, 'active');
    assert.equal(lease.release_error, null);
    assert.equal(Date.parse(lease.ends_at) - Date.parse(lease.started_at), 86_400_000);
    assert.equal(lease.max_ends_at, lease.ends_at);
    assert.deepEqual(ok(await call('GET', '/node/n1/lease', admin)).json, lease);
    fails(await call('GET', '/node/n1/lease', bob), 401, 'AuthorizationError');
    fails(await call('GET', '/node/n3/lease', admin), 404, 'NotFoundError', /not reserved/);
    fails(await call('GET', '/node/nope/lease', admin), 404, 'NotFoundError');
  });

  it('members set, extend and shorten within the maximum; beyond it or clearing the end is refused, naming the maximum', async () => {
    const two = ok(await call('PUT', '/node/n1/lease', alice, { for: '2h' })).json;
    assert.ok(Date.parse(two.ends_at) - Date.now() <= 2 * 3_600_000);
    const until = new Date(Date.parse(two.started_at) + 20 * 3_600_000).toISOString();
    assert.equal(ok(await call('PUT', '/node/n1/lease', alice, { until })).json.ends_at, until);
    fails(await call('PUT', '/node/n1/lease', alice, { for: '2d' }), 409, 'BlockedError', /maximum lease of 1d/);
    fails(await call('PUT', '/node/n1/lease', alice, { until: null }), 409, 'BlockedError', /Only an admin.*maximum = 1d/);
    assert.equal(ok(await call('GET', '/node/n1/lease', alice)).json.ends_at, until, 'a refused change changes nothing');
    fails(await call('PUT', '/node/n1/lease', bob, { for: '1h' }), 401, 'AuthorizationError');
  });

  it('admins go beyond the maximum and clear the end', async () => {
    const long = ok(await call('PUT', '/node/n1/lease', admin, { for: '30d' })).json;
    assert.ok(Date.parse(long.ends_at) > Date.parse(long.max_ends_at));
    assert.equal(ok(await call('PUT', '/node/n1/lease', admin, { until: null })).json.ends_at, null);
    ok(await call('PUT', '/node/n1/lease', alice, { for: '1h' }));
  });

  it('refuses a bad duration or time, one in the past, and a body with both or neither (400)', async () => {
    fails(await call('PUT', '/node/n1/lease', alice, { for: 'soon' }), 400, 'BadArgumentError', /not a duration/);
    fails(await call('PUT', '/node/n1/lease', alice, { until: 'tomorrow' }), 400, 'BadArgumentError', /ISO 8601/);
    fails(await call('PUT', '/node/n1/lease', alice, { until: 42 }), 400, 'BadArgumentError');
    fails(await call('PUT', '/node/n1/lease', alice, { until: '2001-01-01T00:00:00Z' }), 400, 'BadArgumentError', /in the past/);
    fails(await call('PUT', '/node/n1/lease', alice, { for: '1h', until: null }), 400, 'ValidationError');
    fails(await call('PUT', '/node/n1/lease', alice, {}), 400, 'ValidationError');
  });

  it('GET /leases: admins see all, members their projects; ?project= narrows (project access)', async () => {
    const names = (r: { json: Array<{ node: string }> }) => r.json.map((l) => l.node);
    assert.deepEqual(names(ok(await call('GET', '/leases', admin))), ['n1', 'n2']);
    assert.deepEqual(names(ok(await call('GET', '/leases', alice))), ['n1']);
    assert.deepEqual(names(ok(await call('GET', '/leases?project=pb', admin))), ['n2']);
    fails(await call('GET', '/leases?project=pb', alice), 401, 'AuthorizationError');
  });

  it('detach_node ends the lease; a new reservation starts a new one', async () => {
    ok(await call('POST', '/project/pb/detach_node', bob, { node: 'n2' }));
    fails(await call('GET', '/node/n2/lease', admin), 404, 'NotFoundError');
    ok(await call('POST', '/project/pa/connect_node', alice, { node: 'n2' }));
    assert.equal(ok(await call('GET', '/node/n2/lease', alice)).json.project, 'pa');
  });
});

describe('leases: the release at the end time', () => {
  let d: TestDaemon;
  const lab = new Lab(() => d);
  const call = callerAs(() => d);

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[driver.mock]\nswitch_delay_ms = 100\n' });
    await lab.setUp('pa');
    ok(await call('PUT', '/network/net-a', admin, { owner: 'pa', access: 'pa', net_id: '' }));
  });
  after(async () => { await d?.cleanup(); });

  it('without [leases] a reservation has no end', async () => {
    await lab.reservedNode('keep', 'pa', null);
    assert.equal(ok(await call('GET', '/node/keep/lease', admin)).json.ends_at, null);
  });

  it('a lease that ends releases the node: networks detached, OBM off and disabled, node free', async () => {
    const port = await lab.reservedNode('r1', 'pa', 'net-a');
    const set = ok(await call('PUT', '/node/r1/lease', admin, { for: '2s' })).json;
    await lab.expectReleased('r1', port);
    assert.equal(ok(await call('GET', '/node/keep/lease', admin)).json.state, 'active', 'other leases are untouched');
    // The audit trail says haas did it (GET /v0/audit is another part of issue 13: read the table).
    const db = new Database(d.db, { readonly: true });
    try {
      const rows = db.prepare(`SELECT a.actor, a.source, a.outcome, a.node, a.detail, p.project FROM audit a
        JOIN audit_project p ON p.audit_id = a.id WHERE a.operation = 'lease_release'`).all() as Array<Record<string, unknown>>;
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.deepEqual({ ...rows[0], detail: JSON.parse(String(rows[0]!.detail)) },
        { actor: null, source: 'haas', outcome: 'ok', node: 'r1', project: 'pa', detail: { project: 'pa', ends_at: set.ends_at, to: 'free' } });
    } finally { db.close(); }
  });

  it('an obmd node is powered off through obmd with a node token, which is then revoked', async () => {
    const obmd = await startFakeObmd();
    try {
      const uri = obmd.addNode('o1', 'obmd-admin-token');
      ok(await call('PUT', '/node/o1', admin, { obmd: { uri, admin_token: 'obmd-admin-token' } }));
      ok(await call('POST', '/project/pa/connect_node', admin, { node: 'o1' }));
      ok(await call('PUT', '/node/o1/obm', admin, { enabled: true }));
      ok(await call('PUT', '/node/o1/lease', admin, { for: '1s' }));
      await until('o1 released', async () => (ok(await call('GET', '/node/o1', admin)).json.project === null ? true : undefined));
      assert.equal(obmd.power('o1'), 'off');
      assert.equal(obmd.currentToken('o1'), undefined, 'the node token is revoked');
      assert.deepEqual(obmd.callsFor('o1').map((c) => `${c.method} ${c.path}`),
        ['POST /node/o1/token', 'POST /node/o1/power_off', 'DELETE /node/o1/token']);
    } finally { await obmd.close(); }
  });
});

describe('leases: releases across restarts and a switch that is down', () => {
  let d: TestDaemon;
  let dir: string;
  const lab = new Lab(() => d);
  const call = callerAs(() => d);
  const config = '[driver.mock]\nswitch_delay_ms = 1500\n[drift]\ninterval = 0\n';

  async function restart(): Promise<void> {
    d = await startDaemon({ auth: 'database', admins: [admin], config, dir });
  }

  /** Set the stored hostname of the mock switch (daemon stopped): a name ending in .invalid is a switch that is down. */
  function setSwitchHost(hostname: string): void {
    const db = new Database(d.db);
    try {
      db.prepare('UPDATE switch SET config = json_set(config, \'$.hostname\', ?) WHERE label = ?').run(hostname, 'sw');
    } finally { db.close(); }
  }

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin], config });
    dir = d.dir;
    await lab.setUp('pa');
    ok(await call('PUT', '/network/net-a', admin, { owner: 'pa', access: 'pa', net_id: '' }));
  });
  after(async () => {
    await d?.cleanup();
    // The daemons after a restart were given the directory: their cleanup leaves it.
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a daemon killed while the release\'s detach is PENDING resumes the release at its next start', async () => {
    const port = await lab.reservedNode('k1', 'pa', 'net-a');
    ok(await call('PUT', '/node/k1/lease', admin, { for: '1s' }));
    await until('k1 releasing', async () => {
      const l = ok(await call('GET', '/node/k1/lease', admin)).json;
      return l.state === 'expired, releasing' ? l : undefined;
    });
    // The slow mock switch keeps the detach PENDING for a while: the nic is still on the network.
    assert.deepEqual(ok(await call('GET', '/node/k1', admin)).json.nics[0].networks, { 'vlan/native': 'net-a' });
    await d.kill();
    await restart();
    assert.equal(ok(await call('GET', '/node/k1/lease', admin)).json?.state ?? 'released', 'expired, releasing');
    await lab.expectReleased('k1', port);
  });

  it('a lease that ended while the daemon was down is released at start-up', async () => {
    const port = await lab.reservedNode('w1', 'pa', 'net-a');
    const lease = ok(await call('PUT', '/node/w1/lease', admin, { for: '2s' })).json;
    await d.stop();
    await until('the end time to pass', async () => (Date.now() > Date.parse(lease.ends_at) ? true : undefined));
    await restart();
    await lab.expectReleased('w1', port);
  });

  it('a switch down during the release leaves the node held, "expired, releasing" with the reason; it is retried and completes', async () => {
    const port = await lab.reservedNode('s1', 'pa', 'net-a');
    const lease = ok(await call('PUT', '/node/s1/lease', admin, { for: '2s' })).json;
    await d.stop();
    setSwitchHost('sw-down.invalid');
    await until('the end time to pass', async () => (Date.now() > Date.parse(lease.ends_at) ? true : undefined));
    await restart();
    const failed = await until('the release to fail', async () => {
      const l = ok(await call('GET', '/node/s1/lease', admin)).json;
      return l.release_error ? l : undefined;
    });
    assert.equal(failed.state, 'expired, releasing');
    assert.match(failed.release_error, /detaching net-a failed: .*sw-down\.invalid is unreachable/);
    const shown = ok(await call('GET', '/node/s1', admin)).json;
    assert.equal(shown.project, 'pa', 'the node is still held');
    assert.deepEqual(shown.nics[0].networks, { 'vlan/native': 'net-a' });
    fails(await call('PUT', '/node/s1/lease', admin, { for: '1h' }), 409, 'BlockedError', /being released/);
    // Nothing new goes onto a node being released.
    ok(await call('PUT', '/network/net-s1', admin, { owner: 'pa', access: 'pa', net_id: '' }));
    fails(await call('POST', `/node/s1/nic/${shown.nics[0].label}/connect_network`, admin, { network: 'net-s1', channel: 'vlan/native' }),
      409, 'BlockedError', /being released/);
    const listed = ok(await call('GET', '/leases?project=pa', admin)).json as Array<{ node: string; state: string }>;
    assert.equal(listed.find((l) => l.node === 's1')?.state, 'expired, releasing');
    await d.stop();
    setSwitchHost('sw.example');
    await restart();
    await lab.expectReleased('s1', port);
  });
});

describe('leases: the warning before the end, through the webhook', () => {
  let d: TestDaemon;
  let hook: Server;
  const call = callerAs(() => d);
  /** Every POST the webhook received, with the status it answered. */
  const received: Array<{ body: Record<string, unknown>; status: number; path: string }> = [];
  let refuseNext = 1;

  before(async () => {
    hook = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        const status = refuseNext > 0 ? 500 : 200;
        if (refuseNext > 0) refuseNext--;
        received.push({ body: JSON.parse(text), status, path: req.url ?? '' });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const port = (hook.address() as { port: number }).port;
    d = await startDaemon({ auth: 'database', admins: [admin],
      config: `[leases]\nwarn_before = 1h\nwebhook = http://127.0.0.1:${port}/hooks/s3cr3t-path\n` });
    ok(await call('PUT', '/project/pa', admin));
    for (const n of ['w1', 'w2']) {
      ok(await call('PUT', `/node/${n}`, admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'bmc-password' } }));
      ok(await call('POST', '/project/pa/connect_node', admin, { node: n }));
    }
  });
  after(async () => {
    await d?.cleanup();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  it('a lease ending within warn_before is announced once, retried when the webhook fails; others are not', async () => {
    const lease = ok(await call('PUT', '/node/w1/lease', admin, { for: '30m' })).json;
    ok(await call('PUT', '/node/w2/lease', admin, { for: '3h' }));
    const warned = await until('w1 warned', async () => {
      const l = ok(await call('GET', '/node/w1/lease', admin)).json;
      return l.warned_at ? l : undefined;
    });
    assert.equal(warned.ends_at, lease.ends_at);
    assert.deepEqual(received.map((r) => r.status), [500, 200], 'refused once, then retried');
    for (const r of received) {
      assert.deepEqual(r.body, { event: 'lease_expiring', node: 'w1', project: 'pa', ends_at: lease.ends_at });
      assert.equal(r.path, '/hooks/s3cr3t-path');
    }
    assert.equal(ok(await call('GET', '/node/w2/lease', admin)).json.warned_at, null);
    assert.doesNotMatch(d.stderr, /s3cr3t/, 'the webhook\'s path is not logged');
    const listed = runHaas(['lease', 'list', '--endpoint', d.url, '--username', admin.username],
      { env: { HAAS_PASSWORD: admin.password, HAAS_CLIENT_CONFIG: '/nonexistent' } });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^w1 .*ends in \S+ \(warned\)$/m);
  });

  it('moving the end owes a new warning for the new end', async () => {
    const moved = ok(await call('PUT', '/node/w1/lease', admin, { for: '40m' })).json;
    assert.equal(moved.warned_at, null);
    await until('w1 warned again', async () => (ok(await call('GET', '/node/w1/lease', admin)).json.warned_at ? true : undefined));
    assert.deepEqual(received.at(-1)?.body, { event: 'lease_expiring', node: 'w1', project: 'pa', ends_at: moved.ends_at });
    assert.equal(received.filter((r) => r.status === 200).length, 2);
  });
});

describe('leases: a configuration change, and the release into the maintenance pool', () => {
  let d: TestDaemon;
  let dir: string;
  let pool: Server;
  const accepted: string[] = [];
  const call = callerAs(() => d);
  let alice: Credentials;

  before(async () => {
    pool = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => { accepted.push(JSON.parse(text).node); res.writeHead(200).end(); });
    });
    await new Promise<void>((r) => pool.listen(0, '127.0.0.1', r));
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[leases]\ndefault = 1d\n' });
    dir = d.dir;
    for (const p of ['pa', 'maintenance']) ok(await call('PUT', `/project/${p}`, admin));
    alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
    ok(await call('PUT', '/node/m1', admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    ok(await call('POST', '/project/pa/connect_node', alice, { node: 'm1' }));
  });
  after(async () => {
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((r) => pool.close(() => r()));
  });

  it('a lower maximum after a restart keeps existing ends; members are then held to it', async () => {
    const before = ok(await call('GET', '/node/m1/lease', alice)).json;
    assert.equal(Date.parse(before.ends_at) - Date.parse(before.started_at), 86_400_000);
    await d.stop();
    const port = (pool.address() as { port: number }).port;
    d = await startDaemon({ auth: 'database', admins: [admin], dir,
      config: `[leases]\nmaximum = 1h\n[maintenance]\nproject = maintenance\nurl = http://127.0.0.1:${port}/accept\n` });
    const after = ok(await call('GET', '/node/m1/lease', alice)).json;
    assert.equal(after.ends_at, before.ends_at, 'the stored end stays');
    assert.equal(Date.parse(after.max_ends_at) - Date.parse(after.started_at), 3_600_000);
    fails(await call('PUT', '/node/m1/lease', alice, { for: '2h' }), 409, 'BlockedError', /maximum lease of 1h/);
  });

  it('with [maintenance], a released node goes to the maintenance pool', async () => {
    ok(await call('PUT', '/node/m1/lease', alice, { for: '1s' }));
    await until('m1 released', async () => {
      const shown = ok(await call('GET', '/node/m1', admin)).json;
      return shown.project === 'maintenance' ? true : undefined;
    });
    assert.deepEqual(accepted, ['m1']);
    fails(await call('GET', '/node/m1/lease', admin), 404, 'NotFoundError', /not reserved/);
  });
});
