// haas network ...: logical networks (VLANs) and their access lists (SPEC 3.3).
import { Command, Option } from 'clipanion';
import type { NetworkInfo } from '../client/types.js';
import { ClientCommand, DataCommand } from './base.js';
import { formatFields, formatTable, joinOr } from './output.js';

class NetworkCreate extends ClientCommand {
  static override paths = [['network', 'create']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Create a network',
    details: `
      \`--owner\` is \`admin\` (the default) or a project. \`--access\` is a project, or "" for a public
      network; it defaults to "" for admin-owned networks and to the owner for project-owned ones.
      \`--net-id\` is the VLAN id; "" (the default) allocates one from the pool. Allowed: admin-owned
      with any access and net id (a given id is admin only); project-owned with access = owner and a
      pool id.
    `,
    examples: [
      ['Public network, VLAN from the pool (admin)', '$0 network create pub'],
      ['Admin network on VLAN 300 for project "research"', '$0 network create lab300 --access research --net-id 300'],
      ['A project\'s own network', '$0 network create mynet --owner research'],
    ],
  });
  network = Option.String({ name: 'NETWORK' });
  owner = Option.String('--owner', 'admin', { description: '"admin" (default) or a project' });
  access = Option.String('--access', { description: 'A project, or "" for public (default: "" if admin-owned, else the owner)' });
  netId = Option.String('--net-id', '', { description: 'VLAN id; "" (default) allocates from the pool' });
  async execute() {
    const access = this.access ?? (this.owner === 'admin' ? '' : this.owner);
    await this.api.networkCreate(this.network, this.owner, access, this.netId);
    this.done(`created network ${this.network}`);
  }
}

class NetworkDelete extends ClientCommand {
  static override paths = [['network', 'delete']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Delete a network (nothing may be attached to it)',
    examples: [['Delete net1', '$0 network delete net1']],
  });
  network = Option.String({ name: 'NETWORK' });
  async execute() {
    await this.api.networkDelete(this.network);
    this.done(`deleted network ${this.network}`);
  }
}

function formatNetwork(n: NetworkInfo): string {
  let text = formatFields([
    ['name', n.name], ['owner', n.owner], ['access', joinOr(n.access, '(public)')], ['channels', n.channels.join(', ')],
  ]);
  const nodes = Object.entries(n['connected-nodes']);
  text += nodes.length > 0
    ? '\n' + formatTable(['node', 'nics'], nodes.map(([node, nics]) => [node, nics.join(', ')]))
    : '\nno nodes connected\n';
  return text;
}

class NetworkShow extends DataCommand {
  static override paths = [['network', 'show']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Show a network: owner, access list, channels and connected nodes',
    examples: [['Show net1', '$0 network show net1'], ['As JSON', '$0 network show net1 --json']],
  });
  network = Option.String({ name: 'NETWORK' });
  async execute() {
    this.show(await this.api.showNetwork(this.network), formatNetwork);
  }
}

class NetworkList extends DataCommand {
  static override paths = [['network', 'list']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'List the networks you can use, with their VLAN ids and access lists',
    details: `
      An admin sees every network; anyone else the public networks and those of their projects.
    `,
    examples: [['The networks you can use', '$0 network list']],
  });
  async execute() {
    this.show(await this.api.listVisibleNetworks(), (nets) => formatTable(['network', 'vlan', 'access'],
      Object.entries(nets).map(([name, n]) => [name, String(n.network_id), joinOr(n.projects, '(public)')])));
  }
}

class NetworkAttachments extends DataCommand {
  static override paths = [['network', 'attachments']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'List the nodes attached to a network (one nic per node)',
    examples: [['All attachments', '$0 network attachments net1'], ['Only project "research"', '$0 network attachments net1 --project research']],
  });
  network = Option.String({ name: 'NETWORK' });
  project = Option.String('--project', { description: 'Only the nodes of this project' });
  async execute() {
    this.show(await this.api.listNetworkAttachments(this.network, this.project), (att) => formatTable(
      ['node', 'nic', 'channel', 'project'],
      Object.entries(att).map(([node, a]) => [node, a.nic, a.channel, a.project])));
  }
}

class NetworkGrantAccess extends ClientCommand {
  static override paths = [['network', 'grant-access']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Give a project access to a network (a public network becomes restricted to it)',
    examples: [['Let "research" use net1', '$0 network grant-access net1 research']],
  });
  network = Option.String({ name: 'NETWORK' });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.networkGrantProjectAccess(this.network, this.project);
    this.done(`project ${this.project} can use network ${this.network}`);
  }
}

class NetworkRevokeAccess extends ClientCommand {
  static override paths = [['network', 'revoke-access']];
  static override usage = Command.Usage({
    category: 'Networks',
    description: 'Remove a project from a network\'s access list (its nodes must be detached first)',
    examples: [['Revoke "research" on net1', '$0 network revoke-access net1 research']],
  });
  network = Option.String({ name: 'NETWORK' });
  project = Option.String({ name: 'PROJECT' });
  async execute() {
    await this.api.networkRevokeProjectAccess(this.network, this.project);
    this.done(`project ${this.project} can no longer use network ${this.network}`);
  }
}

/** The `haas network` commands. */
export const networkCommands = [
  NetworkCreate, NetworkDelete, NetworkShow, NetworkList, NetworkAttachments, NetworkGrantAccess, NetworkRevokeAccess,
];
