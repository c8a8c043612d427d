// Routes of SPEC.md 3.5 (headnodes), plus haas's console of a headnode.
import * as headnodes from '../../core/headnodes.js';
import { body, NO_BODY } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Router } from '../router.js';

/** Mount the headnode routes on the router. */
export function headnodeRoutes(r: Router): void {
  r.on('PUT', '/headnode/:headnode', body({ project: 'string', base_img: 'string' }),
    ({ core, p, params, body: b }) => headnodes.createHeadnode(core, p, checkLabel('headnode', params.headnode!), b.project, b.base_img));
  r.on('DELETE', '/headnode/:headnode', NO_BODY, ({ core, p, params }) => headnodes.deleteHeadnode(core, p, params.headnode!));
  r.on('GET', '/headnode/:headnode', NO_BODY, ({ core, p, params }) => json(headnodes.showHeadnode(core, p, params.headnode!)));
  r.on('POST', '/headnode/:headnode/start', NO_BODY, ({ core, p, params }) => headnodes.startHeadnode(core, p, params.headnode!));
  r.on('POST', '/headnode/:headnode/stop', NO_BODY, ({ core, p, params }) => headnodes.stopHeadnode(core, p, params.headnode!));
  r.on('GET', '/headnode/:headnode/console', NO_BODY,
    async ({ core, p, params, source }) => ({ stream: (await headnodes.headnodeConsole(core, { p, source }, params.headnode!, 'read-only')).stream }));
  r.on('PUT', '/headnode/:headnode/hnic/:hnic', NO_BODY,
    ({ core, p, params }) => headnodes.createHnic(core, p, params.headnode!, checkLabel('hnic', params.hnic!)));
  r.on('DELETE', '/headnode/:headnode/hnic/:hnic', NO_BODY,
    ({ core, p, params }) => headnodes.deleteHnic(core, p, params.headnode!, params.hnic!));
  r.on('POST', '/headnode/:headnode/hnic/:hnic/connect_network', body({ network: 'string' }),
    ({ core, p, params, body: b }) => headnodes.connectHnic(core, p, params.headnode!, params.hnic!, b.network));
  r.on('POST', '/headnode/:headnode/hnic/:hnic/detach_network', NO_BODY,
    ({ core, p, params }) => headnodes.detachHnic(core, p, params.headnode!, params.hnic!));
  r.on('GET', '/headnode_images/', NO_BODY, ({ core }) => json(headnodes.listHeadnodeImages(core)));
}
