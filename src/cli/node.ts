// haas node ...: nodes, their nics, metadata, OBM, power, boot device, console and networks (SPEC 3.2).
import { Command, Option, UsageError } from 'clipanion';
import type { LeaseInfo, NodeDetail, NodeInfo, NodeRegistration, ObmAuditEntry } from '../client/types.js';
import { leaseOrNull, leaseState } from './lease.js';
import { ActionCommand, ClientCommand, DataCommand } from './base.js';
import { jsonOrString, splitKeyValue } from './input.js';
import { readSecret } from '../secret-input.js';
import { formatFields, formatLines, formatTable, type Records } from './output.js';
import { runTerminal, runConsole } from './terminal.js';

/** `node list --long`: one row per node; a node's nics share its row (switch ports and networks joined). */
const LONG_RECORDS: Records<NodeDetail[]> = {
  columns: ['name', 'project', 'lease_end', 'obm', 'power', 'nics', 'ports', 'networks'],
  rows: (nodes) => nodes.map((n) => ({
    name: n.name,
    project: n.project ?? '',
    lease_end: n.lease === null ? '' : n.lease.state === 'active' ? n.lease.ends_at ?? 'no end' : n.lease.state,
    obm: n.obm.enabled ? n.obm.type : `${n.obm.type} (disabled)`,
    power: n.power === null ? '' : `${n.power.state} since ${n.power.since}`,
    nics: n.nics.map((nic) => nic.label).join(' '),
    ports: n.nics.filter((nic) => nic.port).map((nic) => `${nic.label}=${nic.switch}:${nic.port}`).join(' '),
    networks: n.nics.flatMap((nic) => Object.entries(nic.networks).map(([channel, net]) =>
      `${net}(${nic.label}${channel === 'vlan/native' ? '' : ' ' + channel})`)).join(' '),
  })),
};

function formatLong(nodes: NodeDetail[]): string {
  if (nodes.length === 0) return 'no nodes\n';
  const cols = LONG_RECORDS.columns;
  return formatTable([...cols], LONG_RECORDS.rows(nodes).map((r) => cols.map((c) => r[c] || '-')));
}

class NodeList extends DataCommand {
  static override paths = [['node', 'list']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'List nodes: `free` ones (in no project) or `all` (the default)',
    details: `
      \`--long\` (\`-l\`) adds, for each node you may see: its project, lease end, OBM type, the last power state
      haas set (on/off and since when; \`power status\` asks the BMC), each nic's switch port (admins) and networks.
      \`--project P\` lists the nodes of one project. \`-o json|yaml|csv|table\` and \`--columns a,b,c\` choose the output;
      the columns of \`--long\` are name, project, lease_end, obm, power, nics, ports, networks.
    `,
    examples: [
      ['Free nodes', '$0 node list free'], ['Every node', '$0 node list'],
      ['With projects, leases, ports and networks', '$0 node list --long'],
      ['As CSV, a few columns', '$0 node list --long -o csv --columns name,project,ports'],
    ],
  });
  which = Option.String({ name: 'free|all', required: false });
  long = Option.Boolean('-l,--long', false, { description: 'Project, lease end, OBM, power state, switch ports and networks' });
  project = Option.String('--project', { description: 'Only the nodes of this project (with --long)' });
  async execute() {
    const which = this.which ?? 'all';
    if (which !== 'free' && which !== 'all') throw new UsageError(`expected "free" or "all", got "${which}"`);
    if (this.project !== undefined && !this.long) throw new UsageError('--project goes with --long (or use `haas project nodes PROJECT`)');
    if (!this.long) {
      this.show(await this.api.listNodes(which), formatLines);
      return;
    }
    const nodes = await this.api.allNodeDetails({ free: which === 'free' ? true : undefined, project: this.project });
    this.show(nodes, formatLong, LONG_RECORDS);
  }
}

