// Cisco Nexus (NX-OS). "No native VLAN" parks the port on `dummy_vlan`, a
// VLAN that must not exist (or be shut) on the switch so it carries nothing.
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { macTableRows, parseCiscoSwitchport, type Dialect, linkWord, parseInterfaceRows, type ListedInterface } from './dialect.js';
import { cliSwitchDriver, dummyVlanField } from './driver.js';

/**
 * `show interface brief` (NX-OS): the Ethernet section's rows are
 *   Ethernet      VLAN    Type Mode   Status  Reason                   Speed     Port
 *   Interface                                                                    Ch #
 *   Eth1/1        1       eth  access up      none                        10G(D) --
 * (name abbreviated to `Eth`, haas names the port `Ethernet1/1`; Status is the fifth column:
 * up, down, sfpAbsent, xcvrAbsen, disabled, ...). The mgmt0, port-channel (`Po`), `Vlan` and
 * loopback (`Lo`) sections are not switch ports.
 */
export function nexusInterfaceRow(line: string): ListedInterface | null {
  const m = /^Eth(\d+\/\d+(?:\/\d+)?)\s+\S+\s+\S+\s+\S+\s+(\S+)/.exec(line);
  return m ? { name: `Ethernet${m[1]}`, link: linkWord(m[2]) } : null;
}

/** The NX-OS CLI dialect (exported for the parser fixtures of real device output). */
export const nexusDialect: Dialect = {
  pagingOff: ['terminal length 0'],
  configure: 'configure terminal',
  end: 'end',
  templates: {
    setNative: ['interface {port}', 'switchport', 'switchport mode trunk', 'switchport trunk native vlan {vlan}',
      'switchport trunk allowed vlan remove {old_native}', 'switchport trunk allowed vlan add {vlan}', 'exit'],
    removeNative: ['interface {port}', 'switchport trunk native vlan {dummy_vlan}', 'switchport trunk allowed vlan remove {old_native}', 'exit'],
    addTagged: ['interface {port}', 'switchport', 'switchport mode trunk', 'switchport trunk allowed vlan add {vlan}', 'exit'],
    removeTagged: ['interface {port}', 'switchport trunk allowed vlan remove {vlan}', 'exit'],
    revert: ['interface {port}', 'switchport', 'switchport mode trunk', 'switchport trunk native vlan {dummy_vlan}',
      'switchport trunk allowed vlan none', 'exit'],
  },
  showPort: 'show interface {port} switchport',
  parsePort: (out, f) => parseCiscoSwitchport(out, Number(f.dummy_vlan)),
  // `show mac address-table` (NX-OS 6+):
  //      VLAN     MAC Address      Type      age     Secure NTFY Ports
  //   ---------+-----------------+--------+---------+------+----+------------------
  //   * 217      0000.0c9f.f331    dynamic  0          F     F    Eth1/10
  // (a flag column `*`/`G`/`+`/`O`; older releases print only VLAN, MAC, Type,
  // Age, Port). The port is the last column, abbreviated (`Eth1/10`), or
  // `Po1`, `sup-eth1(R)`, `Drop`; the header repeats every page of the table.
  showMacTable: 'show mac address-table',
  parseMacTable: (out) => macTableRows(out, /^\s*VLAN\s+MAC Address\s+Type/i,
    /^\s*[*G+O]?\s*(?<vlan>\d+|-)\s+(?<mac>[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})\s+\S+\s+(?:\S+\s+)*?(?<port>\S+)\s*$/i,
    (p) => p.replace(/^Eth(?=\d)/i, 'Ethernet')),
  listInterfaces: 'show interface brief',
  parseInterfaces: (out) => parseInterfaceRows(out, nexusInterfaceRow),
  save: { command: 'copy running-config startup-config', success: /Copy complete/i },
  errors: [/^\s*ERROR:/m],
};

/** The `nexus` driver (HIL module `nexus`). */
export function nexusSwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  return cliSwitchDriver({
    name: 'nexus',
    module: 'nexus',
    capabilities: ['nativeless-trunk-mode'],
    extraFields: { dummy_vlan: dummyVlanField() },
    portName: { pattern: /^(E|e)thernet\d+\/\d+(\/\d+)?$/, example: 'Ethernet1/10' },
    dialect: nexusDialect,
  }, opts);
}
