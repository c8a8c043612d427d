// Runs the command line: registers the commands the arguments can name, runs one, maps failures to exit codes
// (0 ok, 1 API or connection error, 2 usage error); with --json a failure is printed as {"type","msg"}.
import { Builtins, Cli, Command, type BaseContext, type CommandClass } from 'clipanion';
import { ApiCallError, ConnectionError } from '../client/errors.js';
import { ClientCommand, CommandFailedError } from './base.js';
import { HaasCli, withValueNames } from './help.js';
import { runCompletion } from './completion.js';
import { SettingsError } from '../settings-files.js';

/** `haas` alone: the list of commands. */
class Overview extends Command {
  static override paths = [Command.Default];
  async execute() {
    this.context.stdout.write(this.cli.usage());
  }
}

/**
 * The commands whose paths share the longest prefix with argv. clipanion compiles a parser for every
 * registered command on each run (about 0.3 ms per command), so `haas node list free` registers one
 * command instead of eighty. With no noun (e.g. `haas --help`) every command is registered.
 */
export function selectCommands(argv: string[], commands: CommandClass[]): CommandClass[] {
  let candidates = commands;
  for (let depth = 0; depth < argv.length; depth++) {
    const token = argv[depth];
    if (token === undefined || token.startsWith('-')) break;
    const narrowed = candidates.filter((c) => (c.paths ?? []).some((path) => path[depth] === token));
    if (narrowed.length === 0) break;
    candidates = narrowed;
  }
  return candidates;
}

function isUsageError(e: unknown): boolean {
  if (e === null || typeof e !== 'object' || !('clipanion' in e)) return false;
  const meta = (e as { clipanion: { type?: string } }).clipanion;
  // Parse failures (unknown command, missing argument) carry type "none"; UsageError carries "usage".
  return meta.type === 'usage' || meta.type === 'none';
}

/** What to add to a connection failure: how to start a daemon, or how to trust a lab's CA. */
function connectionHint(e: ConnectionError): string {
  switch (e.problem) {
    case 'no-daemon':
      return '; start one with `haas serve` (see `haas serve --help`), or choose another endpoint with --endpoint URL, '
        + 'HAAS_ENDPOINT or "endpoint" in the client config';
    case 'untrusted-certificate':
      return '; if your lab\'s own CA signed it, trust that CA with --ca-cert FILE, HAAS_CA_CERT or "ca_cert" in the client config';
    default:
      return '';
  }
}

/** A failure as the user sees it: its type (as in the API's {"type","msg"}), message and exit code. */
function describeFailure(e: unknown): { type: string; msg: string; code: number } {
  if (e instanceof ApiCallError) return { type: e.type, msg: e.msg, code: 1 };
  if (e instanceof SettingsError) return { type: 'SettingsError', msg: e.message, code: 2 };
  if (e instanceof ConnectionError) return { type: 'ConnectionError', msg: e.message + connectionHint(e), code: 1 };
  if (e instanceof CommandFailedError) return { type: e.type, msg: e.message, code: 1 };
  const err = e instanceof Error ? e : new Error(String(e));
  return { type: 'Error', msg: err.message, code: 1 };
}

/** Print a failure to stderr (as JSON with --json) and return its exit code. */
function reportFailure(e: unknown, cli: Cli, command: Command | null, context: BaseContext, colored: boolean, json: boolean): number {
  const { stderr, env } = context;
  if (isUsageError(e)) {
    // clipanion's "did you mean" list comes from its own usage lines, without our value names.
    if (json) stderr.write(JSON.stringify({ type: 'UsageError', msg: withValueNames((e as Error).message) }) + '\n');
    else stderr.write(withValueNames(cli.error(e as Error, { command, colored })));
    return 2;
  }
  const failure = describeFailure(e);
  if (json) stderr.write(JSON.stringify({ type: failure.type, msg: failure.msg }) + '\n');
  else if (e instanceof ApiCallError) stderr.write(`${failure.type}: ${failure.msg}\n`);
  else stderr.write(`haas: ${failure.msg}\n`);
  if (failure.type === 'Error' && env.HAAS_DEBUG && e instanceof Error) stderr.write(`${e.stack ?? ''}\n`);
  return failure.code;
}

/** Whether argv names a group of commands without picking one (`haas node`, `haas node power`). */
function namesGroup(argv: string[], commands: CommandClass[]): boolean {
  return argv.length > 0 && commands.length > 0 && commands.every((c) => (c.paths ?? []).some(
    (path) => path.length > argv.length && argv.every((token, i) => path[i] === token)));
}

/** `haas help [noun...]` is `haas [noun...] --help`; `haas version` is `haas --version`. */
function spelledOut(argv: string[]): string[] {
  if (argv[0] === 'help') return [...argv.slice(1), '--help'];
  if (argv.length === 1 && argv[0] === 'version') return ['--version'];
  return argv;
}

/** What runCli needs: the arguments (without node and script), every command, the version. */
export interface RunOptions {
  argv: string[];
  commands: CommandClass[];
  version: string;
  context?: Partial<BaseContext>;
}

/** Run one command line and resolve to its exit code. */
export async function runCli(opts: RunOptions): Promise<number> {
  const context: BaseContext = { ...Cli.defaultContext, ...opts.context };
  // The completion scripts' hidden call: it needs every command, not the few selectCommands would register.
  if (opts.argv[0] === '__complete') return runCompletion(opts.argv.slice(1), opts.commands, context);
  const argv = spelledOut(opts.argv);
  // Scripts ask for the version often: answer without compiling every command's parser.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    context.stdout.write(`${opts.version}\n`);
    return 0;
  }
  // clipanion decides on colours from $TERM alone; colour only what goes to a terminal.
  const colored = (stream: NodeJS.WritableStream) => 'isTTY' in stream && stream.isTTY === true && !context.env.NO_COLOR;
  const cli = new HaasCli({
    binaryName: 'haas', binaryLabel: 'haas: Hardware as a Service', binaryVersion: opts.version, enableColors: colored(context.stdout),
  });
  const commands = argv.length === 0 ? [Overview, ...opts.commands] : selectCommands(argv, opts.commands);
  for (const c of [Builtins.HelpCommand, Builtins.VersionCommand, ...commands]) cli.register(c);
  // `haas node`: the noun's commands.
  if (namesGroup(argv, commands)) {
    context.stdout.write(cli.usage());
    return 0;
  }
  let command: Command;
  try {
    command = cli.process(argv, context);
  } catch (e) {
    // `haas node --help`: no single command matches, so list the noun's commands (the ones registered).
    if (argv.includes('--help') || argv.includes('-h')) {
      context.stdout.write(cli.usage());
      return 0;
    }
    return reportFailure(e, cli, null, context, colored(context.stderr), argv.includes('--json'));
  }
  // clipanion would print a failed command's error on stdout and exit 1: take the error, report it here.
  let failure: { error: unknown } | undefined;
  command.catch = async (error: unknown) => { failure = { error }; };
  const code = await cli.run(command, context);
  const json = command instanceof ClientCommand ? command.json : argv.includes('--json');
  return failure ? reportFailure(failure.error, cli, command, context, colored(context.stderr), json) : code;
}
