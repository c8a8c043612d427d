// Which drivers this daemon runs: the built-in ones, narrowed by `[drivers] switches` and `obms`.
import { ConfigError, whereIs, type Config } from '../config.js';
import { builtInSwitchDrivers } from '../drivers/switch/registry.js';
import { builtInObmDrivers } from '../drivers/obm/registry.js';
import type { SwitchDriver } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import type { ChildRecorder } from '../drivers/obm/ipmi-sol.js';

function pick<T>(all: Record<string, T>, names: string[] | null, key: string, config: Config): Record<string, T> {
  if (names === null) return all;
  const out: Record<string, T> = {};
  for (const n of names) {
    const d = Object.hasOwn(all, n) ? all[n] : undefined;
    if (!d) {
      throw new ConfigError(`${whereIs(config.origin, 'drivers', key)}: [drivers] ${key}: unknown driver "${n}" (built in: ${Object.keys(all).join(', ') || 'none'})`);
    }
    out[n] = d;
  }
  return out;
}

/**
 * The enabled switch and OBM drivers; a name that is not built in is a ConfigError at its line.
 * `children` is told of the console processes the OBM drivers start.
 */
export function enabledDrivers(config: Config, children?: ChildRecorder): { switchDrivers: Record<string, SwitchDriver>; obmDrivers: Record<string, ObmDriver> } {
  const t = config.timeouts;
  return {
    switchDrivers: pick(builtInSwitchDrivers({ callTimeoutMs: t.switchCallMs, batchTimeoutMs: t.switchBatchMs }, { delayMs: config.mock.switchDelayMs }),
      config.switchDrivers, 'switches', config),
    obmDrivers: pick(builtInObmDrivers({ timeoutMs: t.obmMs, children }), config.obmDrivers, 'obms', config),
  };
}
