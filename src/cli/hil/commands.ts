// HIL's click CLI (hil/cli/*.py at 8c6de22) as data: each command's words, arguments and options, and
// what it does through haas's client, printing what HIL's printed. docs/hil-cli.md says where it differs.
import type { HaasClient } from '../../client/client.js';
import type { NodeInfo } from '../../client/types.js';
import { makeTable, prettyTable, pyJson } from './format.js';

/** A positional argument: required unless `optional`; `choices` limit it (click.Choice); `variadic` takes the rest. */
export interface HilArg { name: string; optional?: boolean; choices?: readonly string[]; variadic?: boolean }

/** An option: a flag (`--json`) or one taking a value (`--access P`); `names` are its spellings. */
export interface HilOption { key: string; names: readonly string[]; flag?: boolean; help: string }

/** What a command gets: the client, its arguments and options, and where to print. */
export interface HilCall {
  api: HaasClient;
  args: Readonly<Record<string, string | undefined>>;
  rest: readonly string[];
  opts: Readonly<Record<string, string | true | undefined>>;
  out: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** HIL_TIMEOUT in seconds (project node remove --force). */
  timeoutS: number;
}

/** One command of HIL's CLI. */
export interface HilCommand {
  path: readonly string[];
  args: readonly HilArg[];
  options?: readonly HilOption[];
  help: string;
  run: (c: HilCall) => Promise<void>;
}

/** A command's failure of its own (HIL's sys.exit with a message): printed as is, exit code 1. */
export class HilExit extends Error {}

const JSON_OPT: HilOption = { key: 'json', names: ['--json'], flag: true, help: 'Print the raw answer as JSON' };

/** print_json, or the table. */
function jsonOr(c: HilCall, raw: unknown, table: () => string): void {
  c.out(c.opts.json === true ? pyJson(raw) + '\n' : table());
}

function arg(c: HilCall, name: string): string {
  return c.args[name] ?? '';
}

function nodeTable(raw: NodeInfo): string {
  const rows: string[][] = [['Project', raw.project ?? 'None'], ['Name', raw.name], ['', '']];
  for (const n of raw.nics) {
    rows.push(['Label', n.label], ['Macaddr', n.macaddr]);
    if ('switch' in n) rows.push(['Switch', n.switch ?? 'None']);
    if ('port' in n) rows.push(['Port', n.port ?? 'None']);
    const nets = Object.entries(n.networks);
    if (nets.length === 0) rows.push(['Networks', 'None']);
    nets.forEach(([channel, net], i) => rows.push([i === 0 ? 'Networks' : '', `${net}(${channel})`]));
    rows.push(['', '']);
  }
  // HIL strips the quotes of a JSON string value: "lab" -> lab.
  for (const [key, val] of Object.entries(raw.metadata)) rows.push([key, val.replace(/^"+|"+$/g, '')]);
  return prettyTable(['Field', 'Value'], rows);
}

function statusTable(statusId: string): string {
  return makeTable(['Field', 'Value'], [['Status ID', statusId]]);
}

/** switch register's positional fields per subtype (hil/cli/switch.py). */
const SWITCH_FIELDS: Record<string, readonly string[]> = {
  nexus: ['hostname', 'username', 'password', 'dummy_vlan'],
  delln3000: ['hostname', 'username', 'password', 'dummy_vlan'],
  mock: ['hostname', 'username', 'password'],
  powerconnect55xx: ['hostname', 'username', 'password'],
  brocade: ['hostname', 'username', 'password', 'interface_type'],
  dellnos9: ['hostname', 'username', 'password', 'interface_type'],
  ovs: ['ovs_bridge'],
};
const SWITCH_API = 'http://schema.massopencloud.org/haas/v0/switches/';

function switchInfo(subtype: string, args: readonly string[]): { type: string; fields: Record<string, unknown> } {
  const names = Object.hasOwn(SWITCH_FIELDS, subtype) ? SWITCH_FIELDS[subtype] : undefined;
  if (names !== undefined) {
    if (args.length !== names.length) {
      throw new HilExit(`ERROR: subtype ${subtype} requires exactly ${names.length} arguments\n${names.map((n) => `<${n}>`).join(' ')}\n`);
    }
    // HIL sent every field as a string; haas's drivers take dummy_vlan as a number.
    const fields = Object.fromEntries(names.map((n, i) => [n, n === 'dummy_vlan' && /^[0-9]+$/.test(args[i] ?? '') ? Number(args[i]) : args[i]]));
    return { type: SWITCH_API + subtype, fields };
  }
  if (args.length === 0) throw new HilExit('No switchinfo provided');
  try {
    const parsed: unknown = JSON.parse(args[0] ?? '');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return { type: subtype, fields: { ...parsed } };
  } catch {
    throw new HilExit('Malformed switchinfo');
  }
}

