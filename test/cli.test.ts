// The haas command line: client pieces on their own, then sessions of a sysadmin typing `haas ...`
// against a real daemon (unix socket with null auth; TCP with database auth).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { haasCommand, runHaas, startDaemon, type Daemon } from './lib/daemon.js';
import { label } from './lib/fixtures.js';
import { startFakeObmd } from './lib/fake-obmd.js';
import { parseEndpoint } from '../src/client/endpoint.js';
import { apiError } from '../src/client/transport.js';
import { clientConfigPath, defaultEndpoint, parseClientConfig, resolveClientSettings } from '../src/cli/settings.js';
import { SettingsError } from '../src/settings-files.js';
import { selectCommands } from '../src/cli/run.js';
import { clientCommands } from '../src/cli/commands.js';
import { formatTable } from '../src/cli/output.js';

const scratch = mkdtempSync(join(tmpdir(), 'haas-cli-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A file in the scratch dir with this content and mode. */
function file(name: string, content: string, mode = 0o600): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** An environment with no haas/HIL settings inherited from the test runner. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HAAS_ENDPOINT: '', HIL_ENDPOINT: '', HAAS_USERNAME: '', HIL_USERNAME: '',
    HAAS_CLIENT_CONFIG: join(scratch, 'no-such-client.conf'), NO_COLOR: '1',
  };
  // An empty variable counts as unset for endpoint/username; passwords must really be absent.
  return { ...env, HAAS_PASSWORD: undefined, HIL_PASSWORD: undefined, ...extra };
}

