// haas action show: a queued networking action (SPEC 3.2, show_networking_action).
import { Command, Option } from 'clipanion';
import { ApiCallError } from '../client/errors.js';
import { DataCommand, formatAction } from './base.js';

class ActionShow extends DataCommand {
  static override paths = [['action', 'show']];
  static override usage = Command.Usage({
    category: 'Networking actions',
    description: 'Show a networking action (the id printed by connect-network, detach-network and revert)',
    details: `
      Status is PENDING until the switch is configured, then DONE or ERROR. The table adds haas's details
      (switch, port, times, the device's message); \`--json\` prints HIL's fields only.
    `,
    examples: [['Show an action', '$0 action show 0b5f2c1e-3c8e-4f7b-9a55-6f0e2d7c9a10']],
  });
  id = Option.String({ name: 'ID' });
  async execute() {
    if (this.json) {
      this.show(await this.api.showNetworkingAction(this.id), () => '');
      return;
    }
    const details = await this.api.showNetworkingActionDetails(this.id).catch(async (e: unknown) => {
      // A daemon without the details route (HIL) still answers the plain call; a real 404 shows up there.
      if (e instanceof ApiCallError && e.status === 404) return this.api.showNetworkingAction(this.id);
      throw e;
    });
    this.write(formatAction(this.id, details));
  }
}

/** The `haas action` commands. */
export const actionCommands = [ActionShow];
