// What every core operation gets: the inventory, the configuration, the
// enabled drivers and the hooks to the rest of the daemon.
import type { Inventory } from '../db/inventory.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { SwitchDriver } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';

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
  /** The per-node console hub (one viewer per node). */
  consoles: ConsoleHub;
}

/** Tracks the one console viewer per node, so a new viewer (or an OBM change) ends the old one. */
export interface ConsoleHub {
  /** Register a viewer for a node; returns a function to call when the viewer leaves. */
  attach(node: string, end: () => void): () => void;
  /** End the node's viewer, if any. */
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
