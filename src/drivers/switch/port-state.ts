// What a port carries after a change, computed without a device: drivers
// that work out a port's final state before writing it (ovs, snmp) and the
// mock's in-memory switch share this one rule.
import type { PortChange, PortVlans } from './types.js';

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
