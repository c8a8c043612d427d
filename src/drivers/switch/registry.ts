// Which switch drivers exist: one literal map, built per daemon.
import type { SwitchDriver, SwitchDriverOptions } from './types.js';
import { mockSwitchDriver, type MockSwitchState } from './mock.js';

const HIL_SWITCH_URI = 'http://schema.massopencloud.org/haas/v0/switches/';

/** Build every built-in switch driver, keyed by short name. */
export function builtInSwitchDrivers(opts: SwitchDriverOptions): Record<string, SwitchDriver> {
  const mockState: MockSwitchState = new Map();
  return {
    mock: mockSwitchDriver(mockState, () => opts.mock.switchDelayMs),
  };
}

/** The short name for a type given as a short name or HIL's URI, or null if it is neither. */
export function switchTypeName(type: string): string {
  return type.startsWith(HIL_SWITCH_URI) ? type.slice(HIL_SWITCH_URI.length) : type;
}
