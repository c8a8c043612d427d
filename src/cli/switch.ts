// haas switch ...: switches and their driver settings (SPEC 3.4, admin only).
import { Command, Option, UsageError } from 'clipanion';
import type { PortVlanState, SwitchDetails, SwitchInfo, SwitchVerifyReport } from '../client/types.js';
import { ApiCallError } from '../client/errors.js';
import type { DriftInfo, SwitchDriftInfo } from '../client/types.js';
import { ClientCommand, DataCommand } from './base.js';
import { splitKeyValue } from './input.js';
import { readSecret } from '../secret-input.js';
import { formatFields, formatLines, formatTable, joinOr, type Records } from './output.js';

class SwitchRegister extends ClientCommand {
  static override paths = [['switch', 'register']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Register a switch (admin)',
    details: `
      The driver's fields are given as \`--field key=value\` (a string) or \`--field key:=JSON\` (a number,
      boolean, ...). Secrets come from files: \`--field-file key=FILE\` (FILE \`-\` = stdin) or
      \`--switch-password-file FILE\` for the \`password\` field; never put them on the command line.
      \`--password-file\` is, as everywhere, your own password.

      HIL's types and fields: mock and powerconnect55xx {hostname, username, password}; nexus and
      delln3000 {hostname, username, password, dummy_vlan}; dellnos9 {hostname, username, password,
      interface_type}; ovs {ovs_bridge}.

      \`--host-key\` gives the SSH host key's fingerprint (\`SHA256:...\`) of a switch haas reaches over SSH,
      so that even its first login is checked (see \`haas switch host-key set --help\`); without it the
      first key seen is recorded.
    `,
    examples: [
      ['A mock switch', 'echo pw | $0 switch register sw0 --type mock --field hostname=sw0 --field username=admin --switch-password-file -'],
      ['A Nexus', '$0 switch register nx1 --type nexus --field hostname=10.0.0.2 --field username=admin --field dummy_vlan=2222 --switch-password-file nx1.pw'],
      ['Open vSwitch', '$0 switch register ovs0 --type ovs --field ovs_bridge=br-haas'],
    ],
  });
  name = Option.String({ name: 'SWITCH' });
  type = Option.String('--type', { required: true, description: 'Driver: mock, nexus, delln3000, dellnos9, powerconnect55xx, ovs, ...' });
  fields = Option.Array('--field', [], { description: 'key=value (string) or key:=JSON; repeatable' });
  fieldFiles = Option.Array('--field-file', [], { description: 'key=FILE: the field\'s value is the file\'s content (- = stdin); repeatable' });
  switchPasswordFile = Option.String('--switch-password-file', { description: 'File holding the switch\'s password (- = stdin)' });
  hostKey = Option.String('--host-key', { description: 'The SSH host key fingerprint (SHA256:...) the switch must present' });

  async execute() {
    const fields: Record<string, unknown> = {};
    const set = (key: string, value: unknown) => {
      if (key in fields || key === 'type') throw new UsageError(`field "${key}" given twice`);
      fields[key] = value;
    };
    for (const f of this.fields) {
      const [key, value] = splitKeyValue(f, '--field');
      if (key.endsWith(':')) {
        try {
          set(key.slice(0, -1), JSON.parse(value));
        } catch (e) {
          if (e instanceof UsageError) throw e;
          throw new UsageError(`--field ${key}=: "${value}" is not valid JSON`);
        }
      } else {
        set(key, value);
      }
    }
    const files: [string, string][] = this.fieldFiles.map((f) => splitKeyValue(f, '--field-file'));
    if (this.switchPasswordFile !== undefined) files.push(['password', this.switchPasswordFile]);
    for (const [key, file] of files) {
      set(key, await readSecret({ file, what: `switch ${key}`, stdin: this.context.stdin, stderr: this.context.stderr }));
    }
    await this.api.switchRegister(this.name, this.type, fields);
    if (this.hostKey !== undefined) {
      try {
        await this.api.switchSetHostKey(this.name, this.hostKey);
      } catch (e) {
        this.context.stderr.write(`registered switch ${this.name}, but its host key was not set (set it with: haas switch host-key set ${this.name} FINGERPRINT)\n`);
        throw e;
      }
    }
    this.done(`registered switch ${this.name}${this.hostKey !== undefined ? ` with SSH host key ${this.hostKey}` : ''}`);
  }
}

class SwitchDelete extends ClientCommand {
  static override paths = [['switch', 'delete']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Delete a switch (admin); delete its ports first',
    examples: [['Delete sw0', '$0 switch delete sw0']],
  });
  name = Option.String({ name: 'SWITCH' });
  async execute() {
    await this.api.switchDelete(this.name);
    this.done(`deleted switch ${this.name}`);
  }
}

class SwitchList extends DataCommand {
  static override paths = [['switch', 'list']];
  static override usage = Command.Usage({
    category: 'Switches', description: 'List switches (admin)', examples: [['All switches', '$0 switch list']],
  });
  async execute() {
    this.show(await this.api.listSwitches(), formatLines);
  }
}