function formatNode(node: NodeInfo, lease: LeaseInfo | null = null): string {
  const admin = node.nics.some((nic) => 'port' in nic || 'switch' in nic);
  const headers = admin ? ['nic', 'macaddr', 'switch', 'port', 'networks'] : ['nic', 'macaddr', 'networks'];
  const rows = node.nics.map((nic) => {
    const nets = Object.entries(nic.networks).map(([channel, net]) => `${net} (${channel})`).join(', ') || '-';
    return admin
      ? [nic.label, nic.macaddr, nic.switch ?? '-', nic.port ?? '-', nets]
      : [nic.label, nic.macaddr, nets];
  });
  const fields: [string, string][] = [['name', node.name], ['project', node.project ?? '(free)']];
  // A lease without an end (HIL's behaviour, no [leases] configured) adds nothing.
  if (lease && (lease.ends_at !== null || lease.state !== 'active')) fields.push(['lease', `${lease.ends_at ?? 'no end'} (${leaseState(lease)})`]);
  let text = formatFields(fields);
  const metadata = Object.entries(node.metadata);
  if (metadata.length > 0) text += '\nmetadata:\n' + formatTable(['label', 'value'], metadata);
  text += node.nics.length > 0 ? '\n' + formatTable(headers, rows) : '\nno nics\n';
  return text;
}

const NIC_RECORDS: Records<NodeInfo> = {
  columns: ['node', 'project', 'nic', 'macaddr', 'switch', 'port', 'networks'],
  rows: (node) => node.nics.map((nic) => ({
    node: node.name, project: node.project ?? '', nic: nic.label, macaddr: nic.macaddr, switch: nic.switch ?? '', port: nic.port ?? '',
    networks: Object.entries(nic.networks).map(([channel, net]) => `${net}(${channel})`).join(' '),
  })),
};

class NodeShow extends DataCommand {
  static override paths = [['node', 'show']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Show a node: project, nics (with their networks; switch and port for admins) and metadata',
    examples: [['Show node n1', '$0 node show n1'], ['As JSON', '$0 node show n1 --json']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    const node = await this.api.showNode(this.node);
    if (this.json || this.output !== undefined || this.columns !== undefined || node.project === null) {
      this.show(node, formatNode, NIC_RECORDS);
      return;
    }
    // The end comes from the lease route (show_node keeps HIL's shape).
    const lease = await leaseOrNull(this.api, this.node);
    this.show(node, (n) => formatNode(n, lease));
  }
}

class NodeRegister extends ClientCommand {
  static override paths = [['node', 'register']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Register a node with its out-of-band management (admin)',
    details: `
      Either an in-process OBM (\`--obm-type ipmi|mock\` with host, user and password) or an external obmd
      (\`--obmd-uri\` with its admin token). Secrets are read from the given file, or from stdin (a prompt
      on a terminal): never from the command line.

      \`--metadata label=VALUE\` (repeatable) sets metadata; VALUE is JSON, or a string if it is not valid JSON.
    `,
    examples: [
      ['IPMI node, password from a file', '$0 node register n1 --obm-type ipmi --obm-host 10.0.0.11 --obm-user admin --obm-password-file bmc.pw'],
      ['Mock OBM, password on stdin', 'echo secret | $0 node register n2 --obm-type mock --obm-host h --obm-user u'],
      ['obmd node', '$0 node register n3 --obmd-uri http://obmd:8080/node/n3 --obmd-admin-token-file obmd.token'],
      ['With metadata', '$0 node register n4 --obm-type mock --obm-host h --obm-user u --obm-password-file pw --metadata rack=12 --metadata owner=\'"lab"\''],
    ],
  });
  node = Option.String({ name: 'NODE' });
  obmType = Option.String('--obm-type', { description: 'OBM driver: ipmi or mock (or HIL\'s schema URI)' });
  obmHost = Option.String('--obm-host', { description: 'BMC address' });
  obmUser = Option.String('--obm-user', { description: 'BMC user' });
  obmPasswordFile = Option.String('--obm-password-file', { description: 'File holding the BMC password (default: stdin)' });
  obmPort = Option.String('--obm-port', { description: 'BMC port (ipmi; default 623)' });
  obmdUri = Option.String('--obmd-uri', { description: 'The node\'s URI on obmd' });
  obmdTokenFile = Option.String('--obmd-admin-token-file', { description: 'File holding obmd\'s admin token (default: stdin)' });
  metadata = Option.Array('--metadata', [], { description: 'label=VALUE (JSON or string); repeatable' });

