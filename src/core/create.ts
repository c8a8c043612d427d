// Core assembled in order: the daemon builds the parts core does not own (the
// inventory, drivers, outside-service clients, the networking worker, the
// headnode manager, the console hub) first and hands them in; core adds its
// own (the drift ledger) and the hooks that tie them together. Nothing here
// refers to something built later: watchers built on core (the drift monitor)
// subscribe to it afterwards.
import type { Inventory } from '../db/inventory.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SwitchDriver, SwitchSession } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import type { Core, SessionSwitch } from './context.js';
import type { ConsoleHub } from './consoles.js';
import type { ConsoleLogs } from './console-logs.js';
import type { HeadnodeManager } from './headnode-vms.js';
import type { Obmd } from './obmd.js';
import type { MaintenancePool } from './projects.js';
import type { LeaseWebhook } from './leases.js';
import { DriftLedger } from './drift.js';
import { installAuditHook, outsideCall } from './audit.js';

/** The networking worker as core uses it (src/jobs/worker.ts): one lane per switch. */
export interface SwitchLanes {
  /** Look for pending actions now. */
  kick(): void;
  /** Run `use` with the switch's session in the switch's lane, between the worker's batches. */
  withSwitch<T>(sw: SessionSwitch, what: string,
    use: (session: SwitchSession) => Promise<T>): Promise<T>;
}

/** Cached credentials (src/core/authn.ts), dropped when users change. */
export interface CredentialCache {
  invalidate(): void;
}

/** What the daemon has built before core. */
export interface CoreDeps {
  inv: Inventory;
  config: Config;
  log: Logger;
  switchDrivers: Record<string, SwitchDriver>;
  obmDrivers: Record<string, ObmDriver>;
  consoles: ConsoleHub;
  consoleLogs: ConsoleLogs;
  headnodes: HeadnodeManager;
  obmd: Obmd;
  /** The client for `[maintenance] url`; must be given exactly when `config.maintenance` is set. */
  maintenancePool: MaintenancePool | null;
  /** The client for `[leases] webhook`, or null. */
  leaseWebhook: LeaseWebhook | null;
  switchLanes: SwitchLanes;
  /** null under the `null` auth backend (nothing is cached). */
  credentials: CredentialCache | null;
}

/** Core, and where what is built on it learns that a node changed project. */
export interface CreatedCore {
  core: Core;
  /** Call `listener` with the node's id each time a node is reserved into or released from a project. */
  onNodeChangedProject(listener: (nodeId: number) => void): void;
  /** Call `listener` each time a lease is made, moved or removed. */
  onLeasesChanged(listener: () => void): void;
}

/** Build core from the daemon's parts; throws if the maintenance pool and `[maintenance]` disagree. */
export function createCore(deps: CoreDeps): CreatedCore {
  const { config, switchLanes, credentials } = deps;
  if ((deps.maintenancePool === null) !== (config.maintenance === null)) {
    throw new Error('createCore: a maintenance pool client is needed exactly when [maintenance] is configured');
  }
  const nodeListeners: Array<(nodeId: number) => void> = [];
  const leaseListeners: Array<() => void> = [];
  installAuditHook(deps.inv);
  const core: Core = {
    inv: deps.inv, config, log: deps.log,
    switchDrivers: deps.switchDrivers, obmDrivers: deps.obmDrivers,
    consoles: deps.consoles, consoleLogs: deps.consoleLogs, headnodes: deps.headnodes,
    obmd: deps.obmd, maintenancePool: deps.maintenancePool, leaseWebhook: deps.leaseWebhook,
    drift: new DriftLedger({ interval: config.drift.intervalMs / 1000, repair: config.drift.repair }),
    // What a call only starts (the worker's batches, a drift check) is not part of the call's audit entry.
    actionsQueued: () => outsideCall(deps.inv, () => switchLanes.kick()),
    usersChanged: () => credentials?.invalidate(),
    nodeChangedProject: (nodeId) => outsideCall(deps.inv, () => { for (const l of nodeListeners) l(nodeId); }),
    leasesChanged: () => outsideCall(deps.inv, () => { for (const l of leaseListeners) l(); }),
    withSwitchSession: (sw, what, use) => switchLanes.withSwitch(sw, what, use),
  };
  return {
    core,
    onNodeChangedProject: (listener) => { nodeListeners.push(listener); },
    onLeasesChanged: (listener) => { leaseListeners.push(listener); },
  };
}
