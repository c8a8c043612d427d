// Configuration files: the INI rules (comments after whitespace, quoted values), `haas serve
// --check-config` (the effective configuration with secrets masked, or `file:line: problem` and
// exit 2), and every configuration example in README.md and docs/ accepted as written.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runHaas, startDaemon } from './lib/daemon.js';
import { parseIni } from '../src/settings-files.js';
import { parseClientConfig } from '../src/cli/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'haas-config-'));
const running: Awaited<ReturnType<typeof startDaemon>>[] = [];
after(async () => {
  for (const d of running) await d.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let files = 0;
/** Write a config file (0600) and return its path. */
function configFile(text: string): string {
  const path = join(dir, `haas-${++files}.conf`);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

function checkConfig(text: string, ...flags: string[]) {
  const path = configFile(text);
  return { path, ...runHaas(['serve', '--check-config', '--config', path, ...flags]) };
}

/** Every ```ini block of the README and docs/*.md, with where it is. */
function iniBlocks(): { where: string; text: string }[] {
  const docs = readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f));
  const out: { where: string; text: string }[] = [];
  for (const file of ['README.md', ...docs]) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    for (const m of text.matchAll(/^```ini\n([\s\S]*?)^```/gm)) {
      out.push({ where: `${file}:${text.slice(0, m.index).split('\n').length}`, text: m[1]! });
    }
  }
  return out;
}

describe('INI syntax', () => {
  test('; and # start a comment at the start of a line or after whitespace, anywhere else they are part of the value', () => {
    const ini = parseIni([
      '# a comment', '; another', '[server]    ; the section', 'db = /var/lib/haas/haas.db   ; where', 'socket = /run/haas.sock# not a comment',
      '[client]', 'password = pass#word', 'username = a;b', 'endpoint = unix:/x #comment',
    ].join('\n'), 't');
    assert.deepEqual({ ...ini.server }, { db: '/var/lib/haas/haas.db', socket: '/run/haas.sock# not a comment' });
    assert.deepEqual({ ...ini.client }, { password: 'pass#word', username: 'a;b', endpoint: 'unix:/x' });
  });

  test('quoted values keep ; # and surrounding spaces; quotes are removed', () => {
    const ini = parseIni(`[client]\npassword = "  se cret ;1 #2 "   ; the comment\nusername = 'al ice'\nendpoint = say "hi"\n`, 't');
    assert.deepEqual({ ...ini.client }, { password: '  se cret ;1 #2 ', username: 'al ice', endpoint: 'say "hi"' });
  });

  test('a quote inside an unquoted value is literal and does not hide a comment after it', () => {
    const ini = parseIni(`[client]\npassword = it's #a comment\nusername = o"brien ; another\n`, 't');
    assert.deepEqual({ ...ini.client }, { password: "it's", username: 'o"brien' });
  });

  test('malformed lines, an unterminated quote and a key set twice are errors at their line', () => {
    assert.throws(() => parseIni('[a]\nx = 1\nnonsense\n', 'f.conf'), /^Error: f\.conf:3: expected/);
    assert.throws(() => parseIni('[a]\nx = "open\n', 'f.conf'), /f\.conf:2: unterminated/);
    assert.throws(() => parseIni('[a]\nx = 1\n\nx = 2\n', 'f.conf'), /f\.conf:4: "x" is already set in \[a\] on line 2/);
  });

  test('a client password containing # or ; is read whole', () => {
    assert.equal(parseClientConfig('[client]\nusername = alice\npassword = pass#word\n', 'c').password, 'pass#word');
    assert.equal(parseClientConfig('[client]\nusername = alice\npassword = "p ;w #x"  ; quoted\n', 'c').password, 'p ;w #x');
  });

  test('the CLI logs in with a quoted password holding " #" from client.conf', async () => {
    const alice = { username: 'alice', password: 'se cret #1' };
    const d = await startDaemon({ auth: 'database', admins: [alice] });
    running.push(d);
    const conf = configFile(`[client]\nendpoint = unix:${d.socket}\nusername = alice   # the admin\npassword = "${alice.password}"\n`);
    const r = runHaas(['project', 'list', '--json'], { env: { HAAS_CLIENT_CONFIG: conf, HAAS_ENDPOINT: undefined, HAAS_USERNAME: undefined, HAAS_PASSWORD: undefined } });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });
});

