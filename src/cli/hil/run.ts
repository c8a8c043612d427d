// The executable called as `hil` (a symlink): HIL's click command line (hil/cli/*.py at 8c6de22) over
// haas's client, so that a HIL user's scripts keep working. Like HIL's CLI it reads HIL_ENDPOINT,
// HIL_USERNAME, HIL_PASSWORD and HIL_TIMEOUT, and exits 0 on success, 1 when the daemon refuses
// ("Error: <msg>" on stderr) and 2 on a usage error (click's "Usage: ... Error: ..." on stderr).
import { HaasClient } from '../../client/client.js';
import { parseEndpoint } from '../../client/endpoint.js';
import { ApiCallError } from '../../client/errors.js';
import { HIL_COMMANDS, HilExit, type HilArg, type HilCommand } from './commands.js';

/** What runHil needs: the arguments after the program name, the environment, and where to print. */
export interface HilRunOptions {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  version: string;
}

/** A click usage error: exit code 2. */
class HilUsageError extends Error {
  constructor(readonly usage: string, message: string) {
    super(message);
  }
}

const HELP_FLAGS = ['--help', '-h'];

function argUsage(a: HilArg): string {
  const name = a.choices ? `{${a.choices.join('|')}}` : a.name.toUpperCase();
  return a.variadic ? `[${name}]...` : a.optional ? `[${name}]` : name;
}

function commandUsage(c: HilCommand): string {
  return `Usage: hil ${c.path.join(' ')} [OPTIONS] ${c.args.map(argUsage).join(' ')}`.trimEnd();
}

function commandHelp(c: HilCommand): string {
  let text = `${commandUsage(c)}\n\n  ${c.help}\n\nOptions:\n`;
  for (const o of c.options ?? []) text += `  ${o.names.join(', ')}${o.flag ? '' : ' TEXT'}  ${o.help}\n`;
  return text + '  --help  Show this message and exit.\n';
}

/** The subcommands under `prefix` (its groups and commands), for a group's help. */
function groupHelp(prefix: readonly string[]): string {
  const next = new Map<string, string>();
  for (const c of HIL_COMMANDS) {
    if (!prefix.every((w, i) => c.path[i] === w) || c.path.length <= prefix.length) continue;
    const word = c.path[prefix.length] ?? '';
    if (!next.has(word)) next.set(word, c.path.length === prefix.length + 1 ? c.help : `Commands related to ${[...prefix, word].join(' ')}`);
  }
  const width = Math.max(0, ...[...next.keys()].map((w) => w.length));
  const title = prefix.length === 0 ? 'The HIL Command line (haas).' : `Commands related to ${prefix.join(' ')}`;
  return `Usage: hil ${[...prefix, ''].join(' ')}[OPTIONS] COMMAND [ARGS]...\n\n  ${title}\n\nOptions:\n`
    + (prefix.length === 0 ? '  --version  Show the version and exit.\n' : '') + '  --help     Show this message and exit.\n\nCommands:\n'
    + [...next.entries()].sort().map(([w, h]) => `  ${w.padEnd(width)}  ${h}\n`).join('');
}

/** The command `words` name, or the group they name so far (a prefix of some command paths). */
function findCommand(words: readonly string[]): { command?: HilCommand; depth: number } {
  let depth = 0;
  for (;;) {
    const word = words[depth];
    const exact = HIL_COMMANDS.find((c) => c.path.length === depth + 1 && c.path.every((w, i) => words[i] === w));
    if (exact) return { command: exact, depth: depth + 1 };
    if (word === undefined || word.startsWith('-')) return { depth };
    const deeper = HIL_COMMANDS.some((c) => c.path.length > depth + 1 && c.path.slice(0, depth + 1).every((w, i) => words[i] === w));
    if (!deeper) {
      const usage = `Usage: hil ${[...words.slice(0, depth), ''].join(' ')}[OPTIONS] COMMAND [ARGS]...`;
      throw new HilUsageError(usage, `No such command "${word}".`);
    }
    depth++;
  }
}

