// haas switch verify: compare a switch's real port configuration with the inventory (admin).
import { Command, Option } from 'clipanion';
import type { PortVlanState, SwitchVerifyReport } from '../client/types.js';
import { DataCommand } from './base.js';
import { formatTable } from './output.js';

function vlansText(v: PortVlanState): string {
  const parts = [`native ${v.native ?? '-'}`, `tagged ${v.tagged.length > 0 ? v.tagged.join(',') : '-'}`];
  if (v.anomaly) parts.push(`(${v.anomaly})`);
  return parts.join(', ');
}

function formatReport(r: SwitchVerifyReport): string {
  const rows = Object.entries(r.ports).map(([port, { expected, actual }]) => [
    port, r.drift.includes(port) ? 'DRIFT' : 'ok', vlansText(expected), vlansText(actual),
  ]);
  let out = rows.length > 0 ? formatTable(['port', 'state', 'inventory', 'switch'], rows) : `switch ${r.switch} has no registered ports\n`;
  if (r.fixed) out += r.fixed.length > 0 ? `re-applied: ${r.fixed.join(', ')}\n` : 'nothing to re-apply\n';
  for (const [port, msg] of Object.entries(r.errors ?? {})) out += `failed to re-apply ${port}: ${msg}\n`;
  out += r.drift.length > 0 ? `${r.drift.length} port(s) differ from the inventory\n` : 'no drift\n';
  return out;
}

/** `haas switch verify SWITCH [--fix] [--json]`. */
export class SwitchVerify extends DataCommand {
  static override paths = [['switch', 'verify']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Compare the VLANs on a switch\'s registered ports with the inventory (admin)',
    details: `
      Reads every registered port's VLAN configuration back from the switch and reports each port whose
      native or tagged VLANs differ from the networks the inventory has on the nic cabled to it. A port
      with no nic or no network must be isolated; a port the switch leaves open (an untagged OVS port, a
      trunk of every VLAN) counts as drift. With \`--fix\`, the inventory is pushed again to the drifting
      ports and the result is read back. Exits 1 when drift is found (or remains after \`--fix\`).
    `,
    examples: [
      ['Check sw0', '$0 switch verify sw0'],
      ['Re-apply the inventory to sw0', '$0 switch verify sw0 --fix'],
    ],
  });
  name = Option.String({ name: 'SWITCH' });
  fix = Option.Boolean('--fix', false, { description: 'Re-apply the inventory to the ports that differ' });

  async execute(): Promise<number> {
    const report = await this.api.switchVerify(this.name, this.fix);
    this.show(report, formatReport);
    return report.drift.length > 0 || Object.keys(report.errors ?? {}).length > 0 ? 1 : 0;
  }
}
