// Cisco Nexus (NX-OS). "No native VLAN" parks the port on `dummy_vlan`, a
// VLAN that must not exist (or be shut) on the switch so it carries nothing.
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { parseCiscoSwitchport, type Dialect } from './dialect.js';
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
