// haas switch discover / switch import / port manage: onboarding a switch
// (haas's extension, admin only).
import { Command, Option } from 'clipanion';
import type { DiscoveredPortInfo, PortManageResult, SwitchDiscovery, SwitchImportReport } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';

function vlansOf(v: { native: number | null; tagged: number[]; anomaly?: string }): string {
  const parts = [`native ${v.native ?? '-'}`, `tagged ${v.tagged.length > 0 ? v.tagged.join(',') : '-'}`];
  if (v.anomaly) parts.push(`(${v.anomaly})`);
  return parts.join(', ');
}

function inventoryState(i: DiscoveredPortInfo): string {
  if (!i.valid) return 'not a haas port name';
  if (!i.registered) return 'not registered';
  return i.unmanaged ? 'unmanaged' : 'registered';
}

function formatDiscovery(d: SwitchDiscovery): string {
  if (d.interfaces.length === 0) return `switch ${d.switch} lists no ports\n`;
  let out = formatTable(['port', 'link', 'inventory', 'switch VLANs'], d.interfaces.map((i) => [i.name, i.link, inventoryState(i), vlansOf(i)]));
  for (const i of d.interfaces) if (i.unmanaged) out += `${i.name} is unmanaged since ${i.unmanaged.since}: ${i.unmanaged.reason}\n`;
  const fresh = d.interfaces.filter((i) => i.valid && !i.registered).length;
  out += `${d.interfaces.length} port(s), ${fresh} not registered\n`;
  return out;
}

/** `haas switch discover SWITCH [--json]`. */
class SwitchDiscover extends DataCommand {
  static override paths = [['switch', 'discover']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'List the ports a switch itself reports, with link, VLANs and whether haas knows them (admin)',
    details: `
      Asks the switch for its interfaces (ovs: the bridge's Port and Interface tables; Nexus:
      \`show interface brief\`; Dell: \`show interfaces status\`; snmp: IF-MIB ifName and ifOperStatus) and
      each one's VLANs (native and tagged), and says for each whether it is registered in haas, and
      whether an import left it unmanaged. Nothing is changed on the switch or in the inventory.
    `,
    examples: [['Discover sw0', '$0 switch discover sw0']],
  });
  name = Option.String({ name: 'SWITCH' });
  async execute() {
    this.show(await this.api.switchDiscover(this.name), formatDiscovery);
  }
}

function formatImport(r: SwitchImportReport): string {
  const verb = r.dry_run ? 'would ' : '';
  let out = r.dry_run ? `dry run: nothing was changed\n` : '';
  out += r.registered.length > 0 ? `${verb}register ${r.registered.length} port(s): ${r.registered.join(', ')}\n` : 'no new port to register\n';
  if (r.unchanged.length > 0) out += `already registered, left as they are: ${r.unchanged.join(', ')}\n`;
  if (r.adopted.length > 0) {
    out += `${r.dry_run ? 'would adopt' : 'adopted'} (the switch keeps them, the inventory records them):\n`;
    out += formatTable(['port', 'node', 'nic', 'network', 'channel'], r.adopted.map((a) => [a.port, a.node, a.nic, a.network, a.channel]));
  }
  if (r.left.length > 0) {
    out += `${r.dry_run ? 'would leave' : 'left'} for you to decide (unmanaged: haas neither parks nor repairs them):\n`;
    out += formatTable(['port', 'switch VLANs', 'why'], r.left.map((l) => [l.port, vlansOf(l), l.why]));
  }
  return out;
}

/** `haas switch import SWITCH [--ports PATTERN] [--adopt] [--dry-run] [--json]`. */
class SwitchImport extends DataCommand {
  static override paths = [['switch', 'import']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Register the ports a switch reports, and with --adopt keep the VLANs it already carries (admin)',
    details: `
      Discovers the switch's ports (as \`haas switch discover\`) and registers those not registered yet, in
      one transaction; ports already registered are left as they are. Nothing is sent to the switch.

      A port that carries VLANs is never changed silently. With \`--adopt\`, a registered port cabled to a
      nic (\`haas port connect-nic\`) whose VLANs are all the net_ids of networks the nic's node's project
      may use keeps them: the inventory records the attachments (each one in the audit trail). Every
      other port that carries something is left unmanaged and listed with the reason: drift checks and
      \`haas switch verify --fix\` leave it alone until you decide, either by fixing what is missing and
      importing with \`--adopt\` again, or with \`haas port manage SWITCH PORT\`, which hands it to haas
      (and so isolates it, unless the inventory puts it on a network).

      \`--ports\` is a glob over port names: \`*\` (any characters, \`/\` too), \`?\`, \`[0-9]\`, \`[!0-9]\`.
      \`--dry-run\` prints the plan and changes nothing.
    `,
    examples: [
      ['Preview', '$0 switch import sw0 --adopt --dry-run'],
      ['Register gi1/0/1 to gi1/0/9 only', "$0 switch import sw0 --ports 'gi1/0/[1-9]'"],
      ['Register every port, adopting running VLANs', '$0 switch import sw0 --adopt'],
    ],
  });
  name = Option.String({ name: 'SWITCH' });
  ports = Option.String('--ports', { description: 'Only the ports whose names match this glob (*, ?, [...])' });
  adopt = Option.Boolean('--adopt', false, { description: 'Keep the VLANs of cabled ports whose node may use them, recording the attachments' });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the plan; change nothing' });
  async execute() {
    const report = await this.api.switchImport(this.name, {
      ...(this.ports !== undefined ? { ports: this.ports } : {}), adopt: this.adopt, dry_run: this.dryRun,
    });
    this.show(report, formatImport);
  }
}

function formatManage(r: PortManageResult): string {
  return r.was_unmanaged
    ? `port ${r.port} of switch ${r.switch} is managed by haas again: the next drift check or verify --fix sets it to the inventory's networks\n`
    : `port ${r.port} of switch ${r.switch} was not unmanaged: nothing to do\n`;
}

/** `haas port manage SWITCH PORT`. */
class PortManage extends DataCommand {
  static override paths = [['port', 'manage']];
  static override usage = Command.Usage({
    category: 'Ports',
    description: 'Hand a port an import left unmanaged to haas (admin)',
    details: `
      \`haas switch import\` leaves a port that carries VLANs it could not adopt unmanaged: haas neither
      parks nor repairs it. This command ends that: from now on drift checks and \`haas switch verify
      --fix\` bring the port to what the inventory says, which for a port on no network means isolating
      it (whatever it carried is cut off).
    `,
    examples: [['Hand gi1/0/7 of sw0 to haas', '$0 port manage sw0 gi1/0/7']],
  });
  switchName = Option.String({ name: 'SWITCH' });
  port = Option.String({ name: 'PORT' });
  async execute() {
    this.show(await this.api.portManage(this.switchName, this.port), formatManage);
  }
}

/** The onboarding commands. */
export const switchOnboardCommands = [SwitchDiscover, SwitchImport, PortManage];
