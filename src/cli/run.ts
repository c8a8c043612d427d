// Runs the command line: registers the commands the arguments can name, runs one, maps failures to exit codes
// (0 ok, 1 API or connection error, 2 usage error).
import { Builtins, Cli, Command, type BaseContext, type CommandClass } from 'clipanion';
import { ApiCallError, ConnectionError } from '../client/errors.js';
import { ActionFailedError } from './base.js';
import { SettingsError } from './settings.js';

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

/** Print a failure to stderr and return its exit code. */
function reportFailure(e: unknown, cli: Cli, command: Command | null, context: BaseContext, colored: boolean): number {
  const { stderr, env } = context;
  if (isUsageError(e)) {
    stderr.write(cli.error(e as Error, { command, colored }));
    return 2;
  }
  if (e instanceof ApiCallError) {
    stderr.write(`${e.type}: ${e.msg}\n`);
    return 1;
  }
  if (e instanceof SettingsError) {
    stderr.write(`haas: ${e.message}\n`);
    return 2;
  }
  if (e instanceof ConnectionError || e instanceof ActionFailedError) {
    stderr.write(`haas: ${e.message}\n`);
    return 1;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  stderr.write(`haas: ${err.message}\n`);
  if (env.HAAS_DEBUG) stderr.write(`${err.stack ?? ''}\n`);
  return 1;
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
  // clipanion decides on colours from $TERM alone; colour only what goes to a terminal.
  const colored = (stream: NodeJS.WritableStream) => 'isTTY' in stream && stream.isTTY === true && !context.env.NO_COLOR;
  const cli = new Cli({
    binaryName: 'haas', binaryLabel: 'haas: Hardware as a Service', binaryVersion: opts.version, enableColors: colored(context.stdout),
  });
  const commands = opts.argv.length === 0 ? [Overview, ...opts.commands] : selectCommands(opts.argv, opts.commands);
  for (const c of [Builtins.HelpCommand, Builtins.VersionCommand, ...commands]) cli.register(c);
  let command: Command;
  try {
    command = cli.process(opts.argv, context);
  } catch (e) {
    // `haas node --help`: no single command matches, so list the noun's commands (the ones registered).
    if (opts.argv.includes('--help') || opts.argv.includes('-h')) {
      context.stdout.write(cli.usage());
      return 0;
    }
    return reportFailure(e, cli, null, context, colored(context.stderr));
  }
  // clipanion would print a failed command's error on stdout and exit 1: take the error, report it here.
  let failure: { error: unknown } | undefined;
  command.catch = async (error: unknown) => { failure = { error }; };
  const code = await cli.run(command, context);
  return failure ? reportFailure(failure.error, cli, command, context, colored(context.stderr)) : code;
}
