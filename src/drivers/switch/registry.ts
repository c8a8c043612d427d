// Which switch drivers exist: one literal map, built per daemon.
import type { SwitchDriver, SwitchDriverOptions } from './types.js';
import { mockSwitchDriver, type MockSwitchOptions, type MockSwitchState } from './mock.js';
import { ovsSwitchDriver } from './ovs.js';
import { nexusSwitchDriver } from './cli/nexus.js';
import { powerconnect55xxSwitchDriver } from './cli/powerconnect55xx.js';
import { delln3000SwitchDriver } from './cli/delln3000.js';
import { dellnos9SwitchDriver } from './cli/dellnos9.js';
import { snmpSwitchDriver } from './snmp.js';
import { ownValue } from '../fields.js';

const HIL_SWITCH_URI = 'http://schema.massopencloud.org/haas/v0/switches/';

/** Build every built-in switch driver, keyed by short name; `mock` holds the options of the mock driver alone. */
export function builtInSwitchDrivers(opts: SwitchDriverOptions, mock: MockSwitchOptions = { delayMs: 0 }): Record<string, SwitchDriver> {
  const mockState: MockSwitchState = new Map();
  return {
    mock: mockSwitchDriver(mockState, mock),
    ovs: ovsSwitchDriver(opts),
    nexus: nexusSwitchDriver(opts),
    powerconnect55xx: powerconnect55xxSwitchDriver(opts),
    delln3000: delln3000SwitchDriver(opts),
    dellnos9: dellnos9SwitchDriver(opts),
    snmp: snmpSwitchDriver(opts),
  };
}

/** The short name for a type given as a short name or HIL's URI. */
export function switchTypeName(type: string): string {
  return type.startsWith(HIL_SWITCH_URI) ? type.slice(HIL_SWITCH_URI.length) : type;
}

/** The driver among `drivers` for a type (short name or HIL's URI); undefined for any other name, "constructor" included. */
export function switchDriverFor(drivers: Readonly<Record<string, SwitchDriver>>, type: string): SwitchDriver | undefined {
  return ownValue(drivers, switchTypeName(type));
}