describe('haas serve --check-config', () => {
  test('prints the effective configuration with secrets masked, and it reads back as the same configuration', () => {
    const r = checkConfig('[maintenance]\nproject = maint\nurl = http://ops:hunter2@127.0.0.1:9/pool\n[network]\nvlan_pool = 300-310, 200\n',
      '--db', join(dir, 'x.db'));
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /hunter2/);
    assert.match(r.stdout, /^url = http:\/\/ops:\*+@127\.0\.0\.1:9\/pool$/m);
    assert.match(r.stdout, new RegExp(`^db = ${join(dir, 'x.db')}$`, 'm'), 'flags win');
    assert.match(r.stdout, /^vlan_pool = 200, 300-310$/m);
    assert.match(r.stdout, /^switches = mock, /m, 'defaults are shown');
    const again = checkConfig(r.stdout);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.split('\n').slice(1).join('\n'), r.stdout.split('\n').slice(1).join('\n'));
  });

  test('the first problem: exit 2 and file:line', () => {
    const cases: [string, number, RegExp][] = [
      ['[nope]\n', 1, /unknown section \[nope\]/],
      ['[server]\n; the db\nbogus = 1\n', 3, /unknown key "bogus"/],
      ['[server]\nlisten = nowhere\n', 2, /listen: expected HOST:PORT/],
      ['[network]\n\nvlan_pool = 100-5000\n', 3, /vlan_pool: "100-5000" is not within 1-4094/],
      ['[drivers]\nswitches = mock, warp\n', 2, /unknown driver "warp"/],
      ['[server]\ndb = "unterminated\n', 2, /unterminated/],
      ['[server]\ndb = /a\ndb = /b\n', 3, /already set/],
      ['[server]\nauth = null\nlisten = 0.0.0.0:5000\n', 2, /refusing auth null/],
      ['[server]\nauth = none\n', 2, /auth: expected "database" or "null"/],
      ['[server]\ntls_cert = /etc/haas/cert.pem\n', 2, /needs both a certificate and a key/],
      ['[server]\nsocket_group = not a group\n', 2, /socket_group/],
      ['[log]\nlevel = loud\n', 2, /level/],
      ['[headnode]\nkvm = maybe\n', 2, /kvm: expected auto, on or off/],
      ['[headnode]\n\nmemory_mb = 64\n', 3, /memory_mb: at least 128/],
      ['[drivers]\nswitch_timeout = soon\n', 2, /switch_timeout: expected a non-negative integer/],
      ['[maintenance]\nproject = m\n', 1, /needs both "project" and "url"/],
      ['[timeouts]\nobmd = 0\n', 2, /obmd: at least 1/],
      ['[timeouts]\n\nmaintenance_pool = soon\n', 3, /maintenance_pool: expected a non-negative integer/],
      ['[timeouts]\nobm = -1\n', 2, /obm: expected a non-negative integer/],
      ['[drivers]\nobm_timeout = 5\n[timeouts]\nobm = 5\n', 2, /old name of \[timeouts\] obm/],
      ['[quotas]\n\nnodes = many\n', 3, /\[quotas\] nodes: expected a non-negative integer or "unlimited", got "many"/],
      ['[quotas]\nnetworks = -1\n', 2, /\[quotas\] networks: expected a non-negative integer/],
      ['[headnode]\nmax_per_project = 3\n[quotas]\nheadnodes = 3\n', 2, /\[headnode\] max_per_project is the old name of \[quotas\] headnodes/],
      ['[headnode]\nmax_per_project = lots\n', 2, /\[headnode\] max_per_project: expected a non-negative integer/],
    ];
    for (const [text, line, problem] of cases) {
      const r = checkConfig(text);
      assert.equal(r.code, 2, `${JSON.stringify(text)}: ${r.stdout}`);
      assert.ok(r.stderr.startsWith(`${r.path}:${line}: `), `${JSON.stringify(text)}: expected ${r.path}:${line}: ..., got ${r.stderr}`);
      assert.match(r.stderr, problem);
      assert.equal(r.stdout, '');
    }
  });

  test('[timeouts]: every outside call has its own setting, shown with its default; [drivers] obm_timeout is the old name of obm', () => {
    const defaults = checkConfig('');
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.match(defaults.stdout, /^\[timeouts\]\nswitch_call = 10\nswitch_batch = 60\nobm = 10\nobmd = 10\nmaintenance_pool = 10$/m);
    const set = checkConfig('[drivers]\nobm_timeout = 7\n[timeouts]\nobmd = 3\nmaintenance_pool = 4\n');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^\[timeouts\]\nswitch_call = 10\nswitch_batch = 60\nobm = 7\nobmd = 3\nmaintenance_pool = 4$/m);
    assert.doesNotMatch(set.stdout, /obm_timeout/);
  });

  test('[quotas]: unlimited unless set, headnodes 10; [headnode] max_per_project is the old name of headnodes (0: no limit)', () => {
    const defaults = checkConfig('');
    assert.equal(defaults.code, 0, defaults.stderr);
    assert.match(defaults.stdout, /^\[quotas\]\nnodes = unlimited\nnetworks = unlimited\nheadnodes = 10$/m);
    assert.doesNotMatch(defaults.stdout, /max_per_project/);
    const set = checkConfig('[quotas]\nnodes = 4\nnetworks = 0\nheadnodes = unlimited\n');
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^\[quotas\]\nnodes = 4\nnetworks = 0\nheadnodes = unlimited$/m);
    const old = checkConfig('[headnode]\nmax_per_project = 3\n');
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^headnodes = 3$/m);
    assert.doesNotMatch(old.stdout, /max_per_project/);
    assert.equal(checkConfig(old.stdout).code, 0, 'the output reads back');
    assert.match(checkConfig('[headnode]\nmax_per_project = 0\n').stdout, /^headnodes = unlimited$/m);
  });

  test('a bad flag or environment value is named as such', () => {
    const flag = runHaas(['serve', '--check-config', '--listen', 'nowhere']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /^--listen: listen: expected HOST:PORT/);
    const env = runHaas(['serve', '--check-config'], { env: { HAAS_AUTH: 'nobody' } });
    assert.equal(env.code, 2);
    assert.match(env.stderr, /^HAAS_AUTH: auth: expected/);
  });

  test('files and groups named in the configuration are not looked up (start-up checks those)', () => {
    const r = checkConfig('[server]\nsocket_group = no-such-group-here\ntls_cert = /nonexistent/cert.pem\ntls_key = /nonexistent/key.pem\n' +
      'listen = 127.0.0.1:5000\n[headnode]\nimage_dir = /nonexistent/images\n');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^socket_group = no-such-group-here$/m);
  });
});

describe('the configuration examples in README.md and docs/', () => {
  // A block with a [client] section is a client.conf (read by the CLI's parser); any other ```ini block
  // is a daemon configuration (checked by `haas serve --check-config`, run through the executable).
  const blocks = iniBlocks();
  const isClient = (text: string) => /^\[client\]/m.test(text);

  test('there is at least one of each kind', () => {
    assert.ok(blocks.some((b) => isClient(b.text)), 'a client.conf example');
    assert.ok(blocks.some((b) => !isClient(b.text)), 'a daemon configuration example');
  });

  for (const block of blocks) {
    test(`${block.where}: accepted as written`, () => {
      if (isClient(block.text)) {
        assert.doesNotThrow(() => parseClientConfig(block.text, block.where));
        return;
      }
      const r = checkConfig(block.text);
      assert.equal(r.code, 0, `${block.where}: ${r.stderr}`);
    });
  }
});
