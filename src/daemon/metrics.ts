// The daemon's side of /metrics: device calls are timed by wrapping the sessions the drivers open
// (switch sessions made for the worker's lanes, BMC sessions made by core), so neither core, the
// worker nor the drivers know they are measured; and the scrape token is read once at start-up.
import { readFileSync } from 'node:fs';
import type { SwitchSession } from '../drivers/switch/types.js';
import type { ObmDriver, ObmSession } from '../drivers/obm/types.js';
import type { DeviceKind } from '../server/metrics.js';
import { StartupError } from './preflight.js';

/** Where device calls are reported: what was called, how long it took, whether it failed. */
export interface DeviceCallObserver {
  deviceCall(kind: DeviceKind, device: string, seconds: number, failed: boolean): void;
}

/** Time `call`, reporting it to `observer`; `failed` decides whether a result counts as a failure. */
async function timed<T>(observer: DeviceCallObserver, kind: DeviceKind, device: string, call: () => Promise<T>,
  failed: (result: T) => boolean = () => false): Promise<T> {
  const start = performance.now();
  try {
    const result = await call();
    observer.deviceCall(kind, device, (performance.now() - start) / 1000, failed(result));
    return result;
  } catch (e) {
    observer.deviceCall(kind, device, (performance.now() - start) / 1000, true);
    throw e;
  }
}

/** The switch session, its batches and read-backs timed; a batch with any refused change counts as failed. */
export function measuredSwitchSession(session: SwitchSession, label: string, observer: DeviceCallObserver): SwitchSession {
  return {
    applyBatch: (changes) => timed(observer, 'switch', label, () => session.applyBatch(changes), (results) => results.some((r) => r !== null)),
    getPortNetworks: (ports) => timed(observer, 'switch', label, () => session.getPortNetworks(ports)),
    macTable: () => timed(observer, 'switch', label, () => session.macTable()),
    listInterfaces: () => timed(observer, 'switch', label, () => session.listInterfaces()),
    close: () => session.close(),
  };
}

/** The BMC session of a node, every call but the console stream timed. */
function measuredObmSession(session: ObmSession, node: string, observer: DeviceCallObserver): ObmSession {
  const t = <T>(call: () => Promise<T>) => timed(observer, 'bmc', node, call);
  return {
    powerOn: () => t(() => session.powerOn()),
    powerOff: () => t(() => session.powerOff()),
    powerCycle: (force) => t(() => session.powerCycle(force)),
    powerStatus: () => t(() => session.powerStatus()),
    setBootdev: (dev) => t(() => session.setBootdev(dev)),
    bootDevice: () => t(() => session.bootDevice()),
    console: () => session.console(),
  };
}

/** The OBM drivers, each opening measured sessions (same names, modules and fields). */
export function measuredObmDrivers(drivers: Record<string, ObmDriver>, observer: DeviceCallObserver): Record<string, ObmDriver> {
  const out: Record<string, ObmDriver> = {};
  for (const [name, d] of Object.entries(drivers)) {
    out[name] = { name: d.name, module: d.module, fields: d.fields, open: (node, fields) => measuredObmSession(d.open(node, fields), node, observer) };
  }
  return out;
}

/** The bearer token in `[metrics] token_file` (trimmed); an unreadable file or a short token stops start-up. */
export function readMetricsToken(path: string): Buffer {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new StartupError(`cannot read [metrics] token_file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token)) throw new StartupError(`[metrics] token_file ${path}: expected one token of at least 16 characters`);
  return Buffer.from(token);
}
