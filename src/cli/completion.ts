// Shell completion: `haas completion bash|zsh|fish` prints a script that asks `haas __complete WORDS... CURRENT`
// for the candidates of the word under the cursor. Nouns, verbs and options come from the registered
// commands' definitions (clipanion), so a new command completes without a change here; names come from
// the daemon (one list call, a short timeout, nothing printed when it cannot answer).
import { Cli, Command, Option, UsageError, type BaseContext, type CommandClass } from 'clipanion';
import { HaasClient } from '../client/client.js';
import { parseEndpoint } from '../client/endpoint.js';
import { ClientCommand } from './base.js';
import { readCaCertFile, resolveClientSettings, type ConnectionFlags } from './settings.js';

/** How long completion waits for the daemon: a shell waiting on a TAB should not notice a daemon that is away. */
const NAMES_TIMEOUT_MS = 1000;

/** The kinds of names the daemon can list for completion. */
type NameKind = 'node' | 'project' | 'network' | 'switch' | 'headnode' | 'user';

/** Argument placeholders (`<NODE>`) and option names (`--project`) that take a name of a kind. */
const KIND_OF_WORD: Record<string, NameKind> = {
  node: 'node', project: 'project', owner: 'project', access: 'project', network: 'network',
  switch: 'switch', headnode: 'headnode', user: 'user', actor: 'user',
};

/** The connection options every client command takes (hidden from its definition, so listed here). */
const CONNECTION_OPTIONS = ['--endpoint', '--username', '--password-file', '--ca-cert'];
const CLIENT_FLAGS = ['--json', '--quiet', '-q'];

/** A command's completion facts: its positional placeholders, its options and which of them take a value. */
interface CommandShape { positionals: string[]; options: Map<string, boolean> }

/** The shape of a command whose path is `path`, from its clipanion definition (building one costs a parser: only for the command typed). */
function shapeOf(command: CommandClass, path: readonly string[]): CommandShape {
  const cli = new Cli({ binaryName: 'haas' });
  cli.register(command);
  const d = cli.definitions().find((def) => def.path === ['haas', ...path].join(' '));
  const options = new Map<string, boolean>();
  for (const o of d?.options ?? []) for (const name of o.definition.split(' ')[0]!.split(',')) options.set(name, o.definition.includes(' '));
  if (command.prototype instanceof ClientCommand) {
    for (const name of CONNECTION_OPTIONS) options.set(name, true);
    for (const name of CLIENT_FLAGS) options.set(name, false);
  }
  const positionals = (d?.usage ?? '').split(' ').slice(1 + path.length).filter((w) => !w.startsWith('-') && !w.startsWith('[-'));
  return { positionals, options };
}

/** The connection flags given on the line being completed, so names come from the daemon the command will call. */
function connectionFlags(words: readonly string[]): ConnectionFlags {
  const value = (name: string) => {
    for (let i = words.length - 1; i >= 0; i--) {
      const w = words[i]!;
      if (w.startsWith(name + '=')) return w.slice(name.length + 1);
      if (w === name && i + 1 < words.length) return words[i + 1];
    }
    return undefined;
  };
  return { endpoint: value('--endpoint'), username: value('--username'), passwordFile: value('--password-file'), caCert: value('--ca-cert') };
}

/** The names of a kind the caller may see, or none when the daemon does not answer (or refuses). */
async function namesOf(kind: NameKind, words: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  try {
    const settings = resolveClientSettings(connectionFlags(words), env);
    const endpoint = parseEndpoint(settings.endpoint);
    const ca = endpoint.kind === 'https' && settings.caCertFile !== undefined ? readCaCertFile(settings.caCertFile) : undefined;
    const api = new HaasClient({ endpoint, credentials: settings.credentials, ca, timeoutMs: NAMES_TIMEOUT_MS });
    switch (kind) {
      case 'node': return await api.listNodes('all');
      case 'project': return await api.listProjects();
      case 'network': return Object.keys(await api.listVisibleNetworks());
      case 'switch': return await api.listSwitches();
      case 'user': return Object.keys(await api.listUsers());
      case 'headnode': {
        const me = await api.whoami();
        const projects = me.is_admin ? await api.listProjects() : me.projects;
        return (await Promise.all(projects.map((p) => api.listProjectHeadnodes(p)))).flat().sort();
      }
    }
  } catch {
    return [];
  }
}

/** What a positional placeholder accepts: literal choices (`[free|all]`, `<yes|no>`), names of a kind, or anything. */
async function positionalCandidates(placeholder: string, words: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const inner = placeholder.replace(/^[<[]/, '').replace(/[>\]]$/, '').replace(/\.\.\.$/, '');
  if (inner.includes('|')) return inner.split('|');
  const kind = KIND_OF_WORD[inner.toLowerCase()];
  return kind ? namesOf(kind, words, env) : [];
}

