// Routes of SPEC.md 3.4 (switches and ports; admin only).
import * as switches from '../../core/switches.js';
import * as actions from '../../core/actions.js';
import { verifySwitch } from '../../core/verify.js';
import { showDrift, showSwitchDrift } from '../../core/drift.js';
import { body, NO_BODY, openBody } from '../body.js';
import { checkLabel } from '../../core/labels.js';
import { json, type Router } from '../router.js';

// Port names may contain "/" (gi1/0/5): the port segment takes the rest of the path.
const PORT = '/switch/:switch/port/:port{.+}';

/** Mount the switch and port routes on the router. */
export function switchRoutes(r: Router): void {
  r.on('PUT', '/switch/:switch', openBody({ type: 'string' }),
    ({ core, p, params, body: b }) => switches.registerSwitch(core, p, checkLabel('switch', params.switch!), b));
  r.on('DELETE', '/switch/:switch', NO_BODY, ({ core, p, params }) => switches.deleteSwitch(core, p, params.switch!));
  r.on('GET', '/switches', NO_BODY, ({ core, p }) => json(switches.listSwitches(core, p)));
  r.on('GET', '/switch/:switch', NO_BODY, ({ core, p, params }) => json(switches.showSwitch(core, p, params.switch!)));
  // haas's extension: drift between the switch and the inventory (cannot collide with PORT: no "/port/").
  r.on('GET', '/switch/:switch/verify', NO_BODY, async ({ core, p, params }) => json(await verifySwitch(core, p, params.switch!, false)));
  r.on('POST', '/switch/:switch/verify', body({}, { fix: 'boolean' }),
    async ({ core, p, params, body: b }) => json(await verifySwitch(core, p, params.switch!, b.fix === true)));
  // haas's extension: the last periodic drift check (all switches, or one).
  r.on('GET', '/drift', NO_BODY, ({ core, p }) => json(showDrift(core, p)));
  r.on('GET', '/switch/:switch/drift', NO_BODY, ({ core, p, params }) => json(showSwitchDrift(core, p, params.switch!)));
  r.on('POST', PORT + '/connect_nic', body({ node: 'string', nic: 'string' }),
    ({ core, p, params, body: b }) => switches.connectNic(core, p, params.switch!, params.port!, b.node, b.nic));
  r.on('POST', PORT + '/detach_nic', NO_BODY, ({ core, p, params }) => switches.detachNic(core, p, params.switch!, params.port!));
  r.on('POST', PORT + '/revert', NO_BODY,
    ({ core, p, params }) => json({ status_id: actions.revertPort(core, p, params.switch!, params.port!) }));
  r.on('PUT', PORT, NO_BODY, ({ core, p, params }) => switches.registerPort(core, p, params.switch!, params.port!));
  r.on('DELETE', PORT, NO_BODY, ({ core, p, params }) => switches.deletePort(core, p, params.switch!, params.port!));
  r.on('GET', PORT, NO_BODY, ({ core, p, params }) => json(switches.showPort(core, p, params.switch!, params.port!)));
}
