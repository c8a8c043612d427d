// `haas demo`: a throwaway lab that a newcomer can use with the commands it prints (and the
// README lists), gone after Ctrl-C.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haasCommand, repoRoot, runHaas } from './lib/daemon.js';

const children: ChildProcess[] = [];
after(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

/** Start `haas demo ARGS` and resolve with its printed text once the lab is ready. */
function startDemo(args: string[]): Promise<{ child: ChildProcess; text: string; stderr: () => string }> {
  const { cmd, args: pre } = haasCommand();
  const child = spawn(cmd, [...pre, 'demo', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HAAS_CONFIG: '/nonexistent/haas.conf' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C here')) resolve({ child, text: out, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`haas demo exited (${code}) before it was ready: ${err}`)));
  });
}

/** The commands the demo prints to try, as argv lists with their extra environment. */
function commandsIn(text: string): { env: Record<string, string>; argv: string[]; line: string }[] {
  const out = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const m = /^((?:[A-Z_]+=\S+\s+)*)haas\s+(.*)$/.exec(line);
    if (!m) continue;
    const env: Record<string, string> = {};
    for (const a of m[1]!.trim().split(/\s+/).filter(Boolean)) { const [k, v] = a.split('='); env[k!] = v!; }
    out.push({ env, argv: m[2]!.split(/\s+/), line });
  }
  return out;
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => { if (c.exitCode !== null) r(c.exitCode); else c.on('exit', (code) => r(code)); });

describe('haas demo', () => {
  it('serves a seeded lab; the printed commands (and the README\'s) work; Ctrl-C removes everything', async () => {
    const { child, text } = await startDemo([]);
    const dir = /throwaway lab in (\S+)/.exec(text)![1]!;
    assert.ok(existsSync(join(dir, 'haas.db')));
    const member = /export HAAS_CLIENT_CONFIG=(\S+)/.exec(text)![1]!;
    const cmds = commandsIn(text.slice(text.indexOf('Try,')));
    assert.ok(cmds.length >= 8, text);
    // Every command in the README's demo block is one the demo prints.
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const block = /## Try it: a throwaway lab[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    const printed = new Set(cmds.map((c) => c.line));
    for (const c of commandsIn(block).filter((c) => c.argv[0] !== 'demo')) assert.ok(printed.has(c.line), `README's "${c.line}" is not printed by haas demo`);
    for (const c of cmds) {
      if (c.argv[0] === 'node' && c.argv[1] === 'console') {
        // A console streams until Ctrl-]: read its first line, then leave.
        const { cmd, args } = haasCommand();
        const con = spawn(cmd, [...args, ...c.argv], { env: { ...process.env, HAAS_CLIENT_CONFIG: member, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(con);
        const first = await new Promise<string>((r) => { let t = ''; con.stdout!.on('data', (d) => { t += d; if (t.includes('\n')) r(t); }); });
        assert.match(first, /node1/);
        con.kill('SIGINT');
        await exited(con);
        continue;
      }
      const r = runHaas(c.argv, { env: { HAAS_CLIENT_CONFIG: member, HAAS_ENDPOINT: '', HAAS_USERNAME: '', HAAS_PASSWORD: undefined, ...c.env } });
      assert.equal(r.code, 0, `${c.line}: ${r.stderr}${r.stdout}`);
      if (c.line === 'haas node show node1') assert.match(r.stdout, /provisioning/);
      if (c.line === 'haas node list free') assert.match(r.stdout, /node4/);
    }
    // The member is not an admin: the lab's admin config is.
    const asMember = runHaas(['switch', 'verify', 'sw1'], { env: { HAAS_CLIENT_CONFIG: member, HAAS_ENDPOINT: '', HAAS_USERNAME: '', HAAS_PASSWORD: undefined } });
    assert.equal(asMember.code, 1);
    child.kill('SIGINT');
    assert.equal(await exited(child), 0);
    assert.equal(existsSync(dir), false, `${dir} is left behind`);
  });

  it('refuses a bad --nodes with a usage error and leaves nothing', () => {
    const r = runHaas(['demo', '--nodes', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--nodes: expected a whole number from 1 to 48/);
  });
});
