// Base classes of the client commands: connection options, the API client, output and --wait.
import { Command, Option, UsageError } from 'clipanion';
import { HaasClient } from '../client/client.js';
import { parseEndpoint } from '../client/endpoint.js';
import type { NetworkingAction, NetworkingActionDetails, StatusId } from '../client/types.js';
import { CommandFailedError } from './failures.js';
import { chooseColumns, formatFields, formatJson, formatRecords, formatYaml, outputFormat, type OutputFormat, type Records } from './output.js';
import { waitOption, waitTimeoutMs, waitWithProgress } from './progress.js';
import { readCaCertFile, resolveClientSettings } from './settings.js';

export { CommandFailedError };

/** A networking action ended in ERROR (exit code 1). */
export class ActionFailedError extends CommandFailedError {
  constructor(message: string) {
    super('ActionFailedError', message);
  }
}

/**
 * A command that talks to the daemon. The connection and output options are the same for every such
 * command, so they are hidden from each usage line and described once (help.ts, `haas --help`).
 * `--password-file` is always the caller's own password, never a secret being set.
 */
export abstract class ClientCommand extends Command {
  endpoint = Option.String('--endpoint', { hidden: true });
  username = Option.String('--username', { hidden: true });
  authPasswordFile = Option.String('--password-file,--auth-password-file', { hidden: true });
  caCert = Option.String('--ca-cert', { hidden: true });
  json = Option.Boolean('--json', false, { hidden: true });
  quiet = Option.Boolean('-q,--quiet', false, { hidden: true });

  private cachedClient: HaasClient | undefined;

  /** The API client for the resolved endpoint and credentials. */
  protected get api(): HaasClient {
    if (!this.cachedClient) {
      const settings = resolveClientSettings({
        endpoint: this.endpoint, username: this.username, passwordFile: this.authPasswordFile, caCert: this.caCert,
      }, this.context.env);
      let endpoint;
      try {
        endpoint = parseEndpoint(settings.endpoint);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      // The CA only matters for https; a unix socket or plain http never reads the file.
      const ca = endpoint.kind === 'https' && settings.caCertFile !== undefined ? readCaCertFile(settings.caCertFile) : undefined;
      this.cachedClient = new HaasClient({ endpoint, credentials: settings.credentials, ca });
    }
    return this.cachedClient;
  }

  protected write(text: string): void {
    this.context.stdout.write(text);
  }

  /** Confirm a change in one line ("created network prov"); nothing with --quiet or --json. */
  protected done(message: string): void {
    if (!this.quiet && !this.json) this.write(message + '\n');
  }
}

/** A list of names (`node list`, `switch list`): one column, "name". */
const NAMES: Records<string[]> = { columns: ['name'], rows: (names) => names.map((name) => ({ name })) };

function isNameList(data: unknown): data is string[] {
  return Array.isArray(data) && data.every((x) => typeof x === 'string');
}

/**
 * A client command whose answer is data: human output by default; the raw answer with --json or
 * `-o json|yaml`; rows with `-o csv|table` and `--columns` where the command gives them.
 */
export abstract class DataCommand extends ClientCommand {
  output = Option.String('-o,--output', { hidden: true });
  columns = Option.String('--columns', { hidden: true });

  /** The format -o, --json or --columns (a table) ask for; undefined: the human form. */
  private format(): OutputFormat | undefined {
    if (this.output !== undefined) {
      const format = outputFormat(this.output);
      if (format === undefined) throw new UsageError(`-o ${this.output}: expected json, yaml, csv or table`);
      if (this.json && format !== 'json') throw new UsageError(`--json and -o ${format} ask for different formats`);
      return format;
    }
    if (this.json) return 'json';
    return this.columns === undefined ? undefined : 'table';
  }