  async execute() {
    if ((this.obmType === undefined) === (this.obmdUri === undefined)) {
      throw new UsageError('give exactly one of --obm-type (in-process OBM) or --obmd-uri (obmd)');
    }
    let registration: NodeRegistration;
    if (this.obmType !== undefined) {
      if (this.obmHost === undefined || this.obmUser === undefined) throw new UsageError('--obm-type needs --obm-host and --obm-user');
      if (this.obmdTokenFile !== undefined) throw new UsageError('--obmd-admin-token-file goes with --obmd-uri');
      const password = await readSecret({ file: this.obmPasswordFile, what: 'OBM password', stdin: this.context.stdin, stderr: this.context.stderr });
      const obm: Record<string, unknown> = { host: this.obmHost, user: this.obmUser, password };
      if (this.obmPort !== undefined) {
        const port = Number(this.obmPort);
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid --obm-port "${this.obmPort}"`);
        obm.port = port;
      }
      registration = { obm: { type: this.obmType, ...obm } };
    } else {
      if ([this.obmHost, this.obmUser, this.obmPasswordFile, this.obmPort].some((v) => v !== undefined)) {
        throw new UsageError('--obm-host, --obm-user, --obm-password-file and --obm-port go with --obm-type');
      }
      const token = await readSecret({ file: this.obmdTokenFile, what: 'obmd admin token', stdin: this.context.stdin, stderr: this.context.stderr });
      registration = { obmd: { uri: this.obmdUri ?? '', admin_token: token } };
    }
    if (this.metadata.length > 0) {
      registration.metadata = Object.fromEntries(this.metadata.map((m) => {
        const [label, value] = splitKeyValue(m, '--metadata');
        return [label, jsonOrString(value)];
      }));
    }
    await this.api.nodeRegister(this.node, registration);
    this.done(`registered node ${this.node}`);
  }
}

class NodeDelete extends ClientCommand {
  static override paths = [['node', 'delete']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Delete a node (admin); it must be free and have no nics',
    examples: [['Delete node n1', '$0 node delete n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    await this.api.nodeDelete(this.node);
    this.done(`deleted node ${this.node}`);
  }
}

class NicRegister extends ClientCommand {
  static override paths = [['node', 'nic', 'register']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Register a nic of a node (admin)',
    examples: [['Add nic eth0 to n1', '$0 node nic register n1 eth0 52:54:00:12:34:56']],
  });
  node = Option.String({ name: 'NODE' });
  nic = Option.String({ name: 'NIC' });
  macaddr = Option.String({ name: 'MAC' });
  async execute() {
    await this.api.nodeRegisterNic(this.node, this.nic, this.macaddr);
    this.done(`registered nic ${this.nic} of node ${this.node}`);
  }
}

class NicDelete extends ClientCommand {
  static override paths = [['node', 'nic', 'delete']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Delete a nic of a free node (admin), with its cabling',
    examples: [['Remove nic eth0 of n1', '$0 node nic delete n1 eth0']],
  });
  node = Option.String({ name: 'NODE' });
  nic = Option.String({ name: 'NIC' });
  async execute() {
    await this.api.nodeDeleteNic(this.node, this.nic);
    this.done(`deleted nic ${this.nic} of node ${this.node}`);
  }
}

class NodeConnectNetwork extends ActionCommand {
  static override paths = [['node', 'connect-network']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Attach a nic of a node to a network',
    details: `
      Queues a networking action and prints its id; with \`--wait\`, waits until the switch is configured
      (progress on stderr) and exits 1 if it fails. The channel is \`vlan/native\` (untagged, the default)
      or \`vlan/<id>\` (tagged).
    `,
    examples: [
      ['Untagged, and wait', '$0 node connect-network n1 eth0 net1 --wait'],
      ['Tagged', '$0 node connect-network n1 eth0 net2 --channel vlan/102'],
    ],
  });
  node = Option.String({ name: 'NODE' });
  nic = Option.String({ name: 'NIC' });
  network = Option.String({ name: 'NETWORK' });
  channel = Option.String('--channel', { description: 'vlan/native (default) or vlan/<id>' });
  async execute() {
    await this.follow(() => this.api.nodeConnectNetwork(this.node, this.nic, this.network, this.channel));
  }
}

class NodeDetachNetwork extends ActionCommand {
  static override paths = [['node', 'detach-network']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Detach a nic of a node from a network',
    details: 'Queues a networking action and prints its id; `--wait` waits for it as for connect-network.',
    examples: [['Detach and wait', '$0 node detach-network n1 eth0 net1 --wait']],
  });
  node = Option.String({ name: 'NODE' });
  nic = Option.String({ name: 'NIC' });
  network = Option.String({ name: 'NETWORK' });
  async execute() {
    await this.follow(() => this.api.nodeDetachNetwork(this.node, this.nic, this.network));
  }
}

