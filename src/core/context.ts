// What every core operation gets: the inventory, the configuration, the
// enabled drivers, the clients of outside services and the hooks to the rest
// of the daemon (src/core/create.ts builds it); and who is calling.
import type { Inventory } from '../db/inventory.js';
import type { SwitchRow } from '../db/store/switches.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SwitchDriver, SwitchSession } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import type { DriftLedger } from './drift.js';
import type { ConsoleHub } from './consoles.js';
import type { ConsoleLogs } from './console-logs.js';
import type { HeadnodeManager } from './headnode-vms.js';
import type { Obmd } from './obmd.js';
import type { MaintenancePool } from './projects.js';
import type { LeaseWebhook } from './leases.js';

/** A switch as its device session needs it: who it is, its driver and stored config, its recorded SSH host key. */
export type SessionSwitch = Pick<SwitchRow, 'id' | 'label' | 'type' | 'config' | 'host_key'>;

/** The daemon's domain services, passed to every core function. */
export interface Core {
  inv: Inventory;
  config: Config;
  log: Logger;
  /** Enabled switch drivers by short name. */
  switchDrivers: Record<string, SwitchDriver>;
  /** Enabled in-process OBM drivers by short name. */
  obmDrivers: Record<string, ObmDriver>;
  /** Called after a transaction that queued networking actions has committed. */
  actionsQueued(): void;
  /** Called after users, their admin flag or memberships changed (drops cached credentials). */
  usersChanged(): void;
  /** Run `use` with the switch's device session, in turn with the networking worker's batches for that switch. */
  withSwitchSession<T>(sw: SessionSwitch, what: string,
    use: (session: SwitchSession) => Promise<T>): Promise<T>;
  /**
   * Called after a node was reserved into or released from a project: the switches its nics are
   * cabled to are read back at once, so a VLAN of its old project left on a port (drift nobody has
   * seen yet) is taken off before the next round (src/jobs/drift.ts; nothing when drift checks are off).
   */
  nodeChangedProject(nodeId: number): void;
  /** Called after a transaction that made, moved or removed a lease's end: the lease job re-arms its timer (src/jobs/leases.ts). */
  leasesChanged(): void;
  /** The last drift check of every switch (src/jobs/drift.ts keeps it). */
  drift: DriftLedger;
  /** The per-node console hub (one viewer per node). */
  consoles: ConsoleHub;
  /** The nodes' console logs, kept while nobody watches. */
  consoleLogs: ConsoleLogs;
  /** The headnodes' VMs. */
  headnodes: HeadnodeManager;
  /** The client of the nodes' obmd (src/outside/obmd.ts). */
  obmd: Obmd;
  /** The maintenance pool's client; null when `[maintenance]` is not configured. */
  maintenancePool: MaintenancePool | null;
  /** The lease webhook's client; null when `[leases] webhook` is not configured. */
  leaseWebhook: LeaseWebhook | null;
}

/** Who is calling: the authenticated user and what they may do. */
export interface Principal {
  user: string | null;
  admin: boolean;
  projectIds: ReadonlySet<number>;
}

/** The principal of the `null` auth backend: everyone is admin. */
export const NULL_AUTH_PRINCIPAL: Principal = { user: null, admin: true, projectIds: new Set() };

/** Now as ISO text (for action timestamps). */
export function now(): string { return new Date().toISOString(); }
