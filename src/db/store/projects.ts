// Store: projects.
import type { Inventory } from '../inventory.js';

/** A project row. */
export interface ProjectRow { id: number; label: string }

/** The project named `label`, or undefined. */
export function projectByLabel(inv: Inventory, label: string): ProjectRow | undefined {
  return inv.get<ProjectRow>('SELECT id, label FROM project WHERE label = ?', label);
}

/** The project with id `id`, or undefined. */
export function projectById(inv: Inventory, id: number): ProjectRow | undefined {
  return inv.get<ProjectRow>('SELECT id, label FROM project WHERE id = ?', id);
}

/** Labels of all projects, sorted. */
export function allProjects(inv: Inventory): string[] {
  return inv.column<string>('SELECT label FROM project ORDER BY label');
}

/** Add a project; returns its id. */
export function addProject(inv: Inventory, label: string): number {
  return Number(inv.run('INSERT INTO project (label) VALUES (?)', label).lastInsertRowid);
}

/**
 * Delete the project and its memberships. Whatever else refers to it (nodes, networks,
 * access-list entries, headnodes) makes the foreign key refuse: core checks those first.
 */
export function deleteProject(inv: Inventory, projectId: number): void {
  inv.run('DELETE FROM project WHERE id = ?', projectId);
}
