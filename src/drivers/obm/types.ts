// The OBM (out-of-band management) driver interface: power, boot device and
// serial console of one node's BMC. Drivers know nothing of the inventory.
import type { Duplex } from 'node:stream';
import type { FieldSpec, FieldValues } from '../fields.js';

/** A boot device as the API names it. */
export type BootDevice = 'pxe' | 'disk' | 'none';
/** Every boot device an in-process OBM driver sets and reads back. */
export const BOOT_DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'none'];

/** One node's BMC. Every call has a timeout and throws OBMError with the device's words. */
export interface ObmSession {
  powerOn(): Promise<void>;
  powerOff(): Promise<void>;
  /** Next boot from PXE, then cycle (force: hard reset); a node that is off is turned on. */
  powerCycle(force: boolean): Promise<void>;
  powerStatus(): Promise<'on' | 'off'>;
  setBootdev(dev: BootDevice): Promise<void>;
  /** The device the BMC will boot the node from next, in setBootdev's words; rejects when the BMC holds one haas does not name. */
  bootDevice(): Promise<BootDevice>;
  /** The serial console as a byte stream; what is written to it is typed on the console. Destroy it to detach. */
  console(): Duplex;
}

/** An in-process OBM driver type. */
export interface ObmDriver {
  /** Short type name; HIL's URI is `http://schema.massopencloud.org/haas/v0/obm/<name>`. */
  name: string;
  /** HIL's extension module name (for /active_extensions). */
  module: string;
  fields: Record<string, FieldSpec>;
  /** A session for the node's BMC described by validated fields. */
  open(nodeLabel: string, fields: FieldValues): ObmSession;
}
