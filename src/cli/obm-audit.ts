// haas node audit: who did which power or boot-device operation on which node (admin).
import { Command, Option } from 'clipanion';
import type { ObmAuditEntry } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';

function formatAudit(entries: ObmAuditEntry[]): string {
  if (entries.length === 0) return 'no OBM operations recorded\n';
  return formatTable(['time', 'user', 'node', 'operation', 'result'], entries.map((e) => [
    e.time, e.user, e.node, e.argument === null ? e.operation : `${e.operation} ${e.argument}`,
    e.message === null ? e.result : `${e.result}: ${e.message}`,
  ]));
}

/** `haas node audit [--node N] [--json]`. */
export class NodeAudit extends DataCommand {
  static override paths = [['node', 'audit']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Show who powered or set the boot device of nodes, when, and the result (admin)',
    details: `
      Lists power on/off/cycle and boot-device operations, oldest first: the API user ("null-auth" under
      the null auth backend), the node, the operation and its result (ok, error with the BMC's message, or
      redirect for nodes run by obmd). Refused calls (no access, OBM disabled) change nothing and are not listed.
    `,
    examples: [['Every operation', '$0 node audit'], ['Of node n1, as JSON', '$0 node audit --node n1 --json']],
  });
  node = Option.String('--node', { description: 'Only operations on this node' });

  async execute() {
    this.show(await this.api.listObmAudit(this.node), formatAudit);
  }
}
