// The VLANs a port carries, without a device: HIL's channel names, what a
// port carries after a change (the one rule shared by the drivers that work
// out a port's final state before writing it, ovs and snmp, the mock's
// in-memory switch, and the worker's read-back), and whether a port carries
// exactly what it should (the worker, verify and the drift check). A leaf:
// core, jobs and the drivers may all import it.
import type { PortChange, PortVlans } from './types.js';

/** HIL's name of the channel of a port's native (untagged) VLAN; a tagged VLAN's channel is `vlan/<id>`. */
export const NATIVE = 'vlan/native';

/** The networks of one port while changes are worked out: native VLAN and tagged VLANs. */
export interface PortState { native: number | null; tagged: Set<number> }

/** Apply one change to a port's state in place. */
export function applyToPort(state: PortState, change: PortChange): void {
  if (change.kind === 'revert') { state.native = null; state.tagged.clear(); return; }
  if (change.channel.native) state.native = change.vlan;
  else if (change.vlan === null) state.tagged.delete(change.channel.vlan);
  else state.tagged.add(change.vlan);
}

/** A port's VLANs after a change the switch accepted (what it reported beyond that is kept, but a revert clears it). */
export function afterChange(vlans: PortVlans, change: PortChange): PortVlans {
  if (change.kind === 'revert') return { native: null, tagged: [] };
  const state: PortState = { native: vlans.native, tagged: new Set(vlans.tagged) };
  applyToPort(state, change);
  return { native: state.native, tagged: [...state.tagged].sort((a, b) => a - b), ...(vlans.anomaly !== undefined ? { anomaly: vlans.anomaly } : {}) };
}

/** Whether a port read back from a switch carries exactly the wanted networks (and nothing odd). */
export function carriesExactly(actual: PortVlans, wanted: { native: number | null; tagged: number[] }): boolean {
  return actual.anomaly === undefined && actual.native === wanted.native
    && actual.tagged.length === wanted.tagged.length && actual.tagged.every((v, i) => wanted.tagged[i] === v);
}
