// Dell PowerConnect 55xx. Trunks may have no native VLAN; the save asks for
// confirmation (a single key, no Enter).
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { lastLinkWord, parseCiscoSwitchport, parseInterfaceRows, type Dialect, type ListedInterface } from './dialect.js';

/**
 * `show interfaces status` (PowerConnect 55xx, Marvell/Radlan firmware, as the Cisco Sx300):
 *                                              Flow Link          Back   Mdix
 *   Port     Type         Duplex  Speed Neg      ctrl State       Pressure Mode
 *   -------- ------------ ------  ----- -------- ---- ----------- -------- -------
 *   gi1/0/1  1G-Copper    Full    1000  Enabled  Off  Up          Disabled On
 *   gi1/0/2  1G-Copper      --      --     --     --  Down           --     --
 * then a port-channel table (`Ch`, `Po1 ... Not Present`), skipped.
 */
export function radlanInterfaceRow(line: string): ListedInterface | null {
  const m = /^((?:gi?|te|fa)\d+(?:\/\d+)*)\s+(.*)$/i.exec(line);
  return m ? { name: m[1]!.toLowerCase(), link: lastLinkWord(m[2]!) } : null;
}
import { DELL_PORT } from '../port-names.js';
import { cliSwitchDriver } from './driver.js';

/** The Dell PowerConnect 55xx CLI dialect (exported for the parser fixtures of real device output). */
export const powerconnect55xxDialect: Dialect = {
  pagingOff: ['terminal datadump'],
  configure: 'configure',
  end: 'end',
  templates: {
    setNative: ['interface {port}', 'switchport mode trunk', 'switchport trunk allowed vlan remove {old_native}',
      'switchport trunk allowed vlan add {vlan}', 'switchport trunk native vlan {vlan}', 'exit'],
    removeNative: ['interface {port}', 'switchport trunk allowed vlan remove {old_native}', 'switchport trunk native vlan none', 'exit'],
    addTagged: ['interface {port}', 'switchport mode trunk', 'switchport trunk allowed vlan add {vlan}', 'exit'],
    removeTagged: ['interface {port}', 'switchport trunk allowed vlan remove {vlan}', 'exit'],
    revert: ['interface {port}', 'switchport mode trunk', 'switchport trunk allowed vlan none', 'switchport trunk native vlan none', 'exit'],
  },
  showPort: 'show interfaces switchport {port}',
  parsePort: (out) => parseCiscoSwitchport(out, null),
  listInterfaces: 'show interfaces status',
  parseInterfaces: (out) => parseInterfaceRows(out, radlanInterfaceRow),
  save: {
    command: 'copy running-config startup-config',
    confirm: { question: /\((y|Y)\/(n|N)\)[^\n]*$/, answer: 'y' },
    success: /Copy succeeded|Configuration Saved/i,
  },
  errors: [/An invalid interface has been used/i],
};

/** The `powerconnect55xx` driver (HIL module `dell`). */
export function powerconnect55xxSwitchDriver(opts: SwitchDriverOptions): SwitchDriver {
  return cliSwitchDriver({
    name: 'powerconnect55xx',
    module: 'dell',
    capabilities: ['nativeless-trunk-mode'],
    extraFields: {},
    portName: { pattern: DELL_PORT, example: 'gi1/0/5' },
    dialect: powerconnect55xxDialect,
  }, opts);
}
