// The CLI as a newcomer meets it: `haas node`, `haas help`, `haas version`; help that names option
// values; one confirmation line per change; JSON errors with --json.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHaas, startDaemon, type Daemon } from './lib/daemon.js';
import { label } from './lib/fixtures.js';
import { runCli } from '../src/cli/run.js';
import { clientCommands } from '../src/cli/commands.js';
import { daemonCommands } from '../src/daemon/commands.js';

const scratch = mkdtempSync(join(tmpdir(), 'haas-cli-newcomer-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An environment with no haas/HIL settings inherited from the test runner. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    HAAS_ENDPOINT: '', HIL_ENDPOINT: '', HAAS_USERNAME: '', HIL_USERNAME: '', HAAS_PASSWORD: undefined, HIL_PASSWORD: undefined,
    HAAS_CLIENT_CONFIG: join(scratch, 'no-such-client.conf'), NO_COLOR: '1', ...extra,
  };
}

const haas = (args: string[], env: NodeJS.ProcessEnv = {}) => runHaas(args, { env: cleanEnv(env) });

/** Run the CLI in this process (every command's help, quickly); returns exit code and output. */
async function inProcess(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string | Uint8Array) => { out += String(chunk); return true; } } as unknown as NodeJS.WriteStream;
  const code = await runCli({
    argv, commands: [...daemonCommands, ...clientCommands], version: 'test', context: { stdout: sink, stderr: sink, env: cleanEnv() },
  });
  return { code, out };
}

