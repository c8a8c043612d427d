// Dell N3000. VLANs 1-4093 only, and a native VLAN must be allowed on the
// trunk: "no native VLAN" makes `dummy_vlan` native and then removes it from
// the allowed list. The dummy VLAN is created when a session opens.
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { dellPortName, macTableRows, parseCiscoSwitchport, type Dialect, lastLinkWord, parseInterfaceRows, type ListedInterface } from './dialect.js';
import { DELL_PORT } from '../port-names.js';
import { cliSwitchDriver, dummyVlanField } from './driver.js';

/**
 * `show interfaces status` (DNOS6: N1500/N2000/N3000/N4000):
 *   Port      Description               Duplex Speed   Neg  Link  Flow Control
 *                                                          State Status
 *   --------- ------------------------- ------ ------- ---- ----- -----------
 *   Gi1/0/1   node-01                   Full   1000    Auto Up    Active
 *   Te1/0/2                             N/A    Unknown Auto Down  Inactive
 * (haas names the port in lower case: gi1/0/1). The `oob` and port-channel (`Po`) tables are skipped.
 */
export function dnos6InterfaceRow(line: string): ListedInterface | null {
  const m = /^((?:Gi|Te|Fo|Tw)\d+\/\d+\/\d+)\s+(.*)$/i.exec(line);
  return m ? { name: m[1]!.toLowerCase(), link: lastLinkWord(m[2]!) } : null;
}

const parkNative = ['switchport trunk allowed vlan add {dummy_vlan}', 'switchport trunk native vlan {dummy_vlan}',
  'switchport trunk allowed vlan remove {dummy_vlan}'];

/** The Dell N3000 CLI dialect (exported for the parser fixtures of real device output). */
export const delln3000Dialect: Dialect = {
  pagingOff: ['terminal length 0'],
  configure: 'configure',
  end: 'end',
  onConnect: ['vlan {dummy_vlan}', 'exit'],
  templates: {
    setNative: ['interface {port}', 'switchport mode trunk', 'switchport trunk allowed vlan add {vlan}', 'switchport trunk native vlan {vlan}',
      'switchport trunk allowed vlan remove {old_native}', 'exit'],
    removeNative: ['interface {port}', ...parkNative, 'switchport trunk allowed vlan remove {old_native}', 'exit'],
    addTagged: ['interface {port}', 'switchport mode trunk', 'switchport trunk allowed vlan add {vlan}', 'exit'],
    removeTagged: ['interface {port}', 'switchport trunk allowed vlan remove {vlan}', 'exit'],
    revert: ['interface {port}', 'switchport mode trunk', ...parkNative, 'switchport trunk allowed vlan remove 1-4093', 'exit'],
  },
  showPort: 'show interfaces switchport {port}',
  parsePort: (out, f) => parseCiscoSwitchport(out, Number(f.dummy_vlan)),
  // `show mac address-table` (DNOS 6: N1500/N2000/N3000/N4000):
  //   Vlan     Mac Address           Type        Port
  //   -------- --------------------- ----------- ---------------------
  //   1        0123.ABCD.7892        Dynamic     Gi1/0/5
  //   Total MAC Addresses in use: 5
  showMacTable: 'show mac address-table',
  parseMacTable: (out) => macTableRows(out, /^\s*Vlan\s+Mac Address\s+Type\s+Port/i,
    /^\s*(?<vlan>\d+)\s+(?<mac>[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})\s+\S+\s+(?<port>\S+)\s*$/i, dellPortName),
  listInterfaces: 'show interfaces status',
  parseInterfaces: (out) => parseInterfaceRows(out, dnos6InterfaceRow),
  save: {
    command: 'copy running-config startup-config',
    confirm: { question: /\(y\/n\)\s*\??\s*$/i, answer: 'y\n' },
    success: /Configuration Saved|Copy succeeded/i,
  },
  errors: [/An invalid interface has been used/i, /Failed to/i],
};

/** The `delln3000` driver (HIL module `n3000`). */
export function delln3000SwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  return cliSwitchDriver({
    name: 'delln3000',
    module: 'n3000',
    capabilities: ['nativeless-trunk-mode'],
    extraFields: { dummy_vlan: dummyVlanField(4093) },
    portName: { pattern: DELL_PORT, example: 'gi1/0/5' },
    dialect: delln3000Dialect,
  }, opts);
}