  /** Print `data` in the format asked for, else as `human(data)`; `records` are its rows for csv, table and --columns. */
  protected show<T>(data: T, human: (data: T) => string, records?: Records<T>): void {
    const format = this.format();
    if (format === undefined) { this.write(human(data)); return; }
    if ((format === 'json' || format === 'yaml') && this.columns === undefined) {
      this.write(format === 'json' ? formatJson(data) : formatYaml(data));
      return;
    }
    const rowsOf: Records<T> | undefined = records ?? (isNameList(data) ? { columns: NAMES.columns, rows: () => NAMES.rows(data) } : undefined);
    if (rowsOf === undefined) {
      throw new UsageError(`${this.columns === undefined ? `-o ${format}` : '--columns'} is not available for this command: use -o json or -o yaml`);
    }
    const columns = chooseColumns(rowsOf.columns, this.columns);
    if (typeof columns === 'string') throw new UsageError(`--columns: ${columns}`);
    this.write(formatRecords(format, columns, rowsOf.rows(data)));
  }
}

/** A command that queues a networking action: prints its id, or with --wait follows it to DONE/ERROR. */
export abstract class ActionCommand extends DataCommand {
  wait = waitOption('Wait (at most TIMEOUT: 90s, 5m; default 10m) until the switch is configured; exit 1 if the action fails');

  /** Queue the action with `start`, then report (or await) it; throws ActionFailedError when it ends in ERROR. */
  protected async follow(start: () => Promise<StatusId>): Promise<void> {
    // A bad --wait=TIMEOUT is refused before anything is queued.
    const timeoutMs = waitTimeoutMs(this.wait);
    const started = await start();
    const id = started.status_id;
    if (timeoutMs === null) {
      this.write(this.json ? formatJson(started) : id + '\n');
      return;
    }
    // Progress is for people: with --json or --quiet stderr holds only an error.
    const people = !this.json && !this.quiet;
    const say = (line: string) => { if (people) this.context.stderr.write(line); };
    say(`waiting for networking action ${id} ...\n`);
    const action = await waitWithProgress({
      stream: this.context.stderr, show: people, what: `networking action ${id}`, timeoutMs,
      poll: () => this.api.showNetworkingAction(id),
      finished: (a) => a.status !== 'PENDING',
      describe: (a) => `networking action ${id} (${describeAction(a)}): ${a.status}`,
    });
    say(`networking action ${id}: ${action.status}\n`);
    if (this.json) this.write(formatJson({ status_id: id, ...action }));
    if (action.status === 'ERROR') {
      const message = await this.deviceMessage(id);
      throw new ActionFailedError(`networking action ${id} failed (${describeAction(action)})${message ? ': ' + message : ''}`);
    }
  }

  /** The device's message of a failed action; undefined from a daemon without the details route (HIL). */
  private async deviceMessage(id: string): Promise<string | undefined> {
    try {
      return (await this.api.showNetworkingActionDetails(id)).message ?? undefined;
    } catch {
      return undefined;
    }
  }
}

/** One line saying what an action did: "modify_port n1/eth0 vlan/native -> net1". */
export function describeAction(a: NetworkingAction): string {
  return `${a.type} ${a.node}/${a.nic}${a.channel ? ' ' + a.channel : ''} -> ${a.new_network ?? '(none)'}`;
}

/** Human form of a networking action, with haas's details when known. */
export function formatAction(id: string, a: NetworkingAction | NetworkingActionDetails): string {
  const fields: [string, string][] = [
    ['id', id], ['status', a.status], ['type', a.type], ['node', a.node], ['nic', a.nic],
    ['channel', a.channel || '-'], ['new network', a.new_network ?? '-'],
  ];
  if ('message' in a) {
    fields.push(['switch', a.switch ?? '-'], ['port', a.port ?? '-'],
      ['created', String(a.created_at ?? '-')], ['finished', String(a.finished_at ?? '-')]);
    if (a.message) fields.push(['message', a.message]);
  }
  return formatFields(fields);
}