describe('haas for a newcomer: nouns, help and version', () => {
  it('lists a noun\'s commands for the noun alone, exit 0', () => {
    const r = haas(['node']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /haas node power cycle/);
    assert.match(r.stdout, /haas node list/);
    assert.ok(!r.stdout.includes('haas network create'));
    assert.ok(!/Unknown Syntax Error/.test(r.stdout + r.stderr));
    const power = haas(['node', 'power']);
    assert.equal(power.code, 0, power.stderr);
    assert.match(power.stdout, /haas node power status/);
    assert.ok(!power.stdout.includes('haas node list'));
  });

  it('prints the help for `haas help` and `haas help NOUN [VERB]`', () => {
    const r = haas(['help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /haas network create/);
    assert.match(r.stdout, /haas serve/);
    const noun = haas(['help', 'network']);
    assert.equal(noun.code, 0, noun.stderr);
    assert.match(noun.stdout, /haas network grant-access/);
    assert.ok(!noun.stdout.includes('haas node list'));
    const verb = haas(['help', 'network', 'create']);
    assert.equal(verb.code, 0, verb.stderr);
    assert.match(verb.stdout, /Create a network/);
    assert.match(verb.stdout, /Examples/);
  });

  it('prints the version for `haas version`', () => {
    const r = haas(['version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+/);
    assert.equal(r.stdout, haas(['--version']).stdout);
  });

  it('still refuses what is not a command, exit 2', () => {
    for (const args of [['node', 'lst'], ['nod'], ['version', 'x'], ['node', 'list', 'bogus']]) {
      const r = haas(args);
      assert.equal(r.code, 2, `haas ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.notEqual(r.stderr, '');
    }
  });

  it('names option values in usage lines and describes the connection options once', () => {
    const all = haas(['--help']);
    assert.equal(all.code, 0);
    assert.ok(!all.stdout.includes('#0'), all.stdout);
    assert.match(all.stdout, /haas network create \[--owner PROJECT\] \[--access PROJECT\] \[--net-id VLAN\] <NETWORK>/);
    assert.match(all.stdout, /haas serve .*\[--listen HOST:PORT\]/);
    // The shared options: once, in their own paragraph, not on each command's line.
    assert.ok(!/haas node list .*--endpoint/.test(all.stdout));
    assert.equal(all.stdout.match(/--endpoint URL/g)?.length, 1);
    assert.match(all.stdout, /Connection and output options/);
    for (const flag of ['--username NAME', '--password-file FILE', '--ca-cert FILE', '--json', '--quiet']) {
      assert.ok(all.stdout.includes(flag), flag);
    }
    const one = haas(['user', 'create', '--help']);
    assert.match(one.stdout, /--new-password-file FILE/);
    assert.match(one.stdout, /see `haas --help`/);
    // A usage error's "did you mean" list too.
    const wrong = haas(['node', 'lst']);
    assert.ok(!wrong.stderr.includes('#0'), wrong.stderr);
    assert.match(wrong.stderr, /haas node register .*--obm-host HOST/);
  });

  it('has no #0 in the help of any command', async () => {
    for (const c of [...daemonCommands, ...clientCommands]) {
      const path = (c.paths ?? [])[0] ?? [];
      const r = await inProcess([...path, '--help']);
      assert.equal(r.code, 0, `${path.join(' ')}: ${r.out}`);
      assert.ok(!r.out.includes('#0'), `haas ${path.join(' ')} --help:\n${r.out}`);
    }
  });
});

describe('haas for a newcomer: confirmations and JSON errors', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let run: (args: string[]) => ReturnType<typeof runHaas>;
  before(async () => {
    d = await startDaemon();
    run = (args) => haas(args, { HAAS_ENDPOINT: `unix:${d.socket}` });
  });
  after(async () => { await d?.cleanup(); });

  it('prints one confirmation line per change, none with --quiet or --json', () => {
    const project = label('proj');
    const net = label('net');
    let r = run(['project', 'create', project]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `created project ${project}\n`);
    r = run(['network', 'create', net, '--owner', project]);
    assert.equal(r.stdout, `created network ${net}\n`);
    r = run(['network', 'delete', net, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    r = run(['network', 'create', net, '--owner', project, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    r = run(['network', 'delete', net, '-q']);
    assert.equal(r.stdout, '');
    r = run(['project', 'delete', project]);
    assert.equal(r.stdout, `deleted project ${project}\n`);
  });

  it('prints errors as {"type","msg"} on stderr with --json, with the usual exit codes', () => {
    const missing = label('nope');
    const api = run(['node', 'show', missing, '--json']);
    assert.equal(api.code, 1);
    assert.equal(api.stdout, '');
    const apiError = JSON.parse(api.stderr);
    assert.equal(apiError.type, 'NotFoundError');
    assert.match(apiError.msg, new RegExp(missing));
    assert.deepEqual(Object.keys(apiError).sort(), ['msg', 'type']);

    // A change command takes --json too, and its error is JSON.
    const dup = label('proj');
    assert.equal(run(['project', 'create', dup]).code, 0);
    const again = run(['project', 'create', dup, '--json']);
    assert.equal(again.code, 1);
    assert.equal(JSON.parse(again.stderr).type, 'DuplicateError');

    const usage = run(['node', 'lst', '--json']);
    assert.equal(usage.code, 2);
    assert.equal(JSON.parse(usage.stderr).type, 'UsageError');
    const missingArg = run(['node', 'show', '--json']);
    assert.equal(missingArg.code, 2);
    assert.equal(JSON.parse(missingArg.stderr).type, 'UsageError');

    // A networking action that fails under --wait --json: the action on stdout, only the error on stderr.
    const [node, sw, project, net] = [label('node'), label('sw'), label('proj'), label('net')];
    const pw = join(scratch, 'sw.pw');
    writeFileSync(pw, 'x');
    for (const args of [
      ['node', 'register', node, '--obm-type', 'mock', '--obm-host', 'h', '--obm-user', 'u', '--obm-password-file', pw],
      ['node', 'nic', 'register', node, 'eth0', 'aa:bb'],
      // The mock switch treats a *.invalid hostname as unreachable.
      ['switch', 'register', sw, '--type', 'mock', '--field', 'hostname=sw.invalid', '--field', 'username=u', '--switch-password-file', pw],
      ['port', 'register', sw, 'gi1/0/3'], ['port', 'connect-nic', sw, 'gi1/0/3', node, 'eth0'],
      ['project', 'create', project], ['project', 'connect-node', project, node], ['network', 'create', net, '--owner', project],
    ]) assert.equal(run(args).code, 0, args.join(' '));
    const failed = run(['node', 'connect-network', node, 'eth0', net, '--wait', '--json']);
    assert.equal(failed.code, 1);
    assert.equal(JSON.parse(failed.stdout).status, 'ERROR');
    const actionError = JSON.parse(failed.stderr);
    assert.equal(actionError.type, 'ActionFailedError');
    assert.match(actionError.msg, /unreachable/);

    const absent = join(scratch, 'absent.sock');
    const conn = haas(['node', 'list', '--json'], { HAAS_ENDPOINT: `unix:${absent}` });
    assert.equal(conn.code, 1);
    const connError = JSON.parse(conn.stderr);
    assert.equal(connError.type, 'ConnectionError');
    assert.match(connError.msg, /no daemon is listening there/);
  });
});

describe('haas for a newcomer: a database with no users yet', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  before(async () => { d = await startDaemon({ auth: 'database' }); });
  after(async () => { await d?.cleanup(); });

  it('prints the daemon\'s word on how to create the first admin, exit 1', () => {
    const r = haas(['node', 'list'], { HAAS_ENDPOINT: `unix:${d.socket}` });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^AuthorizationError: .*haas admin create-user NAME --admin/);
    const json = haas(['node', 'list', '--json'], { HAAS_ENDPOINT: `unix:${d.socket}` });
    assert.equal(json.code, 1);
    assert.match(JSON.parse(json.stderr).msg, /haas admin create-user/);
  });
});
