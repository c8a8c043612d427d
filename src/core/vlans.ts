// The VLAN pool (HIL's vlan_pool allocator) and channel names.
import type { Inventory } from '../db/inventory.js';
import { vlansInUseBetween } from '../db/store/networks.js';
import type { VlanRange } from '../config.js';
import { NATIVE } from '../drivers/switch/vlan-state.js';

/** The lowest id of the pool that no network uses, or null when the pool is full. */
export function allocateVlan(inv: Inventory, pool: VlanRange[]): number | null {
  for (const { from, to } of pool) {
    const used = vlansInUseBetween(inv, from, to);
    let candidate = from;
    for (const id of used) {
      if (id > candidate) break;
      candidate = id + 1;
    }
    if (candidate <= to) return candidate;
  }
  return null;
}

/** Whether a VLAN id lies in the pool. */
export function inPool(pool: VlanRange[], id: number): boolean {
  return pool.some((r) => id >= r.from && id <= r.to);
}

/** HIL's name of the native channel (declared with the VLAN-state helpers the worker and drivers share). */

/** The channels a network with this VLAN id can be attached on. */
export function channelsOf(netId: number): string[] {
  return [NATIVE, `vlan/${netId}`];
}