/** runHaas without blocking this process's event loop (for servers running in the test process). */
function runHaasAsync(args: string[], opts: { env: NodeJS.ProcessEnv; input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { cmd, args: pre } = haasCommand();
  const child = spawn(cmd, [...pre, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('client pieces', () => {
  it('parses endpoints', () => {
    assert.deepEqual(parseEndpoint('unix:/run/haas.sock'), { kind: 'unix', socketPath: '/run/haas.sock', text: 'unix:/run/haas.sock' });
    const u = parseEndpoint('unix:///run/haas.sock');
    assert.ok(u.kind === 'unix' && u.socketPath === '/run/haas.sock');
    assert.deepEqual(parseEndpoint('http://127.0.0.1:5000'),
      { kind: 'http', host: '127.0.0.1', port: 5000, basePath: '', text: 'http://127.0.0.1:5000' });
    const s = parseEndpoint('https://hil.example.org/api/');
    assert.ok(s.kind === 'https' && s.port === 443 && s.basePath === '/api' && s.host === 'hil.example.org');
    const v6 = parseEndpoint('http://[::1]:7000');
    assert.ok(v6.kind === 'http' && v6.host === '::1' && v6.port === 7000);
    for (const bad of ['unix:', 'ftp://x', 'localhost:5000', 'http://u:p@host:1', '']) {
      assert.throws(() => parseEndpoint(bad), /invalid endpoint/, bad);
    }
  });

  it('turns error answers into ApiCallError', () => {
    const e = apiError(404, '{"type":"NotFoundError","msg":"node n1 does not exist"}');
    assert.equal(e.status, 404);
    assert.equal(e.type, 'NotFoundError');
    assert.equal(e.msg, 'node n1 does not exist');
    const raw = apiError(502, '<html>Bad gateway</html>');
    assert.equal(raw.type, 'HTTP 502');
    assert.equal(raw.msg, '<html>Bad gateway</html>');
  });

  it('has defaults for the endpoint and the config file', () => {
    assert.equal(defaultEndpoint({}, 0), 'unix:/var/lib/haas/haas.sock');
    assert.equal(defaultEndpoint({ HOME: '/home/u' }, 1000), 'unix:/home/u/.local/state/haas/haas.sock');
    assert.equal(defaultEndpoint({ HOME: '/home/u', XDG_STATE_HOME: '/st' }, 1000), 'unix:/st/haas/haas.sock');
    assert.equal(clientConfigPath({ HOME: '/home/u' }), '/home/u/.config/haas/client.conf');
    assert.equal(clientConfigPath({ HOME: '/home/u', XDG_CONFIG_HOME: '/cfg' }), '/cfg/haas/client.conf');
    assert.equal(clientConfigPath({ HAAS_CLIENT_CONFIG: '/etc/x.conf' }), '/etc/x.conf');
  });

  it('parses the client config', () => {
    assert.deepEqual(parseClientConfig('# comment\n[other]\nx = 1\n[client]\nendpoint = unix:/s\n; c\nusername = bob\n', 'f'),
      { endpoint: 'unix:/s', username: 'bob' });
    assert.throws(() => parseClientConfig('[client]\nendpont = x\n', 'f'), /unknown key "endpont"/);
    assert.throws(() => parseClientConfig('[client]\njunk\n', 'f'), /f:2/);
  });

  it('resolves settings: flags > env (HAAS_ then HIL_) > config file > default', () => {
    const conf = file('prec.conf', '[client]\nendpoint = unix:/from-file\nusername = fileuser\npassword = filepw\n');
    const pwFile = file('flag.pw', 'flagpw\n');
    const base = { HAAS_CLIENT_CONFIG: conf };
    assert.deepEqual(resolveClientSettings({}, base, 1000),
      { endpoint: 'unix:/from-file', credentials: { username: 'fileuser', password: 'filepw' } });
    assert.deepEqual(resolveClientSettings({}, { ...base, HIL_ENDPOINT: 'http://hil:1', HIL_USERNAME: 'hu', HIL_PASSWORD: 'hp' }, 1000),
      { endpoint: 'http://hil:1', credentials: { username: 'hu', password: 'hp' } });
    assert.deepEqual(resolveClientSettings({}, {
      ...base, HIL_ENDPOINT: 'http://hil:1', HAAS_ENDPOINT: 'http://haas:2', HIL_USERNAME: 'hu', HAAS_USERNAME: 'au',
      HIL_PASSWORD: 'hp', HAAS_PASSWORD: 'ap',
    }, 1000), { endpoint: 'http://haas:2', credentials: { username: 'au', password: 'ap' } });
    assert.deepEqual(resolveClientSettings({ endpoint: 'unix:/flag', username: 'fu', passwordFile: pwFile },
      { ...base, HAAS_ENDPOINT: 'http://haas:2', HAAS_USERNAME: 'au', HAAS_PASSWORD: 'ap' }, 1000),
    { endpoint: 'unix:/flag', credentials: { username: 'fu', password: 'flagpw' } });
    // Nothing anywhere: the daemon's default socket, no credentials.
    assert.deepEqual(resolveClientSettings({}, { HAAS_CLIENT_CONFIG: join(scratch, 'none.conf') }, 0),
      { endpoint: 'unix:/var/lib/haas/haas.sock' });
    // A user without any password is a mistake worth saying.
    assert.throws(() => resolveClientSettings({ username: 'x' }, { HAAS_CLIENT_CONFIG: join(scratch, 'none.conf') }, 0),
      (e: unknown) => e instanceof SettingsError && /no password for user "x"/.test(e.message));
  });

  it('refuses a config file with a password that others can read', () => {
    const open = file('open.conf', '[client]\nusername = u\npassword = p\n', 0o644);
    assert.throws(() => resolveClientSettings({}, { HAAS_CLIENT_CONFIG: open }, 0),
      (e: unknown) => e instanceof SettingsError && /refusing to use .*open\.conf.*chmod 600/.test(e.message));
    // Without a password, a readable file is fine.
    const noSecret = file('nosecret.conf', '[client]\nendpoint = unix:/x\n', 0o644);
    assert.equal(resolveClientSettings({}, { HAAS_CLIENT_CONFIG: noSecret }, 0).endpoint, 'unix:/x');
  });

  it('registers only the commands an argument line can name', () => {
    const names = (argv: string[]) => selectCommands(argv, clientCommands).map((c) => (c.paths ?? [])[0]?.join(' '));
    assert.deepEqual(names(['node', 'list', 'free']), ['node list']);
    assert.deepEqual(names(['node', 'nic', 'register', 'n', 'e', 'm']), ['node nic register']);
    assert.ok(names(['node', '--help']).length > 10 && names(['node', '--help']).every((n) => n?.startsWith('node ')));
    assert.equal(names(['--version']).length, clientCommands.length);
    assert.equal(names(['frobnicate']).length, clientCommands.length);
  });

  it('aligns tables', () => {
    assert.equal(formatTable(['name', 'vlan'], [['net-long', '100'], ['n', '2000']]),
      'NAME      VLAN\nnet-long  100\nn         2000\n');
  });
});

describe('haas CLI on a unix socket (null auth)', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let haas: (args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }) => ReturnType<typeof runHaas>;
  const ok = (args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }) => {
    const r = haas(args, opts);
    assert.equal(r.code, 0, `haas ${args.join(' ')} -> ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    d = await startDaemon();
    haas = (args, opts = {}) => runHaas(args, { env: cleanEnv({ HAAS_ENDPOINT: `unix:${d.socket}`, ...opts.env }), input: opts.input });
  });
  after(async () => { await d?.cleanup(); });

  it('runs the seed workflow: inventory, reservation, networking with --wait, release', () => {
    const project = label('proj');
    const node = label('node');
    const sw = label('sw');
    const net = label('net');
    const port = 'gi1/0/7';
    const secret = file('seed.pw', 'bmc-secret\n');

    ok(['project', 'create', project]);
    assert.ok(ok(['project', 'list']).split('\n').includes(project));
    ok(['node', 'register', node, '--obm-type', 'mock', '--obm-host', 'bmc.example', '--obm-user', 'root',
      '--obm-password-file', secret, '--metadata', 'rack=12', '--metadata', 'owner=lab']);
    ok(['node', 'nic', 'register', node, 'eth0', 'de:ad:be:ef:00:01']);
    // The switch password comes from stdin (`-`), never from the command line.
    ok(['switch', 'register', sw, '--type', 'mock', '--field', 'hostname=sw.example', '--field', 'username=admin',
      '--switch-password-file', '-'], { input: 'sw-secret\n' });
    ok(['port', 'register', sw, port]);
    ok(['port', 'connect-nic', sw, port, node, 'eth0']);
    assert.ok(ok(['node', 'list', 'free']).split('\n').includes(node));
    ok(['project', 'connect-node', project, node]);
    assert.ok(!ok(['node', 'list', 'free']).split('\n').includes(node));
    assert.deepEqual(ok(['project', 'nodes', project]).trim().split('\n'), [node]);

    ok(['network', 'create', net, '--owner', project]);
    assert.ok(ok(['project', 'networks', project]).split('\n').includes(net));
    const connect = haas(['node', 'connect-network', node, 'eth0', net, '--wait']);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stderr, /DONE/);

    // Human output: aligned fields and a nic table with the switch and port (null auth is admin).
    const shown = ok(['node', 'show', node]);
    assert.match(shown, new RegExp(`^name:\\s+${node}$`, 'm'));
    assert.match(shown, new RegExp(`^project:\\s+${project}$`, 'm'));
    assert.match(shown, /^NIC\s+MACADDR\s+SWITCH\s+PORT\s+NETWORKS$/m);
    assert.match(shown, new RegExp(`^eth0\\s+de:ad:be:ef:00:01\\s+${sw}\\s+gi1/0/7\\s+${net} \\(vlan/native\\)$`, 'm'));
    assert.match(shown, /^rack\s+12$/m);

    const nodeJson = JSON.parse(ok(['node', 'show', node, '--json']));
    assert.deepEqual(nodeJson.metadata, { rack: '12', owner: '"lab"' });
    assert.deepEqual(nodeJson.nics[0].networks, { 'vlan/native': net });

    const netJson = JSON.parse(ok(['network', 'show', net, '--json']));
    assert.equal(netJson.name, net);
    assert.equal(netJson.owner, project);
    assert.deepEqual(netJson.access, [project]);
    assert.deepEqual(netJson['connected-nodes'], { [node]: ['eth0'] });
    assert.match(ok(['network', 'show', net]), new RegExp(`^${node}\\s+eth0$`, 'm'));
    assert.match(ok(['network', 'attachments', net]), new RegExp(`^${node}\\s+eth0\\s+vlan/native\\s+${project}$`, 'm'));
    assert.match(ok(['network', 'list']), new RegExp(`^${net}\\s+\\d+\\s+${project}$`, 'm'));

    // The port's name has a `/`: it travels percent-encoded.
    assert.deepEqual(JSON.parse(ok(['port', 'show', sw, port, '--json'])), { node, nic: 'eth0', networks: { 'vlan/native': net } });
    assert.ok(ok(['switch', 'show', sw]).includes(port));

    // Without --wait the action's id is printed; `action show` reads it.
    const detach = ok(['node', 'detach-network', node, 'eth0', net]).trim();
    assert.match(detach, /^\S+$/);
    let status = '';
    for (let i = 0; i < 100 && status !== 'DONE'; i++) status = JSON.parse(ok(['action', 'show', detach, '--json'])).status;
    assert.equal(status, 'DONE');
    assert.match(ok(['action', 'show', detach]), /^status:\s+DONE$/m);

    // --wait --json prints the final action.
    const again = JSON.parse(ok(['node', 'connect-network', node, 'eth0', net, '--wait', '--json']));
    assert.equal(again.status, 'DONE');
    assert.equal(again.new_network, net);
    ok(['node', 'detach-network', node, 'eth0', net, '--wait']);
    assert.deepEqual(JSON.parse(ok(['node', 'show', node, '--json'])).nics[0].networks, {});

    ok(['node', 'obm', 'enable', node]);
    ok(['node', 'power', 'on', node]);
    assert.equal(ok(['node', 'power', 'status', node]).trim(), 'on');
    ok(['node', 'power', 'cycle', node, '--force']);
    ok(['node', 'bootdev', node, 'disk']);
    ok(['node', 'obm', 'disable', node]);
    ok(['project', 'detach-node', project, node]);
    assert.ok(ok(['node', 'list', 'free']).split('\n').includes(node));

    ok(['node', 'metadata', 'set', node, 'cfg', '{"a":1}']);
    assert.deepEqual(JSON.parse(JSON.parse(ok(['node', 'show', node, '--json'])).metadata.cfg), { a: 1 });
    ok(['node', 'metadata', 'delete', node, 'cfg']);

    // Tear down in the order the API requires.
    ok(['network', 'delete', net]);
    ok(['port', 'detach-nic', sw, port]);
    ok(['port', 'delete', sw, port]);
    ok(['switch', 'delete', sw]);
    ok(['node', 'nic', 'delete', node, 'eth0']);
    ok(['node', 'delete', node]);
    ok(['project', 'delete', project]);
    assert.ok(!ok(['project', 'list']).split('\n').includes(project));
  });

  it('reverts a port with --wait', () => {
    const node = label('node');
    const sw = label('sw');
    const pw = file('revert.pw', 'x');
    ok(['node', 'register', node, '--obm-type', 'mock', '--obm-host', 'h', '--obm-user', 'u', '--obm-password-file', pw]);
    ok(['node', 'nic', 'register', node, 'eth0', 'aa:bb']);
    ok(['switch', 'register', sw, '--type', 'mock', '--field', 'hostname=h', '--field', 'username=u', '--switch-password-file', pw]);
    ok(['port', 'register', sw, 'gi1/0/2']);
    ok(['port', 'connect-nic', sw, 'gi1/0/2', node, 'eth0']);
    const r = haas(['port', 'revert', sw, 'gi1/0/2', '--wait']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /DONE/);
  });

  it('exits 1 with the device\'s message when a networking action fails', () => {
    const node = label('node');
    const sw = label('sw');
    const project = label('proj');
    const net = label('net');
    const pw = file('broken.pw', 'x');
    ok(['node', 'register', node, '--obm-type', 'mock', '--obm-host', 'h', '--obm-user', 'u', '--obm-password-file', pw]);
    ok(['node', 'nic', 'register', node, 'eth0', 'aa:bb']);
    // The mock switch treats a *.invalid hostname as unreachable.
    ok(['switch', 'register', sw, '--type', 'mock', '--field', 'hostname=sw.invalid', '--field', 'username=u', '--switch-password-file', pw]);
    ok(['port', 'register', sw, 'gi1/0/3']);
    ok(['port', 'connect-nic', sw, 'gi1/0/3', node, 'eth0']);
    ok(['project', 'create', project]);
    ok(['project', 'connect-node', project, node]);
    ok(['network', 'create', net, '--owner', project]);
    const r = haas(['node', 'connect-network', node, 'eth0', net, '--wait']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /networking action \S+ failed \(modify_port .*\): .*unreachable/);
    const id = /waiting for networking action (\S+)/.exec(r.stderr)?.[1] ?? '';
    const shown = ok(['action', 'show', id]);
    assert.match(shown, /^status:\s+ERROR$/m);
    assert.match(shown, /^message:\s+.*unreachable/m);
    assert.match(shown, new RegExp(`^switch:\\s+${sw}$`, 'm'));
    assert.deepEqual(Object.keys(JSON.parse(ok(['action', 'show', id, '--json']))).sort(),
      ['channel', 'new_network', 'nic', 'node', 'status', 'type']);
  });

  it('prints the server\'s error and exits 1 on an API error', () => {
    const missing = label('nope');
    const r = haas(['node', 'show', missing]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^NotFoundError: .+/);
    const project = label('proj');
    ok(['project', 'create', project]);
    const dup = haas(['project', 'create', project]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /^DuplicateError: /);
    const bad = haas(['network', 'create', label('net'), '--net-id', '99999']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^BadArgumentError: /);
  });

  it('exits 2 on usage errors', () => {
    for (const args of [['node', 'lst'], ['node', 'show'], ['node', 'list', 'bogus'], ['frobnicate'],
      ['node', 'register', 'n', '--obm-type', 'mock'], ['switch', 'register', 's', '--type', 'mock', '--field', 'novalue']]) {
      const r = haas(args);
      assert.equal(r.code, 2, `haas ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.notEqual(r.stderr, '', `haas ${args.join(' ')} says why on stderr`);
    }
    const endpoint = haas(['node', 'list'], { env: { HAAS_ENDPOINT: 'ftp://x' } });
    assert.equal(endpoint.code, 2);
    assert.match(endpoint.stderr, /invalid endpoint/);
  });

  it('says which endpoint it tried when no daemon listens there, and how to start or choose one', async () => {
    const sock = join(scratch, 'absent.sock');
    const r = haas(['node', 'list'], { env: { HAAS_ENDPOINT: `unix:${sock}` } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^haas: cannot reach haas at unix:${sock}: no daemon is listening there \\(no socket ${sock}: ENOENT\\)`));
    assert.match(r.stderr, /haas serve/);
    assert.match(r.stderr, /--endpoint URL, HAAS_ENDPOINT/);
    // A socket file nobody accepts on: what a daemon killed with -9 leaves behind.
    const stale = join(scratch, 'stale.sock');
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    await new Promise((resolve) => child.on('close', resolve));
    const s = haas(['node', 'list'], { env: { HAAS_ENDPOINT: `unix:${stale}` } });
    assert.equal(s.code, 1);
    assert.match(s.stderr, new RegExp(`^haas: cannot reach haas at unix:${stale}: no daemon is listening there \\(the socket ${stale} exists but nothing accepts on it: ECONNREFUSED`));
    assert.match(s.stderr, /haas serve/);
  });

  it('prints help, the version and the command list', () => {
    const help = haas(['node', 'connect-network', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Attach a nic of a node to a network/);
    assert.match(help.stdout, /--wait/);
    assert.match(help.stdout, /Examples/);
    const noun = haas(['node', '--help']);
    assert.equal(noun.code, 0);
    assert.match(noun.stdout, /haas node power cycle/);
    assert.ok(!noun.stdout.includes('haas network create'));
    const version = haas(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+/);
    const all = haas(['--help']);
    assert.equal(all.code, 0);
    for (const cmd of ['project create', 'node list', 'network create', 'switch register', 'port revert', 'user create',
      'headnode create', 'action show', 'extensions', 'serve']) {
      assert.ok(all.stdout.includes(`haas ${cmd}`), `--help lists ${cmd}`);
    }
  });

  it('registers an obmd node and follows the 307 of its power calls to obmd', async () => {
    // The fake obmd runs in this process: haas must run without blocking it.
    const obmd = await startFakeObmd();
    const run = (args: string[], input?: string) =>
      runHaasAsync(args, { env: cleanEnv({ HAAS_ENDPOINT: `unix:${d.socket}` }), input });
    const okAsync = async (args: string[], input?: string) => {
      const r = await run(args, input);
      assert.equal(r.code, 0, `haas ${args.join(' ')} -> ${r.code}: ${r.stderr}`);
    };
    try {
      const node = label('obmd');
      const project = label('proj');
      const uri = obmd.addNode(node, 'obmd-admin-token');
      await okAsync(['node', 'register', node, '--obmd-uri', uri, '--obmd-admin-token-file', '-'], 'obmd-admin-token\n');
      await okAsync(['project', 'create', project]);
      await okAsync(['project', 'connect-node', project, node]);
      await okAsync(['node', 'obm', 'enable', node]);
      // The fake obmd only serves tokens: the redirected call reaches it and gets its 404.
      const r = await run(['node', 'power', 'on', node]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^HTTP 404: http:\/\/127\.0\.0\.1:\d+ answered: /);
      const power = obmd.callsFor(node).filter((c) => c.path.endsWith('/power_on'));
      assert.equal(power.length, 1);
      assert.equal(power[0]?.method, 'POST');
      assert.equal(power[0]?.user, undefined, 'haas credentials are not sent to obmd');
      await okAsync(['node', 'obm', 'disable', node]);
      await okAsync(['project', 'detach-node', project, node]);
      await okAsync(['node', 'delete', node]);
    } finally {
      await obmd.close();
    }
  });

  it('streams a node\'s console until Ctrl-C', async () => {
    const node = label('node');
    const project = label('proj');
    const pw = file('console.pw', 'x');
    ok(['node', 'register', node, '--obm-type', 'mock', '--obm-host', 'h', '--obm-user', 'u', '--obm-password-file', pw]);
    ok(['project', 'create', project]);
    ok(['project', 'connect-node', project, node]);
    ok(['node', 'obm', 'enable', node]);
    const { cmd, args: pre } = haasCommand();
    const child = spawn(cmd, [...pre, 'node', 'console', node],
      { env: { ...process.env, ...cleanEnv({ HAAS_ENDPOINT: `unix:${d.socket}` }) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no console output: ${out}`)), 20_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (out.length > 0) { clearTimeout(t); resolve(); }
      });
    });
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.ok(out.length > 0);
    ok(['node', 'obm', 'disable', node]);
    ok(['project', 'detach-node', project, node]);
  });

  it('lists extensions, as JSON too', () => {
    const exts: string[] = JSON.parse(ok(['extensions', '--json']));
    assert.ok(exts.includes('hil.ext.auth.null'));
    assert.deepEqual(ok(['extensions']).trim().split('\n'), exts);
  });

  it('takes the endpoint from HIL_ENDPOINT, HAAS_ENDPOINT and --endpoint, in that order of strength', () => {
    const sock = `unix:${d.socket}`;
    const wrong = `unix:${join(scratch, 'wrong.sock')}`;
    assert.equal(haas(['node', 'list'], { env: { HAAS_ENDPOINT: '', HIL_ENDPOINT: sock } }).code, 0);
    assert.equal(haas(['node', 'list'], { env: { HAAS_ENDPOINT: sock, HIL_ENDPOINT: wrong } }).code, 0);
    assert.equal(haas(['node', 'list', '--endpoint', sock], { env: { HAAS_ENDPOINT: wrong } }).code, 0);
    assert.equal(haas(['node', 'list', '--endpoint', wrong], { env: { HAAS_ENDPOINT: sock } }).code, 1);
  });

  it('reads the client config file, and refuses it with a readable password', () => {
    const conf = file('client.conf', `[client]\nendpoint = unix:${d.socket}\n`, 0o644);
    assert.equal(haas(['node', 'list'], { env: { HAAS_ENDPOINT: '', HAAS_CLIENT_CONFIG: conf } }).code, 0);
    // Without HAAS_CLIENT_CONFIG: $XDG_CONFIG_HOME/haas/client.conf.
    const xdg = join(scratch, 'xdg');
    mkdirSync(join(xdg, 'haas'), { recursive: true });
    writeFileSync(join(xdg, 'haas', 'client.conf'), `[client]\nendpoint = unix:${d.socket}\n`);
    const r0 = runHaas(['node', 'list'], { env: { ...cleanEnv(), HAAS_CLIENT_CONFIG: '', XDG_CONFIG_HOME: xdg } });
    assert.equal(r0.code, 0, r0.stderr);

    const open = file('open-client.conf', `[client]\nendpoint = unix:${d.socket}\nusername = a\npassword = b\n`, 0o644);
    const r = haas(['node', 'list'], { env: { HAAS_ENDPOINT: '', HAAS_CLIENT_CONFIG: open } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to use .*open-client\.conf.*readable by group or others/);
    chmodSync(open, 0o600);
    assert.equal(haas(['node', 'list'], { env: { HAAS_ENDPOINT: '', HAAS_CLIENT_CONFIG: open } }).code, 0);
  });
});

