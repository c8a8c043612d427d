// A CLI switch driver from a vendor's definition: the common SSH fields,
// the vendor's extra fields and port names, and sessions run by the engine.
import { BadArgumentError } from '../../../errors.js';
import type { FieldSpec, FieldValues } from '../../fields.js';
import type { SwitchDriver, SwitchDriverOptions } from '../types.js';
import type { Dialect } from './dialect.js';
import { CliSession } from './session.js';

/** What a vendor file declares. */
export interface CliVendor {
  name: string;
  /** HIL's extension module name. */
  module: string;
  capabilities: string[];
  /** Fields beyond hostname, username, password and port. */
  extraFields: Record<string, FieldSpec>;
  /** Valid port names, and an example for the error message. */
  portName: { pattern: RegExp; example: string };
  dialect: Dialect;
}

/** The `dummy_vlan` field: a VLAN id (HIL's client sends it as a digit string). */
export function dummyVlanField(max = 4094): FieldSpec {
  return { type: 'integer', required: true, min: 1, max };
}

/** Make the driver of a CLI vendor. */
export function cliSwitchDriver(vendor: CliVendor, opts: SwitchDriverOptions): SwitchDriver {
  const { pattern, example } = vendor.portName;
  return {
    name: vendor.name,
    module: vendor.module,
    capabilities: vendor.capabilities,
    fields: {
      hostname: { type: 'string', required: true },
      username: { type: 'string', required: true },
      password: { type: 'string', required: true, secret: true },
      ...vendor.extraFields,
      port: { type: 'integer', default: 22, min: 1, max: 65535 },
    },
    checkFields(f: FieldValues) {
      // Field values reach the switch's CLI (usernames in the login dialog, interface_type in commands): one line each.
      for (const [k, v] of Object.entries(f)) {
        if (typeof v === 'string' && /[\r\n]/.test(v)) throw new BadArgumentError(`switch type ${vendor.name}: field "${k}" must be one line`);
      }
      if (String(f.hostname).trim() === '') throw new BadArgumentError(`switch type ${vendor.name}: field "hostname" is empty`);
    },
    validatePortName(port) {
      if (!pattern.test(port)) throw new BadArgumentError(`Invalid port name "${port}" for a ${vendor.name} switch (expected e.g. ${example})`);
    },
    connect(label, fields, hostKey) {
      return new CliSession(label, fields, vendor.dialect, {
        connectMs: opts.callTimeoutMs,
        commandMs: opts.callTimeoutMs,
        // Saving the configuration can take a minute on some switches: it may use the batch's time.
        saveMs: Math.max(opts.callTimeoutMs, opts.batchTimeoutMs ?? 0),
      }, hostKey);
    },
  };
}
