// haas switch learn: the cabling from the switch's MAC address table (haas's extension, admin only).
import { Command, Option, UsageError } from 'clipanion';
import type { SwitchLearnOptions, SwitchLearnReport } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';

function formatLearn(r: SwitchLearnReport): string {
  let out = `switch ${r.switch}: ${r.entries} MAC table entries\n`;
  if (r.discovery) out += `discovery VLAN ${r.discovery.vlan} on ${r.discovery.ports.length} ports: ${r.discovery.ports.join(', ') || '-'}\n`;
  for (const [port, why] of Object.entries(r.discovery?.errors ?? {})) out += `discovery VLAN, port ${port}: ${why}\n`;
  const ports = Object.entries(r.not_node_ports);
  if (ports.length) out += '\n' + formatTable(['port left out', 'why'], ports);
  if (r.nics.length === 0) return out + 'no nics to place\n';
  const status = (n: SwitchLearnReport['nics'][number]) =>
    n.status === 'connect' ? (n.register_port ? 'connect (register the port)' : 'connect') : n.status.replace('_', ' ');
  out += '\n' + formatTable(['node', 'nic', 'mac', 'port', 'status'], r.nics.map((n) => [n.node, n.nic, n.macaddr, n.port ?? '-', status(n)]));
  for (const n of r.nics) if (n.reason) out += `conflict: ${n.node}/${n.nic}: ${n.reason}\n`;
  const todo = r.nics.filter((n) => n.status === 'connect').length;
  if (!r.applied && todo > 0) out += `${todo} nic(s) to connect: run again with --apply\n`;
  return out;
}

class SwitchLearn extends DataCommand {
  static override paths = [['switch', 'learn']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Learn which port each nic is cabled to from the switch\'s MAC address table (admin)',
    details: `
      Reads the switch's forwarding table and matches it against the MAC addresses of the registered nics
      (case and \`:\`/\`-\`/\`.\` separators do not matter). For each nic it prints the port where its MAC is
      seen: \`connect\` (and \`register the port\` when the port is not registered yet), \`in place\` (already
      so cabled), \`not seen\`, or \`conflict\` with the reason (a MAC seen on several ports, a port that
      already has another nic, a nic already cabled elsewhere, a MAC registered for several nics). Ports
      carrying more than \`--uplink-macs\` addresses (default 8) are uplinks or trunks and are left out.
      With \`--apply\`, the missing ports are registered and the \`connect\` nics are cabled, in one
      transaction; conflicts are never resolved.

      A switch only learns the MACs of nodes that send: a port on no network drops a node's frames. With
      \`--discovery-vlan VID\` (a VLAN outside the pool, used by no network), the free ports (registered, no
      nic on a network) and the unregistered ports named with \`--port\` are put on that VLAN for \`--wait\`
      seconds (default 30, at most 45) and put back as they were afterwards. Power the nodes on into PXE
      meanwhile (\`haas node bootdev NODE pxe\`, \`haas node power on NODE\`), so their nics send DHCP requests the switch learns.
      Exits 1 when there are conflicts.
    `,
    examples: [
      ['Show the plan for sw0', '$0 switch learn sw0'],
      ['Register the ports and cable the nics', '$0 switch learn sw0 --apply'],
      ['Learn with the free ports on VLAN 3999 for 30 s', '$0 switch learn sw0 --discovery-vlan 3999 --wait 30 --apply'],
    ],
  });
  name = Option.String({ name: 'SWITCH' });
  apply = Option.Boolean('--apply', false, { description: 'Register the missing ports and cable the nics' });
  uplinkMacs = Option.String('--uplink-macs', { description: 'A port with more MAC addresses than this is an uplink (default 8)' });
  discoveryVlan = Option.String('--discovery-vlan', { description: 'Put the free ports on this VLAN (outside the pool) while reading' });
  wait = Option.String('--wait', { description: 'Seconds to wait on the discovery VLAN before reading (default 30, at most 45)' });
  ports = Option.Array('--port', [], { description: 'An unregistered port to put on the discovery VLAN too; repeatable' });

  async execute(): Promise<number> {
    const int = (flag: string, v: string) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`${flag} takes a number, not "${v}"`);
      return Number(v);
    };
    const opts: SwitchLearnOptions = {};
    if (this.apply) opts.apply = true;
    if (this.uplinkMacs !== undefined) opts.uplink_macs = int('--uplink-macs', this.uplinkMacs);
    if (this.discoveryVlan !== undefined) {
      opts.discovery_vlan = int('--discovery-vlan', this.discoveryVlan);
      if (this.wait !== undefined) opts.wait = int('--wait', this.wait);
      if (this.ports.length) opts.ports = this.ports;
    } else if (this.wait !== undefined || this.ports.length) {
      throw new UsageError('--wait and --port only apply with --discovery-vlan');
    }
    const report = await this.api.switchLearn(this.name, opts);
    this.show(report, formatLearn);
    return report.nics.some((n) => n.status === 'conflict') ? 1 : 0;
  }
}

/** The `haas switch learn` command. */
export const switchLearnCommands = [SwitchLearn];