/** Split a command's tokens into its arguments and options as click would. */
function parseTokens(c: HilCommand, tokens: readonly string[]) {
  const opts: Record<string, string | true | undefined> = {};
  const positional: string[] = [];
  const usage = commandUsage(c);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    if (t === '--') { positional.push(...tokens.slice(i + 1)); break; }
    if (t.startsWith('-') && t !== '-') {
      const [name, inline] = t.includes('=') ? [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)] : [t, undefined];
      const o = (c.options ?? []).find((opt) => opt.names.includes(name));
      if (!o) throw new HilUsageError(usage, `no such option: ${name}`);
      if (o.flag) { opts[o.key] = true; continue; }
      const value = inline ?? tokens[++i];
      if (value === undefined) throw new HilUsageError(usage, `${name} option requires an argument`);
      opts[o.key] = value;
      continue;
    }
    positional.push(t);
  }
  const args: Record<string, string | undefined> = {};
  let rest: string[] = [];
  for (const [i, a] of c.args.entries()) {
    if (a.variadic) { rest = positional.slice(i); break; }
    const v = positional[i];
    if (v === undefined) {
      if (a.optional) continue;
      throw new HilUsageError(usage, `Missing argument "${a.name}".`);
    }
    if (a.choices && !a.choices.includes(v)) {
      throw new HilUsageError(usage, `Invalid value for "${a.name}": invalid choice: ${v}. (choose from ${a.choices.join(', ')})`);
    }
    args[a.name] = v;
  }
  if (!c.args.some((a) => a.variadic) && positional.length > c.args.length) {
    throw new HilUsageError(usage, `Got unexpected extra argument (${positional.slice(c.args.length).join(' ')})`);
  }
  return { args, opts, rest };
}

/** Run one `hil ...` command line and resolve to its exit code. */
export async function runHil(o: HilRunOptions): Promise<number> {
  const { argv, env, stdout, stderr } = o;
  try {
    if (argv[0] === '--version') { stdout.write(`hil, version ${o.version} (haas)\n`); return 0; }
    const { command, depth } = findCommand(argv);
    const tokens = argv.slice(depth);
    if (!command) {
      // A group alone prints its help, as click does (exit 0); --help too.
      stdout.write(groupHelp(argv.slice(0, depth)));
      return 0;
    }
    if (tokens.some((t) => HELP_FLAGS.includes(t))) { stdout.write(commandHelp(command)); return 0; }
    const { args, opts, rest } = parseTokens(command, tokens);
    const timeoutText = env.HIL_TIMEOUT ?? '10';
    if (!/^-?[0-9]+$/.test(timeoutText.trim())) throw new HilExit('Please set environment variable HIL_TIMEOUT to a number');
    const endpointText = env.HIL_ENDPOINT;
    if (endpointText === undefined) throw new HilExit('Error: HIL_ENDPOINT not set \n');
    let endpoint;
    try {
      endpoint = parseEndpoint(endpointText);
    } catch (e) {
      throw new HilExit(`Error: ${(e as Error).message}\n`);
    }
    const username = env.HIL_USERNAME, password = env.HIL_PASSWORD;
    const credentials = username !== undefined && password !== undefined ? { username, password } : undefined;
    const api = new HaasClient({ endpoint, credentials });
    await command.run({ api, args, opts, rest, env, timeoutS: Number(timeoutText), out: (text) => stdout.write(text) });
    return 0;
  } catch (e) {
    if (e instanceof HilUsageError) {
      const help = e.usage.replace(/^Usage: (hil(?: [\w-]+)*).*$/, '$1');
      stderr.write(`${e.usage}\nTry "${help} --help" for help.\n\nError: ${e.message}\n`);
      return 2;
    }
    // HIL's main(): sys.exit('Error: %s\n' % e.message) for the daemon's refusals, sys.exit(e) for the rest.
    if (e instanceof ApiCallError) stderr.write(`Error: ${e.msg}\n\n`);
    else stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Whether the executable was called as `hil` (its name, or the symlink's, is "hil"). */
export function calledAsHil(argv: readonly string[], argv0: string): boolean {
  const base = (p: string | undefined) => (p ?? '').split(/[\\/]/).pop()?.replace(/\.(exe|js|ts|mjs)$/, '');
  return base(argv0) === 'hil' || base(argv[1]) === 'hil';
}