class MetadataSet extends ClientCommand {
  static override paths = [['node', 'metadata', 'set']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Set (insert or replace) a metadata value of a node (admin)',
    details: 'VALUE is JSON (`12`, `true`, `{"a":1}`, `"text"`); text that is not valid JSON is stored as a string.',
    examples: [['Rack number', '$0 node metadata set n1 rack 12'], ['A string', '$0 node metadata set n1 owner lab']],
  });
  node = Option.String({ name: 'NODE' });
  label = Option.String({ name: 'LABEL' });
  value = Option.String({ name: 'VALUE' });
  async execute() {
    await this.api.nodeSetMetadata(this.node, this.label, jsonOrString(this.value));
    this.done(`set metadata ${this.label} of node ${this.node}`);
  }
}

class MetadataDelete extends ClientCommand {
  static override paths = [['node', 'metadata', 'delete']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Delete a metadata value of a node (admin)',
    examples: [['Remove "rack"', '$0 node metadata delete n1 rack']],
  });
  node = Option.String({ name: 'NODE' });
  label = Option.String({ name: 'LABEL' });
  async execute() {
    await this.api.nodeDeleteMetadata(this.node, this.label);
    this.done(`deleted metadata ${this.label} of node ${this.node}`);
  }
}

function obmCommand(verb: 'enable' | 'disable') {
  return class extends ClientCommand {
    static override paths = [['node', 'obm', verb]];
    static override usage = Command.Usage({
      category: 'Nodes',
      description: verb === 'enable'
        ? 'Enable the node\'s OBM (power, boot device and console calls need it)'
        : 'Disable the node\'s OBM (needed before detaching the node from its project)',
      examples: [[`${verb[0]?.toUpperCase()}${verb.slice(1)} the OBM of n1`, `$0 node obm ${verb} n1`]],
    });
    node = Option.String({ name: 'NODE' });
    async execute() {
      await this.api.nodeEnableDisableObm(this.node, verb === 'enable');
      this.done(`${verb}d the OBM of node ${this.node}`);
    }
  };
}

