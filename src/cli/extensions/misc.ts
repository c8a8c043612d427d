// haas extensions: the daemon's active extensions in HIL's dotted names (SPEC 3.7).
import { Command } from 'clipanion';
import { DataCommand } from '../base.js';
import { formatLines } from '../output.js';

class Extensions extends DataCommand {
  static override paths = [['extensions']];
  static override usage = Command.Usage({
    category: 'Misc',
    description: 'List the active extensions: auth backend, VLAN allocator, switch and OBM drivers (admin)',
    examples: [['What is enabled', '$0 extensions']],
  });
  async execute() {
    this.show(await this.api.listActiveExtensions(), formatLines);
  }
}

/** The `haas extensions` command. */
export const miscCommands = [Extensions];
