// Routes of SPEC.md 3.3 (networks).
import * as networks from '../../core/networks.js';
import { body, NO_BODY } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Router } from '../router.js';

/** Mount the network routes on the router. */
export function networkRoutes(r: Router): void {
  r.on('PUT', '/network/:network', body({ owner: 'string', access: 'string', net_id: 'string' }),
    ({ core, p, params, body: b }) => networks.createNetwork(core, p, checkLabel('network', params.network!), b.owner, b.access, b.net_id));
  r.on('DELETE', '/network/:network', NO_BODY, ({ core, p, params }) => networks.deleteNetwork(core, p, params.network!));
  r.on('GET', '/network/:network', NO_BODY, ({ core, p, params }) => json(networks.showNetwork(core, p, params.network!)));
  r.on('GET', '/networks', NO_BODY, ({ core, p }) => json(networks.listNetworks(core, p)));
  r.on('GET', '/network/:network/attachments', NO_BODY,
    ({ core, p, params, query }) => json(networks.listAttachments(core, p, params.network!, query.project)), ['project']);
  r.on('PUT', '/network/:network/access/:project', NO_BODY,
    ({ core, p, params }) => networks.grantAccess(core, p, params.network!, params.project!));
  r.on('DELETE', '/network/:network/access/:project', NO_BODY,
    ({ core, p, params }) => networks.revokeAccess(core, p, params.network!, params.project!));
}
