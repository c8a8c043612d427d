// GET /health and /v0/health: no credentials, for service managers and monitors.
import { health } from '../../core/health.js';
import { NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the health routes on the router. */
export function healthRoutes(r: Router): void {
  r.public('GET', '/health', NO_BODY, ({ core }) => {
    const h = health(core);
    return json(h, h.status === 'ok' ? 200 : 503);
  });
}
