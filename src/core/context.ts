// What every core operation gets: the inventory, the configuration, the
// enabled drivers and the hooks to the rest of the daemon.
import type { Inventory } from '../db/inventory.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SwitchDriver, SwitchSession } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import type { Duplex, Readable } from 'node:stream';
import type { DriftLedger } from './drift.js';

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
  withSwitchSession<T>(sw: { id: number; label: string; type: string; config: string; host_key: string | null }, what: string,
    use: (session: SwitchSession) => Promise<T>): Promise<T>;
  /**
   * Called after a node was reserved into or released from a project: the switches its nics are
   * cabled to are read back at once, so a VLAN of its old project left on a port (drift nobody has
   * seen yet) is taken off before the next round (src/jobs/drift.ts; nothing when drift checks are off).
   */
  nodeChangedProject(nodeId: number): void;
  /** The last drift check of every switch (src/jobs/drift.ts keeps it). */
  drift: DriftLedger;
  /** The per-node console hub (one viewer per node). */
  consoles: ConsoleHub;
  /** The headnodes' VMs. */
  headnodes: HeadnodeManager;
}

/** What the headnode manager needs to know about one headnode. */
export interface HeadnodeVm {
  uuid: string;
  label: string;
  baseImg: string;
  /** In creation order (guest eth0, eth1, ...); vlan null = on no network. */
  hnics: Array<{ label: string; vlan: number | null }>;
}

/** The headnodes' VMs (src/headnode): base images, QEMU processes, their taps and consoles. */
export interface HeadnodeManager {
  /** Sorted names of the configured base images. */
  images(): string[];
  /** Whether a base image of that name is configured. */
  hasImage(name: string): boolean;
  /** Start the VM (its disk overlay is made on first start) with its hnics on their VLANs; a no-op while it runs. */
  start(vm: HeadnodeVm): Promise<{ vncport: number | null }>;
  /** Hard power off and take its taps off the bridge; a no-op when it does not run. */
  stop(vm: HeadnodeVm): Promise<void>;
  /** Stop it and delete its disk and run files. */
  destroy(vm: HeadnodeVm): Promise<void>;
  /**
   * Take back a VM a previous daemon left running (or was starting); null
   * when its QEMU is gone, after taking its taps off the bridge.
   */
  adopt(vm: HeadnodeVm, wasRunning: boolean): Promise<{ vncport: number | null } | null>;
  /** Whether its QEMU runs. */
  running(uuid: string): boolean;
  /** Its serial console (recent output, then live while it runs); null if it never ran. */
  console(uuid: string): Readable | null;
  /** A read-write connection to the running VM's serial port; a new one ends the previous. */
  attachSerial(uuid: string): Promise<Duplex>;
}

/**
 * The one console viewer per node: a new viewer ends the old one; the node's
 * console session is shared across viewers and keeps its recent output.
 */
export interface ConsoleHub {
  /**
   * A new viewer's stream of the node's console: the recent output first, then
   * live bytes. Opens the session with `open` unless one runs; rejects if it
   * fails before its first bytes. The previous viewer's stream ends.
   */
  view(node: string, open: () => Readable): Promise<Readable>;
  /** End the node's viewer and session and forget its recent output (node leaves its project, OBM disabled). */
  end(node: string): void;
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
