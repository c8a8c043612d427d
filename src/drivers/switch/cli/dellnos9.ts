// Dell Networking OS 9 (Force10) over SSH. The dialect is VLAN-centric: a
// port joins VLAN N with `untagged|tagged <interface_type> <port>` inside
// `interface vlan N`. There is no trunk without a native VLAN, and a port on
// no network is shut down (an untagged OS9 port falls back to the default VLAN).
import { BadArgumentError } from '../../../errors.js';
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import type { MacEntry, PortVlans } from '../types.js';
import { CONTINUATION, macTableRows, parseVlanList, type Dialect, lastLinkWord, parseInterfaceRows, type ListedInterface } from './dialect.js';
import type { FieldValues } from '../../fields.js';
import { cliSwitchDriver } from './driver.js';

const IF = '{if_type} {port}';

/** `show interfaces switchport <if> <port>`: `U`/`T` membership lines and `Native VlanId`. */
export function parseNos9Switchport(output: string): PortVlans {
  let untagged: number[] = [];
  const tagged: number[] = [];
  let nativeId: number | null = null;
  let membership: 'U' | 'T' | null = null;
  let seen = false;
  for (const line of output.split('\n')) {
    const member = /^\s*([UTxXGMHiIvV])\s+(\d[\d,\s-]*(\([^)]*\)[\d,\s-]*)*)$/.exec(line);
    if (member) {
      seen = true;
      membership = member[1] === 'U' ? 'U' : member[1] === 'T' ? 'T' : null;
      if (membership === 'U') untagged.push(...parseVlanList(member[2]!));
      else if (membership === 'T') tagged.push(...parseVlanList(member[2]!));
      continue;
    }
    if (membership !== null && CONTINUATION.test(line)) { // a wrapped list
      (membership === 'U' ? untagged : tagged).push(...parseVlanList(line));
      continue;
    }
    membership = null;
    const native = /Native\s*Vlan\s*Id\s*:\s*(\d+)/i.exec(line);
    if (native) { nativeId = Number(native[1]); seen = true; }
    if (/^\s*Vlan membership/i.test(line) || /^\s*Name\s*:/i.test(line)) seen = true;
  }
  if (!seen) throw new Error(`cannot read the port's VLANs from: ${output.trim().slice(0, 200)}`);
  untagged = [...new Set(untagged)];
  const out: PortVlans = { native: untagged[0] ?? null, tagged: [...new Set(tagged)].sort((a, b) => a - b) };
  if (untagged.length > 1) out.anomaly = `untagged in several VLANs: ${untagged.join(',')}`;
  else if (nativeId !== null && out.native !== null && nativeId !== out.native) out.anomaly = `native VLAN ${nativeId} but untagged in ${out.native}`;
  return out;
}

/**
 * `show mac-address-table` (OS9 / FTOS):
 *   VlanId     Mac Address           Type          Interface        State
 *    1000      00:01:e8:06:95:ac     Dynamic       Te 1/21          Active
 * The interface is an abbreviated type (`Te`, `Tengig`, `Gi`, `Fo`, `Po`) and
 * the port: a port of the switch's `interface_type` becomes haas's name (`1/21`).
 */
export function parseNos9MacTable(output: string, interfaceType: string): MacEntry[] {
  const type = interfaceType.toLowerCase();
  return macTableRows(output, /^\s*VlanId\s+Mac Address\s+Type\s+Interface/i,
    /^\s*(?<vlan>\d+)\s+(?<mac>[0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+\S+\s+(?<port>\S+ \S+)\s+\S+\s*$/i,
    (name) => {
      const [abbrev, port] = name.split(' ') as [string, string];
      return type.startsWith(abbrev.toLowerCase()) && /^\d+\/\d+(\/\d+)?$/.test(port) ? port : name;
    });
}

/**
 * `show interfaces status` (OS9):
 *   Port                Description  Status Speed        Duplex Vlan
 *   Te 0/0                           Down   Auto         Auto   --
 *   Te 0/1              node-01      Up     10000 Mbit   Full   1,5-10
 *   Fo 0/48                          Down   Auto         Auto   --
 * The type is abbreviated to two letters (Te, Gi, Fo, Tw, Hu); haas names a port by its
 * number alone within the switch's `interface_type`, so only rows of that type are its ports.
 */
export function nos9InterfaceRow(line: string, interfaceType: string): ListedInterface | null {
  const m = /^([A-Za-z]{2})\s+(\d+\/\d+(?:\/\d+)?)\s+(.*)$/.exec(line);
  if (!m || m[1]!.toLowerCase() !== interfaceType.slice(0, 2).toLowerCase()) return null;
  return { name: m[2]!, link: lastLinkWord(m[3]!) };
}

function nos9Interfaces(output: string, f: FieldValues): ListedInterface[] {
  return parseInterfaceRows(output, (line) => nos9InterfaceRow(line, String(f.interface_type)));
}

/** The Dell OS9 CLI dialect (exported for the parser fixtures of real device output). */
export const dellnos9Dialect: Dialect = {
  pagingOff: ['terminal length 0'],
  configure: 'configure',
  end: 'end',
  templates: {
    // The port comes up only once it is in its VLAN: a refused step leaves it shut.
    setNative: [`interface ${IF}`, 'switchport', 'exit', `interface vlan {old_native}\nno untagged ${IF}\nexit`,
      `interface vlan {vlan}\nuntagged ${IF}\nexit`, `interface ${IF}`, 'no shutdown', 'exit'],
    removeNative: [`interface vlan {old_native}\nno untagged ${IF}\nexit`, `interface ${IF}`, 'shutdown', 'exit'],
    addTagged: [`interface ${IF}`, 'switchport', 'exit', `interface vlan {vlan}\ntagged ${IF}\nexit`],
    removeTagged: [`interface vlan {vlan}\nno tagged ${IF}\nexit`],
    revert: [`interface vlan {each_tagged}\nno tagged ${IF}\nexit`, `interface vlan {old_native}\nno untagged ${IF}\nexit`,
      `interface ${IF}`, 'shutdown', 'exit'],
  },
  showPort: `show interfaces switchport ${IF}`,
  parsePort: (out) => parseNos9Switchport(out),
  showMacTable: 'show mac-address-table',
  parseMacTable: (out, f) => parseNos9MacTable(out, String(f.interface_type)),
  listInterfaces: 'show interfaces status',
  parseInterfaces: nos9Interfaces,
  save: { command: 'write memory', success: /Copied running-config to startup-config|\[OK\]|Synchronizing/i },
  errors: [],
};

/** The `dellnos9` driver (HIL module `dellnos9`): no nativeless trunks. */
export function dellnos9SwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  const driver = cliSwitchDriver({
    name: 'dellnos9',
    module: 'dellnos9',
    capabilities: [],
    extraFields: { interface_type: { type: 'string', required: true } },
    portName: { pattern: /^\d+\/\d+(\/\d+)?$/, example: '1/3' },
    dialect: dellnos9Dialect,
  }, opts);
  const common = driver.checkFields!;
  driver.checkFields = (f) => {
    common(f);
    if (!/^[A-Za-z][A-Za-z-]*$/.test(String(f.interface_type))) {
      throw new BadArgumentError(`switch type dellnos9: interface_type "${f.interface_type}" is not an interface type (e.g. TenGigabitEthernet)`);
    }
  };
  return driver;
}
