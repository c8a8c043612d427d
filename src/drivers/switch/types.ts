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

/** The outcome of one change in a batch: null = applied, else the switch's own words. */
export type ChangeResult = null | { error: string };

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

/** A connection to one switch. All methods are idempotent. */
export interface SwitchSession {
  /** Apply changes in order; one result per change. Stops nothing on a failed change unless the switch is gone. */
  applyBatch(changes: PortChange[]): Promise<ChangeResult[]>;
  /** Read the VLAN configuration of these ports back from the switch. */
  getPortNetworks(ports: string[]): Promise<Map<string, PortVlans>>;
  /** Release the connection. */
  close(): Promise<void>;
}

/** Shared, per-daemon facilities a driver may use. */
export interface SwitchDriverOptions {
  mock: { switchDelayMs: number };
  /** Timeout of one device call (login, one command). */
  callTimeoutMs: number;
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
