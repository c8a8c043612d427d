// Dell PowerConnect 55xx. Trunks may have no native VLAN; the save asks for
// confirmation (a single key, no Enter).
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import { dellPortName, macTableRows, parseCiscoSwitchport, type Dialect, lastLinkWord, parseInterfaceRows, type ListedInterface } from './dialect.js';
import { DELL_PORT } from '../port-names.js';
import { cliSwitchDriver } from './driver.js';

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
  // `show bridge address-table` (PowerConnect 35xx/55xx, Marvell/Radlan):
  //     Vlan        Mac Address       Port     Type
  //   -------- --------------------- ------ ----------
  //      5       00:08:e3:ff:fc:28  gi1/0/48  dynamic
  // (`0` as the port of the switch's own address, type `self`).
  showMacTable: 'show bridge address-table',
  parseMacTable: (out) => macTableRows(out, /^\s*Vlan\s+Mac Address\s+Port\s+Type/i,
    /^\s*(?<vlan>\d+)\s+(?<mac>[0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(?<port>\S+)\s+\S+\s*$/i, dellPortName),
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
