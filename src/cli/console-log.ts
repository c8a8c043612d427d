// haas node console-log / console-logs: a node's console output kept while nobody watched.
import { Command, Option } from 'clipanion';
import type { ReleasedConsoleLog } from '../client/types.js';
import { ClientCommand, DataCommand } from './base.js';
import { formatTable } from './output.js';
import { runTerminal } from './terminal.js';

class NodeConsoleLog extends ClientCommand {
  static override paths = [['node', 'console-log']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Print a node\'s console log: what its console showed while its OBM was enabled, watched or not',
    details: `
      Each console line comes with the time it began ("2026-01-31T12:00:00.123Z <line>"). The log is the current
      project's: it starts empty when the node joins a project; members of the project and admins read it.
      --since prints only lines from that time on; --follow then keeps printing new lines until you leave
      (Ctrl-C) or the node leaves the project. Admins read a previous project's log with --released NAME
      (names from \`haas node console-logs NODE\`).
    `,
    examples: [
      ['The whole log of n1', '$0 node console-log n1'],
      ['The last hour, then live', '$0 node console-log n1 --since 2026-01-31T11:00:00Z --follow'],
      ['A previous project\'s log (admins)', '$0 node console-log n1 --released 1769857200000-proj1.log'],
    ],
  });
  node = Option.String({ name: 'NODE' });
  since = Option.String('--since', { description: 'only lines from this time on (ISO 8601, e.g. 2026-01-31T11:00:00Z)' });
  follow = Option.Boolean('--follow,-f', false, { description: 'keep printing new lines until Ctrl-C or the node leaves the project' });
  released = Option.String('--released', { description: 'read this released log of a previous project (admins)' });
  async execute() {
    const res = await this.api.nodeConsoleLog(this.node, { since: this.since, follow: this.follow, log: this.released });
    if (this.follow) { await runTerminal(this.context, `console log of ${this.node}`, res, null); return; }
    for await (const chunk of res) this.context.stdout.write(chunk as Buffer);
  }
}

function formatReleased(logs: ReleasedConsoleLog[]): string {
  if (logs.length === 0) return 'no released console logs\n';
  return formatTable(['name', 'project', 'released', 'bytes'], logs.map((l) => [l.name, l.project ?? '(free)', l.released, String(l.bytes)]));
}

class NodeConsoleLogs extends DataCommand {
  static override paths = [['node', 'console-logs']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'List a node\'s released console logs, kept from the projects that held it before (admins)',
    details: `
      A node's console log belongs to the project that held it; when the node leaves that project the log is
      released: only admins read it (\`haas node console-log NODE --released NAME\`), until [console] log_retention
      removes it.
    `,
    examples: [['Previous logs of n1', '$0 node console-logs n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    this.show(await this.api.nodeReleasedConsoleLogs(this.node), formatReleased);
  }
}

class HeadnodeConsoleLog extends ClientCommand {
  static override paths = [['headnode', 'console-log']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Print a headnode\'s serial log (its last ~2 MiB of console output, the previous boot\'s included)',
    details: `
      QEMU writes the headnode's serial output to a bounded log whether or not anyone watches; this prints it
      whole (its lines carry no times). --follow then keeps printing new output until you leave (Ctrl-C) or the
      headnode stops. Members of the headnode's project and admins read it.
    `,
    examples: [['The log of hn1', '$0 headnode console-log hn1'], ['Then live', '$0 headnode console-log hn1 --follow']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  follow = Option.Boolean('--follow,-f', false, { description: 'keep printing new output until Ctrl-C or the headnode stops' });
  async execute() {
    const res = await this.api.headnodeConsoleLog(this.headnode, this.follow);
    if (this.follow) { await runTerminal(this.context, `console log of headnode ${this.headnode}`, res, null); return; }
    for await (const chunk of res) this.context.stdout.write(chunk as Buffer);
  }
}

/** The console-log commands. */
export const consoleLogCommands = [NodeConsoleLog, NodeConsoleLogs, HeadnodeConsoleLog];
