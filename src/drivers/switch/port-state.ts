// What a port carries after a change, computed without a device: drivers
// that work out a port's final state before writing it (ovs, snmp) and the
// mock's in-memory switch share this one rule.
import type { PortChange } from './types.js';

/** The networks of one port while changes are worked out: native VLAN and tagged VLANs. */
export interface PortState { native: number | null; tagged: Set<number> }

/** Apply one change to a port's state in place. */
export function applyToPort(state: PortState, change: PortChange): void {
  if (change.kind === 'revert') { state.native = null; state.tagged.clear(); return; }
  if (change.channel.native) state.native = change.vlan;
  else if (change.vlan === null) state.tagged.delete(change.channel.vlan);
  else state.tagged.add(change.vlan);
}
