// Which switch drivers exist: one literal map, built per daemon; and a session to a switch as
// the inventory stores it.
import { SwitchUnreachableError, type HostKeyPolicy, type SwitchDriver, type SwitchDriverOptions, type SwitchSession } from './types.js';
import { ownValue, storedFields } from '../fields.js';
import { mockSwitchDriver, type MockSwitchOptions, type MockSwitchState } from './mock.js';
import { ovsSwitchDriver } from './ovs.js';
import { nexusSwitchDriver } from './cli/nexus.js';
import { powerconnect55xxSwitchDriver } from './cli/powerconnect55xx.js';
import { delln3000SwitchDriver } from './cli/delln3000.js';
import { dellnos9SwitchDriver } from './cli/dellnos9.js';
import { snmpSwitchDriver } from './snmp.js';
import type { SwitchTypeName } from './type-names.js';

/** Build every built-in switch driver, keyed by short name; `mock` holds the options of the mock driver alone. */
export function builtInSwitchDrivers(opts: SwitchDriverOptions, mock: MockSwitchOptions = { delayMs: 0 }): Record<SwitchTypeName, SwitchDriver> {
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

/** A switch as the inventory stores it: its type's short name and its driver's fields as JSON text. */
export interface StoredSwitch { label: string; type: string; config: string }

/**
 * A new session to a stored switch with its driver among `drivers`, checking the SSH host key by
 * `hostKey`; a SwitchUnreachableError (nothing sent) when that driver is not enabled in this daemon.
 */
export function connectStoredSwitch(drivers: Readonly<Record<string, SwitchDriver>>, sw: StoredSwitch, hostKey: HostKeyPolicy): SwitchSession {
  const driver = ownValue(drivers, sw.type);
  if (!driver) throw new SwitchUnreachableError(`the driver "${sw.type}" of switch "${sw.label}" is not enabled in this daemon`);
  return driver.connect(sw.label, storedFields(sw.config), hostKey);
}