/**
 * The candidates for the word `current`, given the words before it (after `haas`): the next noun or verb,
 * the command's options, or the names its next argument or option takes.
 */
export async function completeWords(before: readonly string[], current: string, commands: readonly CommandClass[],
  env: NodeJS.ProcessEnv): Promise<string[]> {
  const startsWith = (list: Iterable<string>) => [...new Set(list)].filter((c) => c.startsWith(current)).sort();
  const paths = commands.flatMap((command) => (command.paths ?? []).map((path) => ({ command, path })));
  const words = before.filter((w) => !w.startsWith('-'));
  const matching = (path: readonly string[], typed: readonly string[]) => path.every((p, i) => i >= typed.length || typed[i] === p);
  // The command typed so far: the one whose whole path matches the most words (options aside).
  const typed = paths.filter(({ path }) => path.length > 0 && path.length <= words.length && matching(path, words))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const shape = typed ? shapeOf(typed.command, typed.path) : undefined;
  // The command's arguments typed so far, without its options and the values of those that take one.
  const positional: string[] = [];
  let pendingOption: string | null = null;
  for (const w of before) {
    if (pendingOption !== null) pendingOption = null;
    else if (!w.startsWith('-')) positional.push(w);
    else if (!w.includes('=') && shape?.options.get(w) === true) pendingOption = w;
  }
  if (pendingOption !== null) {
    const kind = KIND_OF_WORD[pendingOption.replace(/^-+/, '')];
    return kind ? startsWith(await namesOf(kind, before, env)) : [];
  }
  if (current.startsWith('-')) return startsWith([...(shape?.options.keys() ?? ['--version']), '--help']);
  const next = paths.filter(({ path }) => path.length > positional.length && matching(path, positional)).map(({ path }) => path[positional.length]!);
  if (next.length > 0 || !typed || !shape) return startsWith(next.filter((w) => !w.startsWith('_')));
  const placeholder = shape.positionals[positional.length - typed.path.length];
  return placeholder === undefined ? [] : startsWith(await positionalCandidates(placeholder, before, env));
}

/** `haas __complete WORDS... CURRENT`: run by the completion scripts; prints candidates one per line, nothing on failure. */
export async function runCompletion(args: readonly string[], commands: readonly CommandClass[], context: BaseContext): Promise<number> {
  const current = args.length > 0 ? args[args.length - 1]! : '';
  const candidates = await completeWords(args.slice(0, -1), current, commands, context.env).catch(() => []);
  if (candidates.length > 0) context.stdout.write(candidates.join('\n') + '\n');
  return 0;
}

/** The scripts `haas completion SHELL` prints; each hands the words to `haas __complete`. */
const SCRIPTS: Record<string, string> = {
  bash: `# haas completion for bash: source <(haas completion bash), or save as /etc/bash_completion.d/haas
_haas_complete() {
  local IFS=$'\\n'
  COMPREPLY=($(command haas __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "\${COMP_WORDS[COMP_CWORD]}" 2>/dev/null))
}
complete -o default -F _haas_complete haas
`,
  zsh: `#compdef haas
# haas completion for zsh: source <(haas completion zsh) after compinit, or save as _haas in a directory of $fpath
_haas() {
  local out
  out=$(command haas __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)
  [[ -n $out ]] || return 1
  compadd -- "\${(@f)out}"
}
if [[ $funcstack[1] == _haas ]]; then _haas "$@"; else compdef _haas haas; fi
`,
  fish: `# haas completion for fish: haas completion fish > ~/.config/fish/completions/haas.fish
function __haas_complete
    set -l words (commandline -opc)
    set -e words[1]
    command haas __complete $words (commandline -ct) 2>/dev/null
end
complete -c haas -f -a '(__haas_complete)'
`,
};

class CompletionCommand extends Command {
  static override paths = [['completion']];
  static override usage = Command.Usage({
    category: 'Shell',
    description: 'print a shell completion script (bash, zsh or fish)',
    details: `
      The script completes nouns, verbs and options, and the names of nodes, projects, networks, switches, headnodes and users from the daemon when it answers within a second (with the endpoint and credentials the command line, the environment or the client config give).
    `,
    examples: [
      ['bash (add to ~/.bashrc)', 'source <($0 completion bash)'],
      ['zsh (add to ~/.zshrc, after compinit)', 'source <($0 completion zsh)'],
      ['fish', '$0 completion fish > ~/.config/fish/completions/haas.fish'],
    ],
  });
  shell = Option.String({ name: 'bash|zsh|fish' });

  async execute(): Promise<number> {
    const script = SCRIPTS[this.shell];
    if (script === undefined) throw new UsageError(`unknown shell "${this.shell}": expected bash, zsh or fish`);
    this.context.stdout.write(script);
    return 0;
  }
}

/** The `haas completion` command. */
export const completionCommands = [CompletionCommand];
