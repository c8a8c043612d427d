// How `--help` reads: options with the name of their value (`--endpoint URL`, not clipanion's `#0`),
// and the options every client command shares described once instead of on every usage line.
import { Cli, type BaseContext, type Command, type CommandClass } from 'clipanion';
import { ClientCommand } from './base.js';

/** Value names of options whose name does not say it; `--...-file` options take a FILE; the rest a VALUE. */
const VALUE_NAMES: Record<string, string> = {
  '--endpoint': 'URL', '--username': 'NAME', '--ca-cert': 'FILE',
  '--owner': 'PROJECT', '--access': 'PROJECT', '--net-id': 'VLAN', '--project': 'PROJECT', '--node': 'NODE',
  '--channel': 'CHANNEL', '--type': 'TYPE', '--field': 'KEY=VALUE', '--field-file': 'KEY=FILE', '--metadata': 'LABEL=VALUE',
  '--obm-type': 'TYPE', '--obm-host': 'HOST', '--obm-user': 'USER', '--obm-port': 'PORT', '--obmd-uri': 'URI',
  '--config': 'FILE', '--db': 'FILE', '--socket': 'FILE', '--listen': 'HOST:PORT', '--auth': 'database|null',
  '--tls-cert': 'PEM', '--tls-key': 'PEM', '--host-key': 'FINGERPRINT', '--format': 'yaml|json',
};

function valueName(names: string[]): string {
  for (const name of names) {
    const known = Object.hasOwn(VALUE_NAMES, name) ? VALUE_NAMES[name] : undefined;
    if (known !== undefined) return known;
  }
  return names.some((name) => name.endsWith('-file')) ? 'FILE' : 'VALUE';
}

/** `--password-file,--auth-password-file #0` -> `--password-file,--auth-password-file FILE`. */
export function withValueNames(usage: string): string {
  return usage.replace(/((?:-{1,2}[\w-]+,)*-{1,2}[\w-]+) #0/g, (_all, names: string) => `${names} ${valueName(names.split(','))}`);
}

/** The options every command that talks to the daemon takes, described once. */
const CLIENT_OPTIONS: [string, string][] = [
  ['--endpoint URL', 'the daemon: unix:/path/to.sock, http://host:port or https://host:port\n'
    + '(else HAAS_ENDPOINT, HIL_ENDPOINT, "endpoint"; default: the local daemon\'s socket)'],
  ['--username NAME', 'your user name (else HAAS_USERNAME, HIL_USERNAME, "username")'],
  ['--password-file FILE', 'your own password (else HAAS_PASSWORD, HIL_PASSWORD, "password");\n'
    + 'a secret is never given on the command line'],
  ['--ca-cert FILE', 'the CA certificate (PEM) that signed an https daemon\'s certificate,\n'
    + 'e.g. your lab\'s own CA (else HAAS_CA_CERT, "ca_cert")'],
  ['--json', 'answers as JSON; errors too, as {"type","msg"} on stderr'],
  ['-o,--output FORMAT', 'list and show commands: json, yaml, csv or table'],
  ['--columns A,B,C', 'list and show commands: these columns, in this order'],
  ['-q,--quiet', 'no confirmation line after a change'],
];

function clientOptionsHelp(cli: Cli, colored: boolean | undefined): string {
  const format = cli.format(colored);
  const width = Math.max(...CLIENT_OPTIONS.map(([flag]) => flag.length));
  const indent = ' '.repeat(width + 6);
  return `\n${format.header('Connection and output options')} (every command that talks to the daemon)\n\n`
    + CLIENT_OPTIONS.map(([flag, text]) => `  ${format.bold(flag.padEnd(width))}    ${text.replaceAll('\n', '\n' + indent)}\n`).join('')
    + '\n  "endpoint", "username", "password" and "ca_cert" are keys of the [client] section of the client config,\n'
    + '  ~/.config/haas/client.conf ($HAAS_CLIENT_CONFIG). Exit codes: 0 ok, 1 the daemon refused or could not be\n'
    + '  reached, 2 usage error.\n';
}

function isClientCommand(command: CommandClass | Command | null | undefined): boolean {
  if (!command) return false;
  const cls = typeof command === 'function' ? command : command.constructor;
  return cls.prototype instanceof ClientCommand;
}

/** clipanion's Cli, with value names in usage lines and the shared client options described once. */
export class HaasCli extends Cli<BaseContext> {
  private readonly registered: CommandClass[] = [];

  override register(commandClass: CommandClass): void {
    this.registered.push(commandClass);
    super.register(commandClass);
  }

  protected override getUsageByIndex(n: number, opts?: { detailed?: boolean; inlineOptions?: boolean }) {
    const { usage, options } = super.getUsageByIndex(n, opts);
    return { usage: withValueNames(usage), options: options.map((o) => ({ ...o, definition: withValueNames(o.definition) })) };
  }

  override usage(command: CommandClass | Command | null = null, opts: { colored?: boolean; detailed?: boolean; prefix?: string } = {}): string {
    const text = super.usage(command, opts);
    if (command === null) {
      // The list of commands (all, or a noun's): the shared options once, at the end.
      const anyClient = this.registered.some((c) => isClientCommand(c));
      return anyClient ? text + clientOptionsHelp(this, opts.colored) : text;
    }
    if (opts.detailed && isClientCommand(command)) {
      return text + '\nConnection options (--endpoint URL, --username NAME, --password-file FILE, --ca-cert FILE), --json and '
        + '--quiet work here too: see `haas --help`.\n';
    }
    return text;
  }
}
