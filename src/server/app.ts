// The Hono app: authentication first, then the routes of every noun; errors
// become HTTP answers through src/server/errors-http.ts.
import { Hono } from 'hono';
import { MethodNotAllowedError, NotFoundError } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core, type Principal } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import type { IncomingMessage } from 'node:http';
import { sourceOf } from './connections.js';
import { errorAnswer, errorResponse } from './errors-http.js';
import { Router, header } from './router.js';
import { projectRoutes } from './routes/projects.js';
import { nodeRoutes } from './routes/nodes.js';
import { networkRoutes } from './routes/networks.js';
import { switchRoutes } from './routes/switches.js';
import { onboardingRoutes } from './routes/onboarding.js';
import { hostKeyRoutes } from './routes/host-keys.js';
import { accountRoutes, userRoutes } from './routes/users.js';
import { healthRoutes } from './routes/health.js';
import { leaseRoutes } from './routes/leases.js';
import { extensionRoutes } from './routes/extensions.js';
import { headnodeRoutes } from './routes/headnodes.js';
import { quotaRoutes } from './routes/quotas.js';
import { auditRoutes } from './routes/audit.js';

/** Who calls a public route under database auth: nobody in particular, with no rights. */
const ANONYMOUS: Principal = { user: null, admin: false, projectIds: new Set() };

/** Build the API app over a core; `authn` is null for the `null` auth backend. */
export function createApp(core: Core, authn: DatabaseAuthenticator | null): Hono<{ Variables: { p: Principal } }> {
  const app = new Hono<{ Variables: { p: Principal } }>();
  const router = new Router(app, core);

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

  healthRoutes(router);
  projectRoutes(router);
  nodeRoutes(router);
  networkRoutes(router);
  switchRoutes(router);
  onboardingRoutes(router);
  hostKeyRoutes(router);
  headnodeRoutes(router);
  quotaRoutes(router);
  if (authn) userRoutes(router);
  accountRoutes(router);
  extensionRoutes(router);
  leaseRoutes(router);
  auditRoutes(router);

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
