// The executable called as `hil` (a symlink named hil): HIL's click command forms (hil/cli/*.py at
// 8c6de22) with HIL_ENDPOINT/HIL_USERNAME/HIL_PASSWORD against a daemon with database auth, their
// output (the data HIL printed) and exit codes: 0, 1 with "Error: <msg>" when the daemon refuses,
// 2 for a usage error.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haasCommand, startDaemon, waitAction, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const admin: Credentials = { username: 'admin', password: 'admin-pw' };

describe('hil: HIL\'s command line on the haas executable', () => {
  let d: TestDaemon;
  let dir: string;
  let hilPath: string;
  const callNow = callerAs(() => d);
  /**
   * The test's HTTP agent keeps sockets alive; while spawnSync blocks this process, the daemon closes the
   * idle ones, and reusing one fails with EPIPE. Letting the event loop turn first discards them.
   */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const call: typeof callNow = async (...a) => { await settle(); return callNow(...a); };
  const waitDone = async (id: string) => { await settle(); return (await waitAction(d, id, admin)).status; };
  let alice: Credentials;

  /** Run `hil ARGS` as `who` (null: HIL_USERNAME/HIL_PASSWORD unset), with extra environment. */
  function hil(who: Credentials | null, args: string[], env: Record<string, string | undefined> = {}) {
    const base: NodeJS.ProcessEnv = { ...process.env, HIL_ENDPOINT: d.url, HIL_USERNAME: who?.username, HIL_PASSWORD: who?.password, ...env };
    for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
    const r = spawnSync(hilPath, args, { env: base, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  function okHil(who: Credentials, args: string[]): string {
    const r = hil(who, args);
    assert.equal(r.code, 0, `hil ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin] });
    dir = mkdtempSync(join(tmpdir(), 'haas-test-hil-'));
    hilPath = join(dir, 'hil');
    const { cmd, args } = haasCommand();
    if (args.length === 0) {
      symlinkSync(cmd, hilPath);
    } else {
      // Without HAAS_BIN the sources run through tsx: a script starts them with argv[0] "hil", as a symlink would.
      writeFileSync(hilPath, `#!/bin/bash\nexec -a hil ${[cmd, ...args].map((a) => `'${a}'`).join(' ')} "$@"\n`);
      chmodSync(hilPath, 0o755);
    }
    alice = await createUser(session(d, admin), 'alice');
  });
  after(async () => {
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs an admin\'s HIL session: projects, nodes, switches, ports, networks, users', async () => {
    assert.equal(okHil(admin, ['project', 'create', 'proj']), '');
    assert.equal(okHil(admin, ['switch', 'register', 'sw0', 'mock', 'sw0.example', 'swuser', 'swpass']), '');
    okHil(admin, ['port', 'register', 'sw0', 'gi1/0/1']);
    // HIL registers nodes only through obmd; haas takes the same form (the token is HIL's argument).
    ok(await call('PUT', '/node/n1', admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    ok(await call('PUT', '/node/n2', admin, { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } }));
    okHil(admin, ['node', 'nic', 'register', 'n1', 'eth0', 'aa:bb:cc:dd:ee:01']);
    okHil(admin, ['port', 'nic', 'add', 'sw0', 'gi1/0/1', 'n1', 'eth0']);
    okHil(admin, ['node', 'metadata', 'add', 'n1', 'rack', 'r12']);
    assert.match(okHil(admin, ['node', 'list', 'free']), /\| Free Nodes \(2\) \|\n\+-+\+\n\| n1 +\|\n\| n2 +\|/);
    assert.deepEqual(JSON.parse(okHil(admin, ['node', 'list', 'all', '--json'])), ['n1', 'n2']);
    okHil(admin, ['project', 'node', 'add', 'proj', 'n1']);
    assert.match(okHil(admin, ['project', 'node', 'list', 'proj']), /\| Nodes \(1\) \|[\s\S]*\| n1 +\|/);
    okHil(admin, ['user', 'project', 'add', 'alice', 'proj']);

    okHil(admin, ['network', 'create', 'net1', 'proj', '--access', 'proj', '--net_id', '']);
    okHil(admin, ['network', 'create', 'pub', 'admin', '--access', '', '--net-id', '1234']);
    const nets = okHil(admin, ['network', 'list']);
    assert.match(nets, /\|\s+Name\s+\|\s+Network ID\s+\|\s+Projects\s+\|/);
    assert.match(nets, /\| pub\s+\| 1234\s+\|\s+\|/);
    assert.equal(JSON.parse(okHil(admin, ['network', 'show', 'net1', '--json'])).owner, 'proj');

    // node network connect NODE NIC NET [CHANNEL]: the status id in a table, then networking-action show.
    const connected = okHil(alice, ['node', 'network', 'connect', 'n1', 'eth0', 'net1']);
    const id = /\| Status ID \| (\S+) \|/.exec(connected)?.[1] ?? '';
    assert.notEqual(id, '');
    assert.equal(await waitDone(id), 'DONE');
    assert.match(okHil(alice, ['networking-action', 'show', id]), /\| Status\s+\| DONE\s+\|/);
    const shown = okHil(admin, ['node', 'show', 'n1']);
    for (const row of [/\| Project\s+\| proj\s+\|/, /\| Switch\s+\| sw0\s+\|/, /\| Port\s+\| gi1\/0\/1\s+\|/, /\| Networks\s+\| net1\(vlan\/native\)\s+\|/, /\| rack\s+\| r12\s+\|/]) {
      assert.match(shown, row);
    }
    assert.match(okHil(admin, ['port', 'show', 'sw0', 'gi1/0/1']), /\| Networks \| net1 \(vlan\/native\) \|/);
    assert.deepEqual(Object.keys(JSON.parse(okHil(admin, ['network', 'list-attachments', 'net1', '--json']))), ['n1']);
    const detached = JSON.parse(okHil(alice, ['node', 'network', 'detach', 'n1', 'eth0', 'net1', '--json']));
    assert.equal(await waitDone(detached.status_id), 'DONE');
  });

  it('power, OBM and console forms reach the node\'s OBM', () => {
    okHil(admin, ['node', 'obm', 'enable', 'n1']);
    assert.equal(okHil(alice, ['node', 'power', 'on', 'n1']), '');
    assert.equal(okHil(alice, ['node', 'power', 'cycle', 'n1']), '');
    assert.match(okHil(alice, ['node', 'power', 'status', 'n1']), /^\{"power_status": "\w+"\}\n$/);
    okHil(alice, ['node', 'bootdev', 'n1', 'disk']);
    okHil(admin, ['node', 'obm', 'disable', 'n1']);
    // The console ends when the OBM is disabled: the daemon refuses it, as HIL would.
    const console = hil(alice, ['node', 'console', 'show', 'n1']);
    assert.equal(console.code, 1);
    assert.match(console.stderr, /^Error: .+\n\n$/);
  });

  it('project node remove --force reverts the ports, waits and frees the node', async () => {
    const id = ok(await call('POST', '/node/n1/nic/eth0/connect_network', admin, { network: 'net1' }), 202).json.status_id;
    assert.equal(await waitDone(id), 'DONE');
    const out = okHil(admin, ['project', 'node', 'remove', 'proj', 'n1', '--force']);
    assert.equal(out, 'Disabled OBM\nSuccesfuly finished removing all networks from the node.\n');
    assert.equal(ok(await call('GET', '/node/n1', admin)).json.project, null);
  });

  it('refusals exit 1 with HIL\'s "Error: <msg>"; bad forms exit 2 with click\'s usage', () => {
    const missing = hil(admin, ['node', 'show', 'nope']);
    assert.deepEqual([missing.code, missing.stdout], [1, '']);
    assert.match(missing.stderr, /^Error: node "nope" does not exist\n\n$/);
    const denied = hil(alice, ['switch', 'list']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^Error: /);
    const anonymous = hil(null, ['project', 'list']);
    assert.equal(anonymous.code, 1);
    const noEndpoint = hil(admin, ['project', 'list'], { HIL_ENDPOINT: undefined });
    assert.deepEqual([noEndpoint.code, noEndpoint.stderr], [1, 'Error: HIL_ENDPOINT not set \n\n']);
    const badChoice = hil(admin, ['node', 'list', 'some']);
    assert.equal(badChoice.code, 2);
    assert.match(badChoice.stderr, /^Usage: hil node list \[OPTIONS\] \{free\|all\}\n[\s\S]*Error: Invalid value for "pool"/);
    const missingArg = hil(admin, ['node', 'network', 'connect', 'n1', 'eth0']);
    assert.equal(missingArg.code, 2);
    assert.match(missingArg.stderr, /Error: Missing argument "network"\./);
    const noCommand = hil(admin, ['node', 'frobnicate']);
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stderr, /Error: No such command "frobnicate"\./);
    const badSwitch = hil(admin, ['switch', 'register', 'sw9', 'nexus', 'h', 'u']);
    assert.equal(badSwitch.code, 1);
    assert.match(badSwitch.stderr, /^ERROR: subtype nexus requires exactly 4 arguments/);
    const group = hil(admin, ['node']);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /Commands:\n[\s\S]*\n {2}network +Commands related to node network\n/);
    assert.match(okHil(admin, ['node', 'network', 'connect', '--help']), /^Usage: hil node network connect \[OPTIONS\] NODE NIC NETWORK \[CHANNEL\]/);
  });

  it('cleans up through HIL\'s forms', () => {
    okHil(admin, ['port', 'nic', 'remove', 'sw0', 'gi1/0/1']);
    okHil(admin, ['port', 'delete', 'sw0', 'gi1/0/1']);
    okHil(admin, ['switch', 'delete', 'sw0']);
    okHil(admin, ['node', 'nic', 'delete', 'n1', 'eth0']);
    okHil(admin, ['node', 'metadata', 'delete', 'n1', 'rack']);
    okHil(admin, ['node', 'delete', 'n1']);
    okHil(admin, ['network', 'delete', 'net1']);
    okHil(admin, ['user', 'project', 'remove', 'alice', 'proj']);
    okHil(admin, ['user', 'set-admin', 'alice', 'admin']);
    okHil(admin, ['user', 'delete', 'alice']);
    assert.deepEqual(JSON.parse(okHil(admin, ['project', 'list', '--json'])), ['proj']);
    okHil(admin, ['project', 'delete', 'proj']);
  });
});
