// Which in-process OBM drivers exist: one literal map, built per daemon.
import type { ObmDriver } from './types.js';
import { mockObmDriver, type MockObmState } from './mock.js';
import { ipmiObmDriver, type IpmiDriverOptions } from './ipmi.js';
import type { ObmTypeName } from './type-names.js';

/** Build every built-in OBM driver, keyed by short name. */
export function builtInObmDrivers(opts: IpmiDriverOptions): Record<ObmTypeName, ObmDriver> {
  const mockState: MockObmState = new Map();
  return {
    mock: mockObmDriver(mockState),
    ipmi: ipmiObmDriver(opts),
  };
}
