// The names of the switch types and HIL's URI form of them: what core needs to register a
// switch and find its driver, without importing any driver's code (the registry builds the
// drivers under exactly these names).
import { ownValue } from '../fields.js';

/** The short name of every built-in switch driver: the keys of the registry's one literal map. */
export type SwitchTypeName = 'mock' | 'ovs' | 'nexus' | 'powerconnect55xx' | 'delln3000' | 'dellnos9' | 'snmp';

const HIL_SWITCH_URI = 'http://schema.massopencloud.org/haas/v0/switches/';

/** The short name for a type given as a short name or HIL's URI. */
export function switchTypeName(type: string): string {
  return type.startsWith(HIL_SWITCH_URI) ? type.slice(HIL_SWITCH_URI.length) : type;
}

/** The driver among `drivers` for a type (short name or HIL's URI); undefined for any other name, "constructor" included. */
export function switchDriverFor<D>(drivers: Readonly<Record<string, D>>, type: string): D | undefined {
  return ownValue(drivers, switchTypeName(type));
}
