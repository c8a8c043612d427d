// The switch driver interface. A driver type validates its register-time
// fields and makes sessions; a session changes and reads real switch ports.
// Drivers know nothing of the inventory: they get port names and VLAN ids.
import type { FieldSpec, FieldValues } from '../fields.js';

/** Where on a port a VLAN goes: untagged (native) or tagged with this VLAN id. */
export type PortChannel = { native: true } | { native: false; vlan: number };

/** One change to one port. `vlan: null` removes the network from the channel. */
export type PortChange =
  | { kind: 'modify'; port: string; channel: PortChannel; vlan: number | null }
  | { kind: 'revert'; port: string };

/** The VLAN configuration of one port as the switch reports it. */
export interface PortVlans {
  native: number | null;
  tagged: number[];
  /** Set when the port's configuration is not just these VLANs (e.g. an untagged OVS port that talks to every other one, a trunk of all VLANs): what is wrong, in the switch's terms. */
  anomaly?: string;
}

/** A port's link as the switch reports it (unknown: the switch does not say, or says something else). */
export type LinkState = 'up' | 'down' | 'unknown';

/** One interface of a switch as the switch lists it: its name (as haas names ports of this driver), its link and its VLANs. */
export interface DiscoveredInterface {
  name: string;
  link: LinkState;
  vlans: PortVlans;
}

/**
 * The outcome of one change in a batch: null = applied; `{error}` = not
 * applied, certainly (the switch refused it, in its own words, or it was
 * never sent); `{error, uncertain: true}` = sent, but the answer was lost
 * (the session dropped or timed out after sending): the switch may carry
 * it or not, and the worker reads the port back to find out.
 */
export type ChangeResult = null | { error: string; uncertain?: true };

/**
 * Thrown by applyBatch when the switch could not be reached or talked to
 * before anything was sent (connect, login, the first read): no change of
 * the batch was applied. Any other failure of applyBatch counts as uncertain.
 */
export class SwitchUnreachableError extends Error {
  override name = 'SwitchUnreachableError';
}

/**
 * How an SSH-based driver checks the switch's host key (OpenSSH fingerprints,
 * `SHA256:<base64>`). The driver never stores it: the owner of the inventory does.
 */
export interface HostKeyPolicy {
  /** The fingerprint on record, or null: none yet, the first key seen is trusted and recorded. */
  readonly recorded: string | null;
  /** Record the first key seen; returns the fingerprint on record afterwards (this one, or one recorded meanwhile). Throws if it cannot be recorded. */
  firstSeen(fingerprint: string): string;
  /** Note a key that was refused (it differs from the one on record). */
  refused?(fingerprint: string): void;
}

/** One row of a switch's forwarding (MAC address) table: a MAC address seen on a port, in a VLAN. */
export interface MacEntry {
  /** As the switch printed it (any case and separators): compare with normalizeMac. */
  mac: string;
  /** The VLAN (or, over SNMP Q-BRIDGE, the filtering database id, which is the VLAN on most switches); null when the switch does not say. */
  vlan: number | null;
  /** The port in haas's port names for this driver where the switch could map it, else the switch's own name (a port-channel, the CPU). */
  port: string;
}

/** A connection to one switch. All methods are idempotent. */
export interface SwitchSession {
  /** Apply changes in order; one result per change (see ChangeResult). Stops nothing on a failed change unless the switch is gone. */
  applyBatch(changes: PortChange[]): Promise<ChangeResult[]>;
  /** Read the VLAN configuration of these ports back from the switch. */
  getPortNetworks(ports: string[]): Promise<Map<string, PortVlans>>;
  /** The switch's forwarding table: every MAC address it has learned, with its port and VLAN. Throws if it cannot be read. */
  macTable(): Promise<MacEntry[]>;
  /** Every switch port the switch lists (not its VLAN, loopback or management interfaces), in the switch's order, with link and VLANs. */
  listInterfaces(): Promise<DiscoveredInterface[]>;
  /** Release the connection. */
  close(): Promise<void>;
}

/** Shared, per-daemon facilities a driver may use. */
export interface SwitchDriverOptions {
  /** Timeout of one device call (connect and log in, one command, one read or SET): `[timeouts] switch_call`. */
  callTimeoutMs: number;
  /** Timeout of one batch on one switch (`[timeouts] switch_batch`), for a call known to be slow on real switches (a CLI save); default callTimeoutMs. */
  batchTimeoutMs?: number;
}

/** A switch driver: name, fields, capabilities and a session factory. */
export interface SwitchDriver {
  /** Short type name; HIL's URI is `http://schema.massopencloud.org/haas/v0/switches/<name>`. */
  name: string;
  /** HIL's extension module name (for /active_extensions). */
  module: string;
  capabilities: string[];
  fields: Record<string, FieldSpec>;
  /** Register-time checks across fields (e.g. password or private key); throws BadArgumentError. */
  checkFields?(fields: FieldValues): void;
  /** Throws BadArgumentError if `port` is not a port name of this switch type. */
  validatePortName(port: string): void;
  /** Open a session to the switch described by validated fields; an SSH-based one checks the host key by `hostKey` (none: any key). */
  connect(switchLabel: string, fields: FieldValues, hostKey?: HostKeyPolicy): SwitchSession;
}
