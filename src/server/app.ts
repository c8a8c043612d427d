// The Hono app: authentication first, then the routes of every noun; errors
// become HTTP answers through src/server/errors-http.ts.
import { Hono } from 'hono';
import { MethodNotAllowedError, NotFoundError } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core, type Principal } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import type { IncomingMessage } from 'node:http';
import { sourceOf } from './connections.js';
import { errorAnswer, errorResponse } from './errors-http.js';
import { Router, header, json, type RouteDef } from './router.js';
import { NO_BODY } from './body.js';
import { apiDocument } from './openapi.js';
import { projectRoutes } from './routes/projects.js';
import { nodeRoutes } from './routes/nodes.js';
import { networkRoutes } from './routes/networks.js';
import { switchRoutes } from './routes/switches.js';
import { hostKeyRoutes } from './routes/host-keys.js';
import { learnRoutes } from './routes/learn.js';
import { accountRoutes, userRoutes } from './routes/users.js';
import { healthRoutes } from './routes/health.js';
import { leaseRoutes } from './routes/leases.js';
import { extensionRoutes } from './routes/extensions.js';
import { nodeDetailsRoutes } from './routes/node-details.js';
import { switchDetailsRoutes } from './routes/switch-details.js';
import { headnodeRoutes } from './routes/headnodes.js';
import { quotaRoutes } from './routes/quotas.js';
import { auditRoutes } from './routes/audit.js';
import { inventoryRoutes } from './routes/inventory.js';

/** Who calls a public route under database auth: nobody in particular, with no rights. */
const ANONYMOUS: Principal = { user: null, admin: false, projectIds: new Set() };

/**
 * Declare every API route on a router (the route table the API document describes);
 * the user routes exist only under database auth (`withUsers`).
 */
export function declareRoutes(router: Router, withUsers: boolean): void {
  healthRoutes(router);
  projectRoutes(router);
  nodeRoutes(router);
  networkRoutes(router);
  switchRoutes(router);
  hostKeyRoutes(router);
  learnRoutes(router);
  headnodeRoutes(router);
  quotaRoutes(router);
  if (withUsers) userRoutes(router);
  accountRoutes(router);
  extensionRoutes(router);
  nodeDetailsRoutes(router);
  switchDetailsRoutes(router);
  leaseRoutes(router);
  auditRoutes(router);
  inventoryRoutes(router);
  router.public('GET', '/openapi.json', NO_BODY, () => json(apiDocument(routeTable())));
}

/** Every route of the API, the database-auth ones included: what /v0/openapi.json and `haas api-doc` describe. */
export function routeTable(): RouteDef[] {
  const router = new Router();
  declareRoutes(router, true);
  return router.defs;
}

/** Build the API app over a core; `authn` is null for the `null` auth backend. */
export function createApp(core: Core, authn: DatabaseAuthenticator | null): Hono<{ Variables: { p: Principal } }> {
  const app = new Hono<{ Variables: { p: Principal } }>();
  const router = new Router();

  // Acknowledged means durable: no answer leaves before the commits made so far are on disk
  // (one fsync for all the requests that wrote meanwhile: group commit).
  app.use('*', async (_c, next) => {
    const before = core.inv.changeCount();
    await next();
    await core.inv.durable(core.inv.changeCount() !== before);
  });

  app.use('*', async (c, next) => {
    if (authn && router.isPublic(c.req.path)) {
      c.set('p', ANONYMOUS);
    } else if (authn) {
      const authorization = header(c, 'authorization');
      const source = sourceOf((c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket ?? {});
      c.set('p', authn.cached(authorization, source) ?? await authn.authenticate(authorization, source));
    } else {
      c.set('p', NULL_AUTH_PRINCIPAL);
    }
    await next();
  });

  declareRoutes(router, authn !== null);
  router.mount(app, core);

  app.notFound((c) => {
    const methods = router.methodsFor(c.req.path);
    const err = methods.length > 0
      ? new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path} (allowed: ${[...new Set(methods)].join(', ')})`)
      : new NotFoundError(`No such API call: ${c.req.method} ${c.req.path}`);
    return errorResponse(errorAnswer(err, { challenge: false }));
  });

  app.onError((e, c) => {
    const answer = errorAnswer(e, { challenge: authn !== null && !header(c, 'authorization') });
    if (answer.log !== null) {
      core.log.error(answer.status === 500 ? `internal error on ${c.req.method} ${c.req.path}: ${answer.log}` : `${c.req.method} ${c.req.path}: ${answer.log}`);
    }
    return errorResponse(answer);
  });

  return app;
}
