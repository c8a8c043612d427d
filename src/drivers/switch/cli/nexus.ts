// Cisco Nexus (NX-OS). "No native VLAN" parks the port on `dummy_vlan`, a
// VLAN that must not exist (or be shut) on the switch so it carries nothing.
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { linkWord, parseCiscoSwitchport, parseInterfaceRows, type Dialect, type ListedInterface } from './dialect.js';

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
import { cliSwitchDriver, dummyVlanField } from './driver.js';

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