describe('haas CLI over TCP with database auth', () => {
  const admin = { username: 'cli-admin', password: 'cli-admin-pw' };
  let d: Daemon & { cleanup(): Promise<void> };
  let haas: (args: string[], env?: NodeJS.ProcessEnv, input?: string) => ReturnType<typeof runHaas>;

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [admin] });
    haas = (args, env = {}, input) => runHaas(args, { env: cleanEnv({ HAAS_ENDPOINT: d.url, ...env }), input });
  });
  after(async () => { await d?.cleanup(); });

  it('authenticates from HAAS_*, HIL_*, --password-file and the config file', () => {
    const p1 = label('proj');
    let r = haas(['project', 'create', p1], { HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password });
    assert.equal(r.code, 0, r.stderr);
    r = haas(['project', 'list'], { HAAS_ENDPOINT: '', HIL_ENDPOINT: d.url, HIL_USERNAME: admin.username, HIL_PASSWORD: admin.password });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes(p1));
    const pw = file('admin.pw', admin.password + '\n');
    r = haas(['project', 'list', '--username', admin.username, '--password-file', pw]);
    assert.equal(r.code, 0, r.stderr);
    const conf = file('tcp.conf', `[client]\nendpoint = ${d.url}\nusername = ${admin.username}\npassword = ${admin.password}\n`);
    r = haas(['project', 'list'], { HAAS_ENDPOINT: '', HAAS_CLIENT_CONFIG: conf });
    assert.equal(r.code, 0, r.stderr);
  });

  it('fails with the server\'s AuthorizationError on bad credentials', () => {
    const r = haas(['project', 'list'], { HAAS_USERNAME: admin.username, HAAS_PASSWORD: 'wrong' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^AuthorizationError: /);
    const anon = haas(['project', 'list']);
    assert.equal(anon.code, 1);
    assert.match(anon.stderr, /^AuthorizationError: /);
  });

  it('manages users; the new password comes from a file or stdin', () => {
    const env = { HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password };
    const alice = label('alice');
    const bob = label('bob');
    const project = label('proj');
    const alicePw = file('alice.pw', 'alice-pw\n');
    assert.equal(haas(['user', 'create', alice, '--new-password-file', alicePw], env).code, 0);
    assert.equal(haas(['user', 'create', bob, '--admin'], env, 'bob-pw\n').code, 0);
    assert.equal(haas(['project', 'create', project], env).code, 0);
    assert.equal(haas(['user', 'add-project', alice, project], env).code, 0);
    const users = JSON.parse(haas(['user', 'list', '--json'], env).stdout);
    assert.deepEqual(users[alice], { is_admin: false, projects: [project] });
    assert.equal(users[bob].is_admin, true);
    assert.match(haas(['user', 'list'], env).stdout, new RegExp(`^${alice}\\s+no\\s+${project}$`, 'm'));

    // alice, a project member, sees her project's nodes but not the project list.
    const asAlice = { HAAS_USERNAME: alice, HAAS_PASSWORD: 'alice-pw' };
    assert.equal(haas(['project', 'nodes', project], asAlice).code, 0);
    assert.equal(haas(['project', 'list'], asAlice).code, 1);
    assert.equal(haas(['node', 'list', 'free'], { HAAS_USERNAME: bob, HAAS_PASSWORD: 'bob-pw' }).code, 0);

    assert.equal(haas(['user', 'set-admin', bob, 'no'], env).code, 0);
    assert.equal(JSON.parse(haas(['user', 'list', '--json'], env).stdout)[bob].is_admin, false);
    assert.equal(haas(['user', 'remove-project', alice, project], env).code, 0);
    assert.equal(haas(['user', 'delete', alice], env).code, 0);
    assert.equal(haas(['user', 'delete', bob], env).code, 0);
  });

  it('never takes --password-file (the caller\'s password) for a secret being set', () => {
    // The caller's password in a file, and a stale one in the environment: --password-file wins for the caller.
    const adminPw = file('caller-admin.pw', admin.password + '\n');
    const env = { HAAS_USERNAME: admin.username, HAAS_PASSWORD: 'stale-admin-pw' };
    const eve = label('eve');
    const created = haas(['user', 'create', eve, '--password-file', adminPw], env, 'eve-pw\n');
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, `created user ${eve}\n`);
    // eve got the password from stdin, not the admin's.
    assert.equal(haas(['node', 'list'], { HAAS_USERNAME: eve, HAAS_PASSWORD: 'eve-pw' }).code, 0);
    const withAdminPw = haas(['node', 'list'], { HAAS_USERNAME: eve, HAAS_PASSWORD: admin.password });
    assert.equal(withAdminPw.code, 1);
    assert.match(withAdminPw.stderr, /^AuthorizationError: /);

    // --new-password-file is the new user's; the caller's comes from the environment.
    const frank = label('frank');
    const frankPw = file('frank.pw', 'frank-pw\n');
    const asAdmin = { HAAS_USERNAME: admin.username, HAAS_PASSWORD: admin.password };
    assert.equal(haas(['user', 'create', frank, '--new-password-file', frankPw], asAdmin).code, 0);
    assert.equal(haas(['node', 'list'], { HAAS_USERNAME: frank, HAAS_PASSWORD: 'frank-pw' }).code, 0);

    // switch register: the switch's password has its own flag; --password-file stays the caller's.
    const sw = label('sw');
    const swPw = file('switch.pw', 'switch-pw\n');
    const reg = haas(['switch', 'register', sw, '--type', 'mock', '--field', 'hostname=h', '--field', 'username=u',
      '--switch-password-file', swPw, '--password-file', adminPw], env);
    assert.equal(reg.code, 0, reg.stderr);
    assert.equal(reg.stdout, `registered switch ${sw}\n`);
    assert.equal(haas(['switch', 'delete', sw, '-q'], asAdmin).stdout, '');
    assert.equal(haas(['user', 'delete', eve], asAdmin).code, 0);
    assert.equal(haas(['user', 'delete', frank], asAdmin).code, 0);
  });
});
