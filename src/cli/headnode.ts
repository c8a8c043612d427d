// haas headnode ...: a project's small VMs, their hnics and networks (SPEC 3.5).
import { Command, Option } from 'clipanion';
import type { HaasClient } from '../client/client.js';
import type { HeadnodeInfo } from '../client/types.js';
import { ClientCommand, DataCommand } from './base.js';
import { formatFields, formatLines, joinOr } from './output.js';

class HeadnodeCreate extends ClientCommand {
  static override paths = [['headnode', 'create']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Create a headnode of a project from a base image (see `haas headnode images`)',
    examples: [['A headnode for "research"', '$0 headnode create hn1 research debian-12']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  project = Option.String({ name: 'PROJECT' });
  baseImg = Option.String({ name: 'IMAGE' });
  async execute() {
    await this.api.headnodeCreate(this.headnode, this.project, this.baseImg);
  }
}

function simpleHeadnodeCommand(verb: 'delete' | 'start' | 'stop', description: string, call: (api: HaasClient, headnode: string) => Promise<void>) {
  return class extends ClientCommand {
    static override paths = [['headnode', verb]];
    static override usage = Command.Usage({
      category: 'Headnodes', description, examples: [[description, `$0 headnode ${verb} hn1`]],
    });
    headnode = Option.String({ name: 'HEADNODE' });
    async execute() {
      await call(this.api, this.headnode);
    }
  };
}

class HeadnodeShow extends DataCommand {
  static override paths = [['headnode', 'show']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'Show a headnode: project, image, hnics, VNC port and status',
    examples: [['Show hn1', '$0 headnode show hn1']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  async execute() {
    this.show(await this.api.showHeadnode(this.headnode), (h: HeadnodeInfo) => formatFields([
      ['name', h.name], ['project', h.project], ['base image', h.base_img], ['uuid', h.uuid],
      ['status', h.status ?? '-'], ['vnc port', h.vncport === null ? '-' : String(h.vncport)], ['hnics', joinOr(h.hnics, '-')],
    ]));
  }
}

class HeadnodeImages extends DataCommand {
  static override paths = [['headnode', 'images']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'List the base images headnodes can be created from',
    examples: [['Available images', '$0 headnode images']],
  });
  async execute() {
    this.show(await this.api.listHeadnodeImages(), formatLines);
  }
}

class HnicCreate extends ClientCommand {
  static override paths = [['headnode', 'hnic', 'create']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'Add an hnic to a headnode (before it is started)',
    examples: [['Add eth0 to hn1', '$0 headnode hnic create hn1 eth0']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  hnic = Option.String({ name: 'HNIC' });
  async execute() {
    await this.api.headnodeCreateHnic(this.headnode, this.hnic);
  }
}

class HnicDelete extends ClientCommand {
  static override paths = [['headnode', 'hnic', 'delete']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'Remove an hnic from a headnode (before it is started)',
    examples: [['Remove eth0 of hn1', '$0 headnode hnic delete hn1 eth0']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  hnic = Option.String({ name: 'HNIC' });
  async execute() {
    await this.api.headnodeDeleteHnic(this.headnode, this.hnic);
  }
}

class HeadnodeConnectNetwork extends ClientCommand {
  static override paths = [['headnode', 'connect-network']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Attach an hnic to a network (untagged; the network\'s VLAN must come from the pool)',
    examples: [['hn1\'s eth0 on net1', '$0 headnode connect-network hn1 eth0 net1']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  hnic = Option.String({ name: 'HNIC' });
  network = Option.String({ name: 'NETWORK' });
  async execute() {
    await this.api.headnodeConnectNetwork(this.headnode, this.hnic, this.network);
  }
}

class HeadnodeDetachNetwork extends ClientCommand {
  static override paths = [['headnode', 'detach-network']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'Detach an hnic from its network',
    examples: [['Detach eth0 of hn1', '$0 headnode detach-network hn1 eth0']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  hnic = Option.String({ name: 'HNIC' });
  async execute() {
    await this.api.headnodeDetachNetwork(this.headnode, this.hnic);
  }
}

/** The `haas headnode` commands. */
export const headnodeCommands = [
  HeadnodeCreate,
  simpleHeadnodeCommand('delete', 'Delete a headnode: stop its VM, delete its disk and hnics', (api, h) => api.headnodeDelete(h)),
  simpleHeadnodeCommand('start', 'Start a headnode (it cannot be changed afterwards)', (api, h) => api.headnodeStart(h)),
  simpleHeadnodeCommand('stop', 'Stop a headnode (hard power off)', (api, h) => api.headnodeStop(h)),
  HeadnodeShow, HeadnodeImages, HnicCreate, HnicDelete, HeadnodeConnectNetwork, HeadnodeDetachNetwork,
];