/** project node remove --force: disable the OBM, revert the ports of nics with networks and wait for them (HIL_TIMEOUT). */
async function forceRemoveNetworks(c: HilCall, node: string): Promise<'done' | 'failed'> {
  await c.api.nodeEnableDisableObm(node, false);
  c.out('Disabled OBM\n');
  const info = await c.api.showNode(node);
  const statuses: string[] = [];
  for (const nic of info.nics) {
    if (Object.keys(nic.networks).length === 0) continue;
    if (!('switch' in nic) || !nic.switch || !nic.port) {
      throw new HilExit('Could not get switch and port information to call revert port with. Try running this as a HIL admin.');
    }
    statuses.push((await c.api.portRevert(nic.switch, nic.port)).status_id);
  }
  const end = Date.now() + c.timeoutS * 1000;
  for (;;) {
    const states = await Promise.all(statuses.map((id) => c.api.showNetworkingAction(id)));
    if (states.some((s) => s.status === 'ERROR')) {
      c.out('Revert port failed. Check HIL network server\n');
      return 'failed';
    }
    if (states.every((s) => s.status === 'DONE')) break;
    if (Date.now() > end) throw new HilExit('Removing networks is taking too long. Set HIL_TIMEOUT to wait longer');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  c.out('Succesfuly finished removing all networks from the node.\n');
  return 'done';
}

/** The headnode commands print the daemon's raw answer (JSON text) and a newline, as HIL's check_status_code did. */
function raw(c: HilCall, value: unknown): void {
  c.out((value === undefined ? '' : pyJson(value)) + '\n');
}

/** Every command of HIL's CLI at 8c6de22. */
export const HIL_COMMANDS: readonly HilCommand[] = [
  // ---- node (hil/cli/node.py)
  { path: ['node', 'list'], args: [{ name: 'pool', choices: ['free', 'all'] }], options: [JSON_OPT], help: 'List all nodes or free nodes',
    run: async (c) => {
      const pool = arg(c, 'pool') === 'free' ? 'free' : 'all';
      const nodes = await c.api.listNodes(pool);
      jsonOr(c, nodes, () => makeTable([pool === 'free' ? 'Free Nodes' : 'All Nodes'], nodes.map((n) => [n])));
    } },
  { path: ['node', 'show'], args: [{ name: 'node' }], options: [JSON_OPT], help: 'Show node information',
    run: async (c) => { const n = await c.api.showNode(arg(c, 'node')); jsonOr(c, n, () => nodeTable(n)); } },
  { path: ['node', 'bootdev'], args: [{ name: 'node' }, { name: 'bootdev' }], help: "Set a node's boot device",
    run: (c) => c.api.nodeSetBootdev(arg(c, 'node'), arg(c, 'bootdev')) },
  { path: ['node', 'register'], args: [{ name: 'node' }, { name: 'obmd-uri' }, { name: 'obmd-admin-token' }], help: 'Register a new node',
    run: (c) => c.api.nodeRegister(arg(c, 'node'), { obmd: { uri: arg(c, 'obmd-uri'), admin_token: arg(c, 'obmd-admin-token') } }) },
  { path: ['node', 'delete'], args: [{ name: 'node' }], help: 'Delete a node', run: (c) => c.api.nodeDelete(arg(c, 'node')) },
  { path: ['node', 'network', 'connect'], args: [{ name: 'node' }, { name: 'nic' }, { name: 'network' }, { name: 'channel', optional: true }],
    options: [JSON_OPT], help: 'Connect a node to a network',
    run: async (c) => {
      // HIL sends channel "" when none is given; haas's API takes no channel as the native one.
      const channel = arg(c, 'channel');
      const r = await c.api.nodeConnectNetwork(arg(c, 'node'), arg(c, 'nic'), arg(c, 'network'), channel === '' ? undefined : channel);
      jsonOr(c, r, () => statusTable(r.status_id));
    } },
  { path: ['node', 'network', 'detach'], args: [{ name: 'node' }, { name: 'nic' }, { name: 'network' }], options: [JSON_OPT],
    help: 'Detach node from a network',
    run: async (c) => {
      const r = await c.api.nodeDetachNetwork(arg(c, 'node'), arg(c, 'nic'), arg(c, 'network'));
      jsonOr(c, r, () => statusTable(r.status_id));
    } },
  { path: ['node', 'nic', 'register'], args: [{ name: 'node' }, { name: 'nic' }, { name: 'macaddress' }], help: 'Register a nic of a node',
    run: (c) => c.api.nodeRegisterNic(arg(c, 'node'), arg(c, 'nic'), arg(c, 'macaddress')) },
  { path: ['node', 'nic', 'delete'], args: [{ name: 'node' }, { name: 'nic' }], help: 'Delete a nic of a node',
    run: (c) => c.api.nodeDeleteNic(arg(c, 'node'), arg(c, 'nic')) },
  { path: ['node', 'obm', 'enable'], args: [{ name: 'node' }], help: "Enable <node>'s obm",
    run: (c) => c.api.nodeEnableDisableObm(arg(c, 'node'), true) },
  { path: ['node', 'obm', 'disable'], args: [{ name: 'node' }], help: "Disable <node>'s obm",
    run: (c) => c.api.nodeEnableDisableObm(arg(c, 'node'), false) },
  { path: ['node', 'power', 'off'], args: [{ name: 'node' }], help: 'Power off <node>', run: (c) => c.api.nodePowerOff(arg(c, 'node')) },
  { path: ['node', 'power', 'on'], args: [{ name: 'node' }], help: 'Power on <node>', run: (c) => c.api.nodePowerOn(arg(c, 'node')) },
  { path: ['node', 'power', 'cycle'], args: [{ name: 'node' }], help: 'Power cycle <node>', run: (c) => c.api.nodePowerCycle(arg(c, 'node')) },
  { path: ['node', 'power', 'status'], args: [{ name: 'node' }], help: 'Returns node power status',
    run: async (c) => { c.out(pyJson(await c.api.nodePowerStatus(arg(c, 'node'))) + '\n'); } },
  { path: ['node', 'metadata', 'add'], args: [{ name: 'node' }, { name: 'label' }, { name: 'value' }], help: 'Add metadata to node',
    // HIL's client sent the value as a string.
    run: (c) => c.api.nodeSetMetadata(arg(c, 'node'), arg(c, 'label'), arg(c, 'value')) },
  { path: ['node', 'metadata', 'delete'], args: [{ name: 'node' }, { name: 'label' }], help: 'Delete node metadata',
    run: (c) => c.api.nodeDeleteMetadata(arg(c, 'node'), arg(c, 'label')) },
  { path: ['node', 'console', 'show'], args: [{ name: 'node' }], help: 'Show console (Ctrl+C to stop)',
    run: async (c) => {
      const stream = await c.api.showConsole(arg(c, 'node'));
      await new Promise<void>((resolve) => {
        const stop = () => { process.off('SIGINT', stop); stream.destroy(); resolve(); };
        process.once('SIGINT', stop);
        stream.on('data', (chunk: Buffer) => c.out(chunk.toString('utf8')));
        stream.on('end', stop);
        stream.on('close', stop);
        stream.on('error', stop);
      });
    } },

  // ---- project (hil/cli/project.py)
  { path: ['project', 'create'], args: [{ name: 'project' }], help: 'Create a new project', run: (c) => c.api.projectCreate(arg(c, 'project')) },
  { path: ['project', 'delete'], args: [{ name: 'project' }], help: 'Delete a project', run: (c) => c.api.projectDelete(arg(c, 'project')) },
  { path: ['project', 'list'], args: [], options: [JSON_OPT], help: 'List all projects',
    run: async (c) => { const r = await c.api.listProjects(); jsonOr(c, r, () => makeTable(['Projects'], r.map((p) => [p]))); } },
  { path: ['project', 'list-networks'], args: [{ name: 'project' }], options: [JSON_OPT], help: 'List all networks attached to a <project>',
    run: async (c) => {
      const r = await c.api.listProjectNetworks(arg(c, 'project'));
      jsonOr(c, r, () => makeTable(['Networks'], r.map((n) => [n])));
    } },
  { path: ['project', 'node', 'list'], args: [{ name: 'project' }], options: [JSON_OPT], help: 'List all nodes attached to a <project>',
    run: async (c) => {
      const r = await c.api.listProjectNodes(arg(c, 'project'));
      jsonOr(c, r, () => makeTable(['Nodes'], r.map((n) => [n])));
    } },
  { path: ['project', 'node', 'add'], args: [{ name: 'project' }, { name: 'node' }], help: 'Add <node> to a <project>',
    run: (c) => c.api.projectConnectNode(arg(c, 'project'), arg(c, 'node')) },
  { path: ['project', 'node', 'remove'], args: [{ name: 'project' }, { name: 'node' }],
    options: [{ key: 'force', names: ['--force'], flag: true, help: 'Disables obm and removes all networks before removing node from project. Requires admin privileges.' }],
    help: 'Remove <node> from a <project>',
    run: async (c) => {
      if (c.opts.force === true && (await forceRemoveNetworks(c, arg(c, 'node'))) === 'failed') return;
      await c.api.projectDetachNode(arg(c, 'project'), arg(c, 'node'));
    } },

  // ---- network (hil/cli/network.py)
  { path: ['network', 'create'], args: [{ name: 'network' }, { name: 'owner' }],
    options: [
      { key: 'access', names: ['--access'], help: 'Projects that can access this network. Defaults to the owner of the network' },
      { key: 'net-id', names: ['--net-id', '--net_id'], help: 'Network ID for network. Only admins can specify this.' },
    ],
    help: 'Create a new network',
    run: (c) => {
      const owner = arg(c, 'owner');
      const access = typeof c.opts.access === 'string' ? c.opts.access : owner;
      const netId = typeof c.opts['net-id'] === 'string' ? c.opts['net-id'] : '';
      return c.api.networkCreate(arg(c, 'network'), owner, access, netId);
    } },
  { path: ['network', 'delete'], args: [{ name: 'network' }], help: 'Delete a network', run: (c) => c.api.networkDelete(arg(c, 'network')) },
  { path: ['network', 'show'], args: [{ name: 'network' }], options: [JSON_OPT], help: 'Display information about network',
    run: async (c) => {
      const r = await c.api.showNetwork(arg(c, 'network'));
      jsonOr(c, r, () => makeTable(['Field', 'Value'], [
        ['Name', r.name], ['Owner', r.owner], ['Channels', r.channels.join('\n') + '\n'], ['Access', (r.access ?? []).join('\n') + '\n'],
        ['Connected Nodes', Object.entries(r['connected-nodes']).map(([node, nics]) => `${node}(${nics.join(',')})`).join('\n')],
      ]));
    } },
  { path: ['network', 'list'], args: [], options: [JSON_OPT], help: 'List all networks',
    run: async (c) => {
      const r = await c.api.listNetworks();
      jsonOr(c, r, () => makeTable(['Name', 'Network ID', 'Projects'], Object.entries(r)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, a]) => [name, String(a.network_id), (a.projects ?? []).join(',')])));
    } },
  { path: ['network', 'list-attachments'], args: [{ name: 'network' }],
    options: [{ key: 'project', names: ['--project'], help: 'Name of project.' }, JSON_OPT],
    help: 'Lists all the attachments from <project> for <network>',
    run: async (c) => {
      const project = typeof c.opts.project === 'string' && c.opts.project !== 'all' ? c.opts.project : undefined;
      const r = await c.api.listNetworkAttachments(arg(c, 'network'), project);
      jsonOr(c, r, () => makeTable(['Node', 'Project', 'Nic', 'Channel'], Object.entries(r).map(([node, a]) => [node, a.project, a.nic, a.channel])));
    } },
  { path: ['network', 'grant-access'], args: [{ name: 'network' }, { name: 'project' }], help: 'Add <project> to <network> access',
    run: (c) => c.api.networkGrantProjectAccess(arg(c, 'network'), arg(c, 'project')) },
  { path: ['network', 'revoke-access'], args: [{ name: 'network' }, { name: 'project' }], help: 'Remove <project> from <network> access',
    run: (c) => c.api.networkRevokeProjectAccess(arg(c, 'network'), arg(c, 'project')) },

  // ---- switch (hil/cli/switch.py)
  { path: ['switch', 'show'], args: [{ name: 'switch' }], options: [JSON_OPT], help: 'Display information about <switch>',
    run: async (c) => {
      const r = await c.api.showSwitch(arg(c, 'switch'));
      jsonOr(c, r, () => {
        const rows: string[][] = [['Name', r.name], ['Capabilities', r.capabilities[0] ?? 'Standard']];
        if (r.ports.length === 0) rows.push(['Ports', 'None']);
        r.ports.forEach((p, i) => rows.push([i === 0 ? 'Ports' : '', p.label]));
        return prettyTable(['Field', 'Value'], rows);
      });
    } },
  { path: ['switch', 'list'], args: [], options: [JSON_OPT], help: 'List all switches',
    run: async (c) => { const r = await c.api.listSwitches(); jsonOr(c, r, () => makeTable(['Switches'], r.map((s) => [s]))); } },
  { path: ['switch', 'register'], args: [{ name: 'switch' }, { name: 'subtype' }, { name: 'args', optional: true, variadic: true }],
    help: 'Register a switch',
    run: (c) => {
      const { type, fields } = switchInfo(arg(c, 'subtype'), c.rest);
      return c.api.switchRegister(arg(c, 'switch'), type, fields);
    } },
  { path: ['switch', 'delete'], args: [{ name: 'switch' }], help: 'Delete a switch', run: (c) => c.api.switchDelete(arg(c, 'switch')) },

  // ---- port (hil/cli/port.py)
  { path: ['port', 'show'], args: [{ name: 'switch' }, { name: 'port' }], options: [JSON_OPT], help: 'Show what is connected to <port>',
    run: async (c) => {
      const r = await c.api.showPort(arg(c, 'switch'), arg(c, 'port'));
      jsonOr(c, r, () => {
        const rows: string[][] = [];
        if (r.node !== undefined) rows.push(['Node', r.node]);
        if (r.nic !== undefined) rows.push(['NIC', r.nic]);
        if (r.networks !== undefined) rows.push(['Networks', Object.entries(r.networks).map(([ch, net]) => `${net} (${ch})`).join('\n')]);
        return prettyTable(['Field', 'Value'], rows);
      });
    } },
  { path: ['port', 'register'], args: [{ name: 'switch' }, { name: 'port' }], help: 'Register a <port> with <switch>',
    run: (c) => c.api.switchRegisterPort(arg(c, 'switch'), arg(c, 'port')) },
  { path: ['port', 'delete'], args: [{ name: 'switch' }, { name: 'port' }], help: 'Delete a <port> from a <switch>',
    run: (c) => c.api.switchDeletePort(arg(c, 'switch'), arg(c, 'port')) },
  { path: ['port', 'revert'], args: [{ name: 'switch' }, { name: 'port' }], options: [JSON_OPT], help: 'Detach a <port> from all networks',
    run: async (c) => {
      const r = await c.api.portRevert(arg(c, 'switch'), arg(c, 'port'));
      jsonOr(c, r, () => statusTable(r.status_id));
    } },
  { path: ['port', 'nic', 'add'], args: [{ name: 'switch' }, { name: 'port' }, { name: 'node' }, { name: 'nic' }], help: 'Connect a <port> to a <node>\'s <nic>',
    run: (c) => c.api.portConnectNic(arg(c, 'switch'), arg(c, 'port'), arg(c, 'node'), arg(c, 'nic')) },
  { path: ['port', 'nic', 'remove'], args: [{ name: 'switch' }, { name: 'port' }], help: 'Detach a <port> from its nic',
    run: (c) => c.api.portDetachNic(arg(c, 'switch'), arg(c, 'port')) },

  // ---- user (hil/cli/user.py)
  { path: ['user', 'create'], args: [{ name: 'username' }, { name: 'password' }, { name: 'is_admin', choices: ['admin', 'regular'] }],
    help: 'Create a new user',
    run: (c) => c.api.userCreate(arg(c, 'username'), arg(c, 'password'), arg(c, 'is_admin') === 'admin') },
  { path: ['user', 'delete'], args: [{ name: 'username' }], help: 'Delete a user', run: (c) => c.api.userDelete(arg(c, 'username')) },
  { path: ['user', 'project', 'add'], args: [{ name: 'user' }, { name: 'project' }], help: 'Add <user> to <project>',
    run: (c) => c.api.userAddProject(arg(c, 'user'), arg(c, 'project')) },
  { path: ['user', 'project', 'remove'], args: [{ name: 'user' }, { name: 'project' }], help: 'Remove <user> from <project>',
    run: (c) => c.api.userRemoveProject(arg(c, 'user'), arg(c, 'project')) },
  { path: ['user', 'set-admin'], args: [{ name: 'username' }, { name: 'is_admin', choices: ['admin', 'regular'] }],
    help: 'Change the admin status of a user',
    run: (c) => c.api.userSetAdmin(arg(c, 'username'), arg(c, 'is_admin') === 'admin') },

  // ---- networking-action (hil/cli/misc.py)
  { path: ['networking-action', 'show'], args: [{ name: 'status_id' }], options: [JSON_OPT], help: 'Displays the status of the networking action',
    run: async (c) => {
      const r = await c.api.showNetworkingAction(arg(c, 'status_id'));
      jsonOr(c, r, () => prettyTable(['Field', 'Value'], [
        ['Node', r.node], ['NIC', r.nic], ['New Network', r.new_network ?? 'None'], ['Type', r.type], ['Channel', r.channel], ['Status', r.status],
      ]));
    } },

  // ---- headnode (hil/cli/headnode.py): the daemon's raw answers
  { path: ['headnode', 'create'], args: [{ name: 'headnode' }, { name: 'project' }, { name: 'base-img' }], help: 'Create a headnode',
    run: async (c) => raw(c, await c.api.headnodeCreate(arg(c, 'headnode'), arg(c, 'project'), arg(c, 'base-img'))) },
  { path: ['headnode', 'delete'], args: [{ name: 'headnode' }], help: 'Delete <headnode>',
    run: async (c) => raw(c, await c.api.headnodeDelete(arg(c, 'headnode'))) },
  { path: ['headnode', 'start'], args: [{ name: 'headnode' }], help: 'Start <headnode>',
    run: async (c) => raw(c, await c.api.headnodeStart(arg(c, 'headnode'))) },
  { path: ['headnode', 'stop'], args: [{ name: 'headnode' }], help: 'Stop <headnode>',
    run: async (c) => raw(c, await c.api.headnodeStop(arg(c, 'headnode'))) },
  { path: ['headnode', 'list'], args: [{ name: 'project' }], help: 'List all headnodes attached to a <project>',
    run: async (c) => raw(c, await c.api.listProjectHeadnodes(arg(c, 'project'))) },
  { path: ['headnode', 'show'], args: [{ name: 'headnode' }], help: 'Display information about a <headnode>',
    run: async (c) => raw(c, await c.api.showHeadnode(arg(c, 'headnode'))) },
  { path: ['headnode', 'list-images'], args: [], help: 'Show list of headnode images present in HIL',
    run: async (c) => raw(c, await c.api.listHeadnodeImages()) },
  { path: ['headnode', 'nic', 'create'], args: [{ name: 'headnode' }, { name: 'nic' }], help: 'Create a <nic> on the given <headnode>',
    run: async (c) => raw(c, await c.api.headnodeCreateHnic(arg(c, 'headnode'), arg(c, 'nic'))) },
  { path: ['headnode', 'nic', 'delete'], args: [{ name: 'headnode' }, { name: 'nic' }], help: 'Delete a <nic> on a <headnode>',
    run: async (c) => raw(c, await c.api.headnodeDeleteHnic(arg(c, 'headnode'), arg(c, 'nic'))) },
  { path: ['headnode', 'network', 'connect'], args: [{ name: 'headnode' }, { name: 'nic' }, { name: 'network' }],
    help: 'Connect a headnode\'s hnic to a network',
    run: async (c) => raw(c, await c.api.headnodeConnectNetwork(arg(c, 'headnode'), arg(c, 'nic'), arg(c, 'network'))) },
  { path: ['headnode', 'network', 'detach'], args: [{ name: 'headnode' }, { name: 'nic' }, { name: 'network' }],
    help: 'Detach a headnode\'s hnic from a network',
    run: async (c) => raw(c, await c.api.headnodeDetachNetwork(arg(c, 'headnode'), arg(c, 'nic'))) },
];
