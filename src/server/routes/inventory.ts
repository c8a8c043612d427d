// haas's extension routes for bulk inventory (docs/inventory-document.md; admin only).
import { importInventory } from '../../core/inventory-import.js';
import { exportInventory } from '../../core/inventory-export.js';
import { body, NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount POST /inventory/import and GET /inventory/export on the router. */
export function inventoryRoutes(r: Router): void {
  // `secrets`: file name -> the secret the client read from it; `unreadable`: file name -> why it could not.
  r.on('POST', '/inventory/import', body({ document: 'any' }, { secrets: 'object', unreadable: 'object', dry_run: 'boolean', source: 'string' }),
    ({ core, p, body: b }) => json(importInventory(core, p, {
      document: b.document, secrets: { values: b.secrets ?? {}, unreadable: b.unreadable ?? {} }, dryRun: b.dry_run ?? false, source: b.source ?? null,
    })));
  r.on('GET', '/inventory/export', NO_BODY, ({ core, p }) => json(exportInventory(core, p)));
}
