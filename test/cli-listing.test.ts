// The bulk listing GET /node_details and what the CLI makes of it: `haas node list --long`, `switch show`
// with type and host, `-o json|yaml|csv|table` and `--columns`, and `--wait`'s progress line, drawn on a
// terminal (a pty from script(1)) and never in a pipe. On the executable, against a daemon with
// database auth: an admin and a member of one project.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parse as parseYaml } from 'yaml';
import { haasCommand, runHaas, startDaemon, waitAction, type Credentials } from './lib/daemon.js';
import { callerAs, createUser, ok, session } from './lib/fixtures.js';

type TestDaemon = Awaited<ReturnType<typeof startDaemon>>;
const admin: Credentials = { username: 'admin', password: 'admin-pw' };
const OBM = { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } };

/** RFC 4180 rows (enough for the cells haas writes: quoted when they hold a comma, quote or newline). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; }
    else if (ch === '\r') continue;
    else if (ch === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += ch;
  }
  return rows;
}

describe('listings: node_details, node list --long, -o and --columns, --wait progress', () => {
  let d: TestDaemon;
  const call = callerAs(() => d);
  let alice: Credentials;

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
    // Each switch change takes 2 s, so that a waiting command sees its action PENDING.
    d = await startDaemon({ auth: 'database', admins: [admin], config: '[driver.mock]\nswitch_delay_ms = 2000\n' });
    for (const p of ['pa', 'pb']) ok(await call('PUT', `/project/${p}`, admin));
    alice = await createUser(session(d, admin), 'alice', { projects: ['pa'] });
    for (const n of ['n1', 'n2', 'n3']) ok(await call('PUT', `/node/${n}`, admin, OBM));
    ok(await call('PUT', '/switch/sw0', admin, { type: 'mock', hostname: 'sw0.example', username: 'u', password: 'switch-secret' }));
    for (const [node, port] of [['n1', 'gi1/0/1'], ['n3', 'gi1/0/3']] as const) {
      ok(await call('PUT', `/node/${node}/nic/eth0`, admin, { macaddr: `aa:bb:cc:00:00:0${port.slice(-1)}` }));
      ok(await call('PUT', `/switch/sw0/port/${encodeURIComponent(port)}`, admin));
      ok(await call('POST', `/switch/sw0/port/${encodeURIComponent(port)}/connect_nic`, admin, { node, nic: 'eth0' }));
    }
    ok(await call('POST', '/project/pa/connect_node', admin, { node: 'n1' }));
    ok(await call('POST', '/project/pb/connect_node', admin, { node: 'n3' }));
    ok(await call('PUT', '/network/net1', admin, { owner: 'pa', access: 'pa', net_id: '' }));
    const id = ok(await call('POST', '/node/n1/nic/eth0/connect_network', admin, { network: 'net1' }), 202).json.status_id;
    assert.equal((await waitAction(d, id, admin)).status, 'DONE');
    ok(await call('PUT', '/node/n1/obm', admin, { enabled: true }));
    ok(await call('POST', '/node/n1/power_off', admin));
  });
  after(async () => { await d?.cleanup(); });

  it('GET /node_details: an admin sees every node with cabling, lease, OBM and last power state', async () => {
    const page = ok(await call('GET', '/node_details', admin)).json;
    assert.equal(page.next, null);
    assert.deepEqual(page.nodes.map((n: { name: string }) => n.name), ['n1', 'n2', 'n3']);
    const n1 = page.nodes[0];
    assert.equal(n1.project, 'pa');
    assert.deepEqual(n1.obm, { type: 'mock', enabled: true });
    assert.equal(n1.power.state, 'off');
    assert.equal(n1.lease.state, 'active');
    assert.deepEqual(n1.nics, [{ label: 'eth0', macaddr: 'aa:bb:cc:00:00:01', networks: { 'vlan/native': 'net1' }, switch: 'sw0', port: 'gi1/0/1' }]);
    assert.deepEqual([page.nodes[1].project, page.nodes[1].lease, page.nodes[1].power], [null, null, null]);
  });

  it('GET /node_details: a member sees free nodes and their projects\' nodes, without cabling; pages and filters', async () => {
    const mine = ok(await call('GET', '/node_details', alice)).json;
    assert.deepEqual(mine.nodes.map((n: { name: string }) => n.name), ['n1', 'n2']);
    assert.equal('switch' in mine.nodes[0].nics[0], false);
    const first = ok(await call('GET', '/node_details?limit=1', admin)).json;
    assert.deepEqual([first.nodes.map((n: { name: string }) => n.name), first.next], [['n1'], 'n1']);
    const second = ok(await call('GET', `/node_details?limit=1&after=${first.next}`, admin)).json;
    assert.deepEqual(second.nodes.map((n: { name: string }) => n.name), ['n2']);
    assert.deepEqual(ok(await call('GET', '/node_details?free=true', alice)).json.nodes.map((n: { name: string }) => n.name), ['n2']);
    assert.equal((await call('GET', '/node_details?project=pb', alice)).status, 401);
    assert.equal((await call('GET', '/node_details?project=nope', admin)).status, 404);
    for (const bad of ['limit=0', 'limit=x', 'limit=1001', 'free=yes', 'project=pa&free=true', 'sort=name']) {
      assert.equal((await call('GET', `/node_details?${bad}`, admin)).status, 400, bad);
    }
  });

  it('node list --long: one row per node; -o json, yaml and csv with --columns parse back', () => {
    const plain = okHaas(admin, ['node', 'list']);
    assert.equal(plain, 'n1\nn2\nn3\n');
    const long = okHaas(admin, ['node', 'list', '--long']).trim().split('\n');
    assert.match(long[0]!, /^NAME\s+PROJECT\s+LEASE_END\s+OBM\s+POWER\s+NICS\s+PORTS\s+NETWORKS$/);
    assert.match(long[1]!, /^n1\s+pa\s+no end\s+mock\s+off since \S+\s+eth0\s+eth0=sw0:gi1\/0\/1\s+net1\(eth0\)$/);
    assert.match(long[2]!, /^n2\s+-\s+-\s+mock \(disabled\)\s+-\s+-\s+-\s+-$/);
    const json = JSON.parse(okHaas(alice, ['node', 'list', '--long', '-o', 'json']));
    assert.deepEqual(json.map((n: { name: string }) => n.name), ['n1', 'n2']);
    const yaml = parseYaml(okHaas(admin, ['node', 'list', 'free', '--long', '-o', 'yaml']));
    assert.deepEqual(yaml.map((n: { name: string }) => n.name), ['n2']);
    const csv = parseCsv(okHaas(admin, ['node', 'list', '--long', '-o', 'csv', '--columns', 'name,project,ports']));
    assert.deepEqual(csv, [['name', 'project', 'ports'], ['n1', 'pa', 'eth0=sw0:gi1/0/1'], ['n2', '', ''], ['n3', 'pb', 'eth0=sw0:gi1/0/3']]);
    const projectOnly = parseCsv(okHaas(admin, ['node', 'list', '--long', '--project', 'pb', '-o', 'csv', '--columns', 'name']));
    assert.deepEqual(projectOnly, [['name'], ['n3']]);
    assert.deepEqual(parseCsv(okHaas(admin, ['node', 'list', 'free', '-o', 'csv'])), [['name'], ['n2']]);
    assert.deepEqual(JSON.parse(okHaas(admin, ['node', 'list', '--columns', 'name', '-o', 'json'])), [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }]);
    assert.equal(okHaas(admin, ['node', 'list', '--long', '-o', 'table', '--columns', 'name,power']).split('\n')[0], 'NAME  POWER');
  });

  it('-o and --columns refuse what they cannot do (exit 2)', () => {
    const badFormat = haas(admin, ['node', 'list', '-o', 'xml']);
    assert.equal(badFormat.code, 2);
    assert.match(badFormat.stderr, /-o xml: expected json, yaml, csv or table/);
    const badColumn = haas(admin, ['node', 'list', '--long', '--columns', 'name,colour']);
    assert.equal(badColumn.code, 2);
    assert.match(badColumn.stderr, /unknown column "colour" \(columns: name, project/);
    const noRows = haas(admin, ['switch', 'drift', '-o', 'csv']);
    assert.equal(noRows.code, 2);
    assert.match(noRows.stderr, /-o csv is not available for this command/);
  });

  it('switch show gives the driver type and host, never a credential; -o csv', () => {
    const shown = okHaas(admin, ['switch', 'show', 'sw0']);
    assert.match(shown, /^type:\s+mock$/m);
    assert.match(shown, /^host:\s+sw0\.example$/m);
    assert.doesNotMatch(shown, /switch-secret/);
    assert.deepEqual(parseCsv(okHaas(admin, ['switch', 'show', 'sw0', '-o', 'csv', '--columns', 'name,type,host'])),
      [['name', 'type', 'host'], ['sw0', 'mock', 'sw0.example']]);
    assert.doesNotMatch(okHaas(admin, ['switch', 'show', 'sw0', '-o', 'yaml']), /switch-secret/);
  });

  it('--wait draws a progress line on a terminal, and nothing of it in a pipe', () => {
    const { cmd, args } = haasCommand();
    const line = (nic: string, wait: string) => [cmd, ...args, 'node', 'connect-network', 'n3', nic, 'net3', wait, '--endpoint', d.url, '--username', 'admin'];
    okHaas(admin, ['network', 'create', 'net3', '--owner', 'pb']);
    // A pty: script(1) runs the command with its stdout and stderr on a terminal.
    const quoted = line('eth0', '--wait=1m').map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    const tty = spawnSync('script', ['-qec', quoted, '/dev/null'], {
      encoding: 'utf8', env: { ...process.env, HAAS_PASSWORD: admin.password, HAAS_CLIENT_CONFIG: '/nonexistent', NO_COLOR: '1' },
    });
    assert.equal(tty.status, 0, tty.stdout + tty.stderr);
    assert.match(tty.stdout, /\rnetworking action \S+ \(modify_port n3\/eth0 vlan\/native -> net3\): PENDING \(\d+s\)\x1b\[K/);
    assert.match(tty.stdout, /networking action \S+: DONE/);
    // The same in a pipe: the start and end lines, no progress line.
    const piped = haas(admin, ['node', 'detach-network', 'n3', 'eth0', 'net3', '--wait']);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stderr, /^waiting for networking action \S+ \.\.\.\nnetworking action \S+: DONE\n$/);
    const badTimeout = haas(admin, ['node', 'detach-network', 'n3', 'eth0', 'net3', '--wait=soon']);
    assert.equal(badTimeout.code, 2);
    assert.match(badTimeout.stderr, /--wait=soon: expected a timeout/);
  });

  it('lease set --wait follows the release to its end', async () => {
    const r = haas(admin, ['lease', 'set', 'n3', '--for', '1s', '--wait=2m']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node n3 released\n$/);
    // The daemon closed this process's idle keep-alive socket while spawnSync blocked: let the event loop drop it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ok(await call('GET', '/node/n3', admin)).json.project, null);
  });
});
