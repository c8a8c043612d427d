// Shell completion: `haas __complete` answers nouns, verbs, options and the daemon's names; the scripts of
// `haas completion bash|zsh` loaded in a real bash and a real (interactive, pty-driven) zsh complete a node
// name; fish's script is syntax-checked when fish is installed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haasCommand, repoRoot, runHaas, startDaemon, type Daemon } from './lib/daemon.js';
import { mockObm, ok, session, type Session } from './lib/fixtures.js';

/** Whether a program is on PATH. */
function installed(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

describe('shell completion', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let admin: Session;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const creds = { username: 'compl-admin', password: 'compl-pw' };
  const nodes = ['compl-alpha', 'compl-beta', 'other-gamma'];

  /** The candidates `haas __complete` prints for the words after `haas` (the last one being completed). */
  const complete = (...words: string[]) => {
    const r = runHaas(['__complete', ...words], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    return r.stdout.split('\n').filter((l) => l !== '');
  };

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [creds] });
    admin = session(d, creds);
    for (const n of nodes) ok(await admin.put(`/v0/node/${n}`, mockObm()));
    ok(await admin.put('/v0/project/compl-proj'));
    dir = mkdtempSync(join(tmpdir(), 'haas-test-completion-'));
    // The scripts call `haas` by name: put this build on PATH as `haas`.
    const { cmd, args } = haasCommand();
    if (args.length === 0) symlinkSync(cmd, join(dir, 'haas'));
    else {
      writeFileSync(join(dir, 'haas'), `#!/bin/sh\ncd ${JSON.stringify(repoRoot)} && exec ${[cmd, ...args].map((a) => JSON.stringify(a)).join(' ')} "$@"\n`);
      chmodSync(join(dir, 'haas'), 0o755);
    }
    env = { HAAS_ENDPOINT: `unix://${d.socket}`, HAAS_USERNAME: creds.username, HAAS_PASSWORD: creds.password, PATH: `${dir}:${process.env.PATH}` };
  });
  after(async () => {
    await d?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('completes nouns, verbs and options from the commands\' definitions', () => {
    assert.deepEqual(complete('ne'), ['network']);
    assert.ok(complete('').includes('completion') && complete('').includes('node') && !complete('').includes('__complete'));
    assert.deepEqual(complete('node', 'power', ''), ['cycle', 'off', 'on', 'status']);
    assert.deepEqual(complete('node', 'list', ''), ['all', 'free']);
    assert.deepEqual(complete('node', 'connect-network', '--'), ['--ca-cert', '--channel', '--endpoint', '--help', '--json', '--password-file', '--quiet', '--username', '--wait']);
    assert.deepEqual(complete('completion', ''), ['bash', 'fish', 'zsh']);
  });

  it('completes names from the daemon: arguments by their placeholder, options by their name', () => {
    assert.deepEqual(complete('node', 'show', 'compl-'), ['compl-alpha', 'compl-beta']);
    assert.deepEqual(complete('node', 'power', 'cycle', '--force', ''), nodes);
    assert.deepEqual(complete('project', 'connect-node', 'compl-proj', 'o'), ['other-gamma']);
    assert.deepEqual(complete('project', 'connect-node', 'c'), ['compl-proj']);
    assert.deepEqual(complete('lease', 'list', '--project', ''), ['compl-proj']);
    assert.deepEqual(complete('node', 'nic', 'register', 'compl-alpha', ''), [], 'a NIC name is not a node');
  });

  it('prints nothing when the daemon cannot answer or refuses', () => {
    const away = runHaas(['__complete', 'node', 'show', ''], { env: { ...env, HAAS_ENDPOINT: `unix://${join(dir, 'nothing.sock')}` } });
    assert.deepEqual([away.code, away.stdout, away.stderr], [0, '', '']);
    const refused = runHaas(['__complete', 'node', 'show', ''], { env: { ...env, HAAS_PASSWORD: 'wrong' } });
    assert.deepEqual([refused.code, refused.stdout, refused.stderr], [0, '', '']);
  });

  it('the bash script, loaded in bash, completes a node name', () => {
    const script = runHaas(['completion', 'bash']);
    assert.equal(script.code, 0, script.stderr);
    writeFileSync(join(dir, 'haas.bash'), script.stdout);
    const r = spawnSync('bash', ['-c', `source ${join(dir, 'haas.bash')}
      complete -p haas
      COMP_WORDS=(haas node show compl-a); COMP_CWORD=3; _haas_complete; printf '[%s]\\n' "\${COMPREPLY[@]}"
      COMP_WORDS=(haas node power ''); COMP_CWORD=3; _haas_complete; printf '[%s]\\n' "\${COMPREPLY[@]}"`], { env: { ...process.env, ...env }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'complete -o default -F _haas_complete haas\n[compl-alpha]\n[cycle]\n[off]\n[on]\n[status]\n');
  });

  it('the zsh script, loaded in an interactive zsh, completes a node name on TAB', { skip: !installed('zsh') && 'zsh is not installed' }, () => {
    const script = runHaas(['completion', 'zsh']);
    assert.equal(script.code, 0, script.stderr);
    writeFileSync(join(dir, 'haas.zsh'), script.stdout);
    // A pty-driven interactive zsh: compinit, the script, then a line typed with a TAB; the line zsh redraws is read back.
    writeFileSync(join(dir, 'drive.zsh'), `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='%% '; autoload -Uz compinit; compinit -u -D; source \${1}; print -r -- READY\\$((1+1))"
read_until() {
  out=''
  for i in {1..300}; do
    zpty -r -t z chunk && out+=$chunk
    [[ $out == *$1* ]] && return 0
    sleep 0.1
  done
  return 1
}
read_until READY2 || { print -r -- "no prompt: $out"; exit 2 }
zpty -w -n z "\${2}"$'\\t'
read_until "\${3}"; code=$?
zpty -d z
print -r -- "$out"
exit $code
`);
    const r = spawnSync('zsh', ['-f', join(dir, 'drive.zsh'), join(dir, 'haas.zsh'), 'haas node show compl-a', 'compl-alpha'],
      { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `zsh did not complete the node name; the terminal showed:\n${r.stdout}${r.stderr}`);
    // zsh redraws the line with the name completed (and its suffix space, in its own colours).
    assert.match(r.stdout, /haas node show compl-alpha(\x1b\[\d*m)* /);
  });

  it('the fish script is valid fish', { skip: !installed('fish') && 'fish is not installed' }, () => {
    const script = runHaas(['completion', 'fish']);
    assert.equal(script.code, 0, script.stderr);
    writeFileSync(join(dir, 'haas.fish'), script.stdout);
    const r = spawnSync('fish', ['-n', join(dir, 'haas.fish')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('refuses an unknown shell with a usage error', () => {
    const r = runHaas(['completion', 'tcsh']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown shell "tcsh": expected bash, zsh or fish/);
  });
});
