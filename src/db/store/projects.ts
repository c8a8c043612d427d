// Store: projects.
import type { Inventory } from '../inventory.js';

/** A project row. */
export interface ProjectRow { id: number; label: string }

/** The project named `label`, or undefined. */
export function projectByLabel(inv: Inventory, label: string): ProjectRow | undefined {
  return inv.get<ProjectRow>('SELECT id, label FROM project WHERE label = ?', label);
}