class PowerOn extends ClientCommand {
  static override paths = [['node', 'power', 'on']];
  static override usage = Command.Usage({
    category: 'Nodes', description: 'Power a node on (OBM enabled)', examples: [['Power on n1', '$0 node power on n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    await this.api.nodePowerOn(this.node);
    this.done(`powered on node ${this.node}`);
  }
}

class PowerOff extends ClientCommand {
  static override paths = [['node', 'power', 'off']];
  static override usage = Command.Usage({
    category: 'Nodes', description: 'Power a node off (OBM enabled)', examples: [['Power off n1', '$0 node power off n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    await this.api.nodePowerOff(this.node);
    this.done(`powered off node ${this.node}`);
  }
}

class PowerCycle extends ClientCommand {
  static override paths = [['node', 'power', 'cycle']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Set the next boot to PXE and power-cycle a node (turns it on if off)',
    details: '`--force` resets the node instead of a soft cycle.',
    examples: [['Cycle n1', '$0 node power cycle n1'], ['Hard reset', '$0 node power cycle n1 --force']],
  });
  node = Option.String({ name: 'NODE' });
  force = Option.Boolean('--force', false, { description: 'Hard reset' });
  async execute() {
    await this.api.nodePowerCycle(this.node, this.force);
    this.done(`power-cycled node ${this.node}${this.force ? ' (reset)' : ''}; it boots from PXE`);
  }
}

class PowerStatus extends DataCommand {
  static override paths = [['node', 'power', 'status']];
  static override usage = Command.Usage({
    category: 'Nodes', description: 'Print a node\'s power state: on or off', examples: [['Is n1 on?', '$0 node power status n1']],
  });
  node = Option.String({ name: 'NODE' });
  async execute() {
    this.show(await this.api.nodePowerStatus(this.node), (s) => s.power_status + '\n');
  }
}

class NodeBootdev extends ClientCommand {
  static override paths = [['node', 'bootdev']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Set a node\'s boot device: pxe, disk or none',
    examples: [['Boot n1 from disk', '$0 node bootdev n1 disk']],
  });
  node = Option.String({ name: 'NODE' });
  bootdev = Option.String({ name: 'DEVICE' });
  async execute() {
    await this.api.nodeSetBootdev(this.node, this.bootdev);
    this.done(`node ${this.node} boots from ${this.bootdev}`);
  }
}

class NodeConsole extends ClientCommand {
  static override paths = [['node', 'console']];
  static override usage = Command.Usage({
    category: 'Nodes',
    description: 'Attach to a node\'s serial console (watch, type); Ctrl-] leaves',
    details: `
      Shows the recent console output first, then live bytes, until you leave or the console ends (the node
      leaves its project, its OBM is disabled or its lease ends). Any number of sessions share a console.
      In a terminal the session is interactive: what you type goes to the node (Ctrl-C included) while you are
      its one writer; if someone else writes, you are told and stay read-only. --force takes the writer over
      (the previous writer is told and drops to read-only). With --read-only, or when stdin is not a terminal,
      it only shows the output, and Ctrl-C leaves too.
    `,
    examples: [['Work on n1', '$0 node console n1'], ['Take over from another writer', '$0 node console n1 --force'],
      ['Log it', '$0 node console n1 > n1.log']],
  });
  node = Option.String({ name: 'NODE' });
  readOnly = Option.Boolean('--read-only', false, { description: 'only show the output; send no keys' });
  force = Option.Boolean('--force', false, { description: 'take the writer over from whoever writes' });
  async execute() {
    await runConsole(this.context, `console of ${this.node}`, this, () => this.api.showConsole(this.node),
      (mode) => this.api.nodeConsoleSession(this.node, mode));
  }
}

function formatAudit(entries: ObmAuditEntry[]): string {
  if (entries.length === 0) return 'no OBM operations recorded\n';
  return formatTable(['time', 'user', 'node', 'operation', 'result'], entries.map((e) => [
    e.time, e.user, e.node, e.argument === null ? e.operation : `${e.operation} ${e.argument}`,
    e.message === null ? e.result : `${e.result}: ${e.message}`,
  ]));
}

/** `haas node audit [--node N] [--json]`. */
class NodeAudit extends DataCommand {
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

/** The `haas node` commands. */
export const nodeCommands = [
  NodeList, NodeShow, NodeRegister, NodeDelete, NicRegister, NicDelete, NodeConnectNetwork, NodeDetachNetwork,
  MetadataSet, MetadataDelete, obmCommand('enable'), obmCommand('disable'),
  PowerOn, PowerOff, PowerCycle, PowerStatus, NodeBootdev, NodeConsole, NodeAudit,
];
