// haas port ...: switch ports and the nics cabled to them (SPEC 3.4, admin only).
import { Command, Option } from 'clipanion';
import type { PortInfo } from '../client/types.js';
import { ActionCommand, ClientCommand, DataCommand } from './base.js';
import { formatFields, formatTable } from './output.js';

class PortRegister extends ClientCommand {
  static override paths = [['port', 'register']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Register a port of a switch (admin); the name is the switch\'s own (e.g. gi1/0/5)',
    examples: [['Port gi1/0/5 of sw0', '$0 port register sw0 gi1/0/5']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    await this.api.switchRegisterPort(this.switchName, this.port);
    this.done(`registered port ${this.port} of switch ${this.switchName}`);
  }
}

class PortDelete extends ClientCommand {
  static override paths = [['port', 'delete']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Delete a port (admin); no nic may be cabled to it',
    examples: [['Delete gi1/0/5 of sw0', '$0 port delete sw0 gi1/0/5']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    await this.api.switchDeletePort(this.switchName, this.port);
    this.done(`deleted port ${this.port} of switch ${this.switchName}`);
  }
}

function formatPort(p: PortInfo): string {
  if (p.node === undefined) return 'no nic cabled\n';
  const nets = Object.entries(p.networks ?? {});
  return formatFields([['node', p.node], ['nic', p.nic ?? '-']])
    + (nets.length > 0 ? '\n' + formatTable(['channel', 'network'], nets) : '\nno networks\n');
}

class PortShow extends DataCommand {
  static override paths = [['port', 'show']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Show the nic cabled to a port and the port\'s networks (admin)',
    examples: [['Show gi1/0/5 of sw0', '$0 port show sw0 gi1/0/5']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    this.show(await this.api.showPort(this.switchName, this.port), formatPort);
  }
}

class PortConnectNic extends ClientCommand {
  static override paths = [['port', 'connect-nic']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Record that a nic is cabled to a port (admin)',
    examples: [['n1\'s eth0 is on gi1/0/5 of sw0', '$0 port connect-nic sw0 gi1/0/5 n1 eth0']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  node = Option.String({ name: 'NODE' });
  nic = Option.String({ name: 'NIC' });
  async execute() {
    await this.api.portConnectNic(this.switchName, this.port, this.node, this.nic);
    this.done(`nic ${this.nic} of node ${this.node} is cabled to port ${this.port} of switch ${this.switchName}`);
  }
}

class PortDetachNic extends ClientCommand {
  static override paths = [['port', 'detach-nic']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Forget the cabling of a port (admin); the node must be free',
    examples: [['Uncable gi1/0/5 of sw0', '$0 port detach-nic sw0 gi1/0/5']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    await this.api.portDetachNic(this.switchName, this.port);
    this.done(`no nic is cabled to port ${this.port} of switch ${this.switchName} now`);
  }
}

class PortRevert extends ActionCommand {
  static override paths = [['port', 'revert']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Remove every network from a port (admin)',
    details: 'Queues a networking action and prints its id; `--wait` waits until it is DONE or ERROR.',
    examples: [['Reset gi1/0/5 of sw0 and wait', '$0 port revert sw0 gi1/0/5 --wait']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    await this.follow(() => this.api.portRevert(this.switchName, this.port));
  }
}

/** The `haas port` commands. */
export const portCommands = [PortRegister, PortDelete, PortShow, PortConnectNic, PortDetachNic, PortRevert];
