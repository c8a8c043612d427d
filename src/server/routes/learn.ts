// haas's extension: learn the cabling from a switch's MAC address table
// (admin). GET reads and plans; POST may apply the plan and may put the free
// ports on a discovery VLAN while it reads (both change things: a POST).
import { learnOptions, learnSwitch } from '../../core/learn.js';
import { body, NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the learn routes on the router. */
export function learnRoutes(r: Router): void {
  r.on('GET', '/switch/:switch/learn', NO_BODY,
    async ({ core, p, params, query }) => json(await learnSwitch(core, p, params.switch!, learnOptions({ uplink_macs: query.uplink_macs }))), ['uplink_macs']);
  r.on('POST', '/switch/:switch/learn', body({}, { apply: 'any', uplink_macs: 'any', discovery_vlan: 'any', wait: 'any', ports: 'any' }),
    async ({ core, p, params, body: b }) => json(await learnSwitch(core, p, params.switch!, learnOptions(b))));
}
