// haas headnode ...: a project's small VMs, their hnics and networks (SPEC 3.5).
import { Command, Option } from 'clipanion';
import type { HaasClient } from '../client/client.js';
import type { HeadnodeInfo } from '../client/types.js';
import { ClientCommand, CommandFailedError, DataCommand } from './base.js';
import { formatFields, formatLines, joinOr } from './output.js';
import { runTerminal, runConsole } from './terminal.js';
import { waitOption, waitTimeoutMs, waitWithProgress } from './progress.js';

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
    this.done(`created headnode ${this.headnode}`);
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
      this.done(`${{ delete: 'deleted', start: 'started', stop: 'stopped' }[verb]} headnode ${this.headnode}`);
    }
  };
}

class HeadnodeStart extends ClientCommand {
  static override paths = [['headnode', 'start']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Start a headnode (it cannot be changed afterwards)',
    details: '`--wait[=TIMEOUT]` waits until the daemon reports the VM running (a progress line on a terminal); exit 1 if it dies.',
    examples: [['Start a headnode', '$0 headnode start hn1'], ['And wait until it runs', '$0 headnode start hn1 --wait']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  wait = waitOption('Wait (at most TIMEOUT: 90s, 5m; default 10m) until the VM runs');
  async execute() {
    const timeoutMs = waitTimeoutMs(this.wait);
    await this.api.headnodeStart(this.headnode);
    if (timeoutMs !== null) {
      // A daemon without haas's status (HIL) says nothing more than the start's answer.
      const h = await waitWithProgress({
        stream: this.context.stderr, show: !this.json && !this.quiet, what: `headnode ${this.headnode}`, timeoutMs,
        poll: () => this.api.showHeadnode(this.headnode),
        finished: (info) => info.status !== 'created' && info.status !== 'stopped',
        describe: (info) => `starting headnode ${this.headnode}: ${info.status ?? 'unknown'}`,
      });
      if (h.status === 'dead') throw new CommandFailedError('HeadnodeDiedError', `headnode ${this.headnode} died right after its start`);
    }
    this.done(`started headnode ${this.headnode}`);
  }
}

/** Where a running headnode's VNC display listens: the daemon's host, loopback only. */
function vncAddress(h: HeadnodeInfo): string | null {
  return h.vncport === null ? null : `127.0.0.1:${h.vncport}`;
}

class HeadnodeShow extends DataCommand {
  static override paths = [['headnode', 'show']];
  static override usage = Command.Usage({
    category: 'Headnodes', description: 'Show a headnode: project, image, hnics, status and VNC address',
    examples: [['Show hn1', '$0 headnode show hn1']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  async execute() {
    this.show(await this.api.showHeadnode(this.headnode), (h: HeadnodeInfo) => formatFields([
      ['name', h.name], ['project', h.project], ['base image', h.base_img], ['uuid', h.uuid],
      ['status', h.status ?? '-'], ['vnc', vncAddress(h) ?? '-'], ['hnics', joinOr(h.hnics, '-')],
    ]));
  }
}

class HeadnodeStatus extends DataCommand {
  static override paths = [['headnode', 'status']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Print a headnode\'s status: created, running, stopped or dead (its VM died without a stop)',
    examples: [['Is hn1 up?', '$0 headnode status hn1']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  async execute() {
    const h = await this.api.showHeadnode(this.headnode);
    this.show({ status: h.status ?? null }, (s) => `${s.status ?? '-'}\n`);
  }
}

class HeadnodeVnc extends DataCommand {
  static override paths = [['headnode', 'vnc']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Print the VNC address of a running headnode',
    details: `
      The display listens on the haas host's loopback only. From another machine, tunnel it:
      \`ssh -L 5901:127.0.0.1:PORT haas-host\`, then point a VNC viewer at localhost:5901.
      Fails (exit 1) while the headnode is not running.
    `,
    examples: [['VNC of hn1', '$0 headnode vnc hn1']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  async execute() {
    const h = await this.api.showHeadnode(this.headnode);
    const address = vncAddress(h);
    if (address === null) {
      throw new CommandFailedError('IllegalStateError', `headnode ${h.name} is not running (status ${h.status ?? 'unknown'}); it has no VNC display`);
    }
    this.show({ host: '127.0.0.1', port: h.vncport }, () => `${address}\n`);
  }
}

class HeadnodeConsole extends ClientCommand {
  static override paths = [['headnode', 'console']];
  static override usage = Command.Usage({
    category: 'Headnodes',
    description: 'Attach to a headnode\'s serial console (log in, type); Ctrl-] leaves',
    details: `
      Any number of sessions share a console. In a terminal the session is interactive: what you type goes to
      the headnode's serial port (ttyS0), Ctrl-C included, while you are its one writer; if someone else writes,
      you are told and stay read-only. --force takes the writer over (the previous writer is told and drops to
      read-only). Ctrl-] leaves. With --read-only, or when stdin is not a terminal, it shows the recent output
      (including the previous boot's last lines), then live bytes, until you leave or the headnode stops.
    `,
    examples: [['Log in to hn1', '$0 headnode console hn1'], ['Take over from another writer', '$0 headnode console hn1 --force'],
      ['Save its output', '$0 headnode console hn1 --read-only > hn1.log']],
  });
  headnode = Option.String({ name: 'HEADNODE' });
  readOnly = Option.Boolean('--read-only', false, { description: 'only show the output; send no keys' });
  force = Option.Boolean('--force', false, { description: 'take the writer over from whoever writes' });
  async execute() {
    await runConsole(this.context, `console of headnode ${this.headnode}`, this, () => this.api.headnodeConsole(this.headnode),
      (mode) => this.api.headnodeSerialSession(this.headnode, mode));
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
    this.done(`created hnic ${this.hnic} of headnode ${this.headnode}`);
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
    this.done(`deleted hnic ${this.hnic} of headnode ${this.headnode}`);
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
    this.done(`hnic ${this.hnic} of headnode ${this.headnode} is on network ${this.network}`);
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
    this.done(`detached hnic ${this.hnic} of headnode ${this.headnode} from its network`);
  }
}

/** The `haas headnode` commands. */
export const headnodeCommands = [
  HeadnodeCreate,
  simpleHeadnodeCommand('delete', 'Delete a headnode: stop its VM, delete its disk and hnics', (api, h) => api.headnodeDelete(h)),
  HeadnodeStart,
  simpleHeadnodeCommand('stop', 'Stop a headnode (hard power off)', (api, h) => api.headnodeStop(h)),
  HeadnodeShow, HeadnodeStatus, HeadnodeVnc, HeadnodeConsole, HeadnodeImages, HnicCreate, HnicDelete, HeadnodeConnectNetwork, HeadnodeDetachNetwork,
];