function formatSwitch(s: SwitchInfo | SwitchDetails): string {
  const fields: [string, string][] = [['name', s.name]];
  if ('type' in s) fields.push(['type', s.type], ['host', s.host ?? '(the haas host)']);
  fields.push(['capabilities', joinOr(s.capabilities, '-')]);
  return formatFields(fields)
    + (s.ports.length > 0 ? '\nports:\n' + formatLines(s.ports.map((port) => '  ' + port.label)) : '\nno ports\n');
}

const SWITCH_RECORDS: Records<SwitchInfo | SwitchDetails> = {
  columns: ['name', 'type', 'host', 'capabilities', 'ports'],
  rows: (s) => [{
    name: s.name, type: 'type' in s ? s.type : '', host: 'type' in s ? s.host ?? '' : '',
    capabilities: s.capabilities.join(' '), ports: s.ports.map((p) => p.label).join(' '),
  }],
};

class SwitchShow extends DataCommand {
  static override paths = [['switch', 'show']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Show a switch: driver type, host, capabilities and ports (never its credentials)',
    details: 'With `-o json|yaml|csv|table` and `--columns name,type,host,capabilities,ports` for scripts.',
    examples: [['Show sw0', '$0 switch show sw0'], ['Its host only', '$0 switch show sw0 -o csv --columns host']],
  });
  name = Option.String({ name: 'SWITCH' });
  async execute() {
    this.show(await this.switchInfo(), formatSwitch, SWITCH_RECORDS);
  }

  /** haas's details; HIL's show_switch from a daemon without them. */
  private async switchInfo(): Promise<SwitchInfo | SwitchDetails> {
    try {
      return await this.api.switchDetails(this.name);
    } catch (e) {
      if (e instanceof ApiCallError && e.status === 404 && e.type !== 'NotFoundError') return this.api.showSwitch(this.name);
      throw e;
    }
  }
}

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
class SwitchVerify extends DataCommand {
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

function formatDrift(switches: SwitchDriftInfo[], settings: string | null): string {
  let out = settings === null ? '' : `${settings}\n`;
  if (switches.length === 0) return out + 'no switches\n';
  out += formatTable(['switch', 'checked', 'result', 'ports', 'drifting'], switches.map((s) => [
    s.switch, s.checked_at ?? '-', s.result, String(s.ports), String(Object.keys(s.drift).length),
  ]));
  const rows = switches.flatMap((s) => Object.entries(s.drift).map(([port, d]) => [
    s.switch, port, d.state, d.leak ? 'yes' : 'no', vlansText(d.expected), vlansText(d.actual),
  ]));
  if (rows.length > 0) out += '\n' + formatTable(['switch', 'port', 'state', 'leak', 'inventory', 'switch had'], rows);
  for (const s of switches) {
    if (s.error) out += `switch ${s.switch} could not be read: ${s.error}\n`;
    for (const [port, d] of Object.entries(s.drift)) if (d.error) out += `failed to repair ${s.switch} ${port}: ${d.error}\n`;
  }
  return out;
}

/** `haas switch drift [SWITCH] [--json]`. */
class SwitchDrift extends DataCommand {
  static override paths = [['switch', 'drift']];
  static override usage = Command.Usage({
    category: 'Switches',
    description: 'Show the last periodic drift check of every switch, or of one (admin)',
    details: `
      The daemon reads every registered port of every switch back every \`[drift] interval\` seconds and
      keeps the last result in memory. For each drifting port: the inventory's VLANs, what the switch had,
      whether it leaked (carried a VLAN its node's project may not use) and what was done: \`repaired\`,
      \`reported\` (\`[drift] repair\` is off), \`pending\` (a networking action will set the port) or
      \`failed\`. Exits 1 when a port still drifts or a switch could not be read.
    `,
    examples: [
      ['Every switch', '$0 switch drift'],
      ['One switch, as JSON', '$0 switch drift sw0 --json'],
    ],
  });
  name = Option.String({ name: 'SWITCH', required: false });

  async execute(): Promise<number> {
    let switches: SwitchDriftInfo[];
    if (this.name === undefined) {
      const all: DriftInfo = await this.api.drift();
      const settings = all.interval === 0 ? 'periodic drift check: off' : `periodic drift check: every ${all.interval} s, repair ${all.repair ? 'on' : 'off (leaks only)'}`;
      this.show(all, (d) => formatDrift(d.switches, settings));
      switches = all.switches;
    } else {
      const one = await this.api.switchDrift(this.name);
      this.show(one, (d) => formatDrift([d], null));
      switches = [one];
    }
    const bad = switches.some((s) => s.result === 'error' || Object.values(s.drift).some((d) => d.state !== 'repaired'));
    return bad ? 1 : 0;
  }
}

/** The `haas switch` commands. */
export const switchCommands = [SwitchRegister, SwitchDelete, SwitchList, SwitchShow, SwitchVerify, SwitchDrift];
