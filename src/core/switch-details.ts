// GET /switch/<s>/details (haas's extension): show_switch with what `haas switch show` adds, the
// driver type and the host haas reaches the switch at. Never a credential: of the driver's fields
// only `hostname` is read.
import { storedFields } from '../drivers/fields.js';
import type { Core, Principal } from './context.js';
import { mustSwitch } from './lookup.js';
import { showSwitch } from './switches.js';

/** A switch as show_switch shows it, with its driver type and host (null: run on the haas host, e.g. a local OVS). */
export interface SwitchDetails {
  name: string;
  type: string;
  host: string | null;
  capabilities: string[];
  ports: { label: string }[];
}

/** The switch's details (admin, as show_switch). */
export function switchDetails(core: Core, p: Principal, label: string): SwitchDetails {
  const shown = showSwitch(core, p, label);
  const sw = mustSwitch(core.inv, label);
  const host = storedFields(sw.config).hostname;
  return { name: shown.name, type: sw.type, host: typeof host === 'string' ? host : null, capabilities: shown.capabilities, ports: shown.ports };
}
