// Which in-process OBM drivers exist: one literal map, built per daemon.
import type { ObmDriver } from './types.js';
import { mockObmDriver, type MockObmState } from './mock.js';
import { ipmiObmDriver } from './ipmi.js';
import { ownValue } from '../fields.js';

const HIL_OBM_URI = 'http://schema.massopencloud.org/haas/v0/obm/';

/** Build every built-in OBM driver, keyed by short name. */
export function builtInObmDrivers(opts: { timeoutMs: number }): Record<string, ObmDriver> {
  const mockState: MockObmState = new Map();
  return {
    mock: mockObmDriver(mockState),
    ipmi: ipmiObmDriver({ timeoutMs: opts.timeoutMs }),
  };
}

/** The short name for an OBM type given as a short name or HIL's URI. */
export function obmTypeName(type: string): string {
  return type.startsWith(HIL_OBM_URI) ? type.slice(HIL_OBM_URI.length) : type;
}

/** The driver among `drivers` for a type (short name or HIL's URI); undefined for any other name, "constructor" included. */
export function obmDriverFor(drivers: Readonly<Record<string, ObmDriver>>, type: string): ObmDriver | undefined {
  return ownValue(drivers, obmTypeName(type));
}
