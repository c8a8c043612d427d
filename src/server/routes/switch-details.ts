// GET /switch/<s>/details (haas's extension): show_switch with the driver type and host (src/core/switch-details.ts).
import { switchDetails } from '../../core/switch-details.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the switch details route on the router. */
export function switchDetailsRoutes(r: Router): void {
  r.on('GET', '/switch/:switch/details', NO_BODY, ({ core, p, params }) => json(switchDetails(core, p, params.switch!)));
}
