// GET /active_extensions (SPEC.md 3.7).
import { requireAdmin } from '../../core/authz.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount haas's extension routes (not in HIL) on the router. */
export function extensionRoutes(r: Router): void {
  r.on('GET', '/active_extensions', NO_BODY, ({ core, p }) => {
    requireAdmin(p);
    const names = [
      `hil.ext.auth.${core.config.auth}`,
      'hil.ext.network_allocators.vlan_pool',
      ...new Set(Object.values(core.switchDrivers).map((d) => `hil.ext.switches.${d.module}`)),
      ...new Set(Object.values(core.obmDrivers).map((d) => `hil.ext.obm.${d.module}`)),
    ];
    return json(names.sort());
  });
}
