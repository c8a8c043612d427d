// haas whoami: who the daemon takes the caller for (haas's extension GET /v0/whoami).
import { Command } from 'clipanion';
import type { WhoAmI } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatFields, joinOr } from './output.js';

function formatWhoami(me: WhoAmI): string {
  return formatFields([
    ['user', me.user ?? '(none: the daemon runs --auth null, everyone is admin)'],
    ['admin', me.is_admin ? 'yes' : 'no'],
    ['projects', joinOr(me.projects, '-')],
  ]);
}

class Whoami extends DataCommand {
  static override paths = [['whoami']];
  static override usage = Command.Usage({
    category: 'Users',
    description: 'Show who you are to the daemon: your user name, whether you are an admin, your projects',
    examples: [['Check your credentials', '$0 whoami'], ['As JSON', '$0 whoami --json']],
  });
  async execute() {
    this.show(await this.api.whoami(), formatWhoami);
  }
}

/** The `haas whoami` command. */
export const whoamiCommands = [Whoami];
