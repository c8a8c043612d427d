// The names of the OBM types and HIL's URI form of them: what core needs to register a node's
// OBM and find its driver, without importing any driver's code (the registry builds the drivers
// under exactly these names).
import { ownValue } from '../fields.js';

/** The short name of every built-in OBM driver: the keys of the registry's one literal map. */
export type ObmTypeName = 'mock' | 'ipmi';

const HIL_OBM_URI = 'http://schema.massopencloud.org/haas/v0/obm/';

/** The short name for an OBM type given as a short name or HIL's URI. */
export function obmTypeName(type: string): string {
  return type.startsWith(HIL_OBM_URI) ? type.slice(HIL_OBM_URI.length) : type;
}

/** The driver among `drivers` for a type (short name or HIL's URI); undefined for any other name, "constructor" included. */
export function obmDriverFor<D>(drivers: Readonly<Record<string, D>>, type: string): D | undefined {
  return ownValue(drivers, obmTypeName(type));
}
