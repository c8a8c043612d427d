// haas's extension routes for switches' SSH host keys (admin only). They
// cannot collide with HIL's port routes: those have "/port/" in the path.
import * as hostKeys from '../../core/host-keys.js';
import { body, NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the switch SSH host key routes on the router. */
export function hostKeyRoutes(r: Router): void {
  r.on('GET', '/switch/:switch/host_key', NO_BODY, ({ core, p, params }) => json(hostKeys.showHostKey(core, p, params.switch!)));
  r.on('PUT', '/switch/:switch/host_key', body({ fingerprint: 'string' }),
    ({ core, p, params, body: b }) => json(hostKeys.setHostKey(core, p, params.switch!, b.fingerprint)));
  r.on('POST', '/switch/:switch/host_key/accept', body({ fingerprint: 'string' }),
    ({ core, p, params, body: b }) => json(hostKeys.acceptHostKey(core, p, params.switch!, b.fingerprint)));
}
