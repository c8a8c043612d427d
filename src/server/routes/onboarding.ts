// haas's extension routes for onboarding a switch (issue 15; admin only):
// discover its ports, import them (adopting running VLANs), and hand a port
// an import left unmanaged back to haas.
import { discoverSwitch, importSwitch, managePort } from '../../core/onboarding.js';
import { body, NO_BODY } from '../body.js';
import { json, type Router } from '../router.js';

/** Mount the onboarding routes on the router. */
export function onboardingRoutes(r: Router): void {
  r.on('GET', '/switch/:switch/discover', NO_BODY, async ({ core, p, params }) => json(await discoverSwitch(core, p, params.switch!)));
  r.on('POST', '/switch/:switch/import', body({}, { ports: 'string', adopt: 'boolean', dry_run: 'boolean' }),
    async ({ core, p, params, body: b }) => json(await importSwitch(core, p, params.switch!, {
      ...(b.ports !== undefined ? { ports: b.ports } : {}), adopt: b.adopt === true, dryRun: b.dry_run === true,
    })));
  // Port names may contain "/": the port segment takes the rest of the path up to "/manage".
  r.on('POST', '/switch/:switch/port/:port{.+}/manage', NO_BODY,
    ({ core, p, params }) => json(managePort(core, p, params.switch!, params.port!)));
}
