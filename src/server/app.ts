// The Hono app: authentication first, then the routes of every noun, and
// the one place where errors become HTTP answers.
import { Hono } from 'hono';
import { ApiError, AuthorizationError, MethodNotAllowedError, NotFoundError, messageOf } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core, type Principal } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import { RateLimitError } from '../core/login-throttle.js';
import type { IncomingMessage } from 'node:http';
import { sourceOf } from './connections.js';
import { storageErrorOf } from '../db/storage.js';
import { Router, header } from './router.js';
import { projectRoutes } from './routes/projects.js';
import { nodeRoutes } from './routes/nodes.js';
import { networkRoutes } from './routes/networks.js';
import { switchRoutes } from './routes/switches.js';
import { hostKeyRoutes } from './routes/host-keys.js';
import { accountRoutes, userRoutes } from './routes/users.js';
import { healthRoutes } from './routes/health.js';
import { extensionRoutes } from './routes/extensions.js';
import { headnodeRoutes } from './routes/headnodes.js';

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
  hostKeyRoutes(router);
  headnodeRoutes(router);
  if (authn) userRoutes(router);
  accountRoutes(router);
  extensionRoutes(router);

  app.notFound((c) => {
    const methods = router.methodsFor(c.req.path);
    const err = methods.length > 0
      ? new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path} (allowed: ${[...new Set(methods)].join(', ')})`)
      : new NotFoundError(`No such API call: ${c.req.method} ${c.req.path}`);
    return c.json({ type: err.type, msg: err.message }, err.status as 404);
  });

  app.onError((e, c) => {
    const storage = storageErrorOf(e);
    if (storage) {
      // Loud: an admin must act (free space, fix the disk, restart); the caller gets the cause.
      core.log.error(`${c.req.method} ${c.req.path}: ${storage.message}`);
      return c.json({ type: storage.type, msg: storage.message }, 503);
    }
    if (e instanceof ApiError) {
      const headers: Record<string, string> = e instanceof AuthorizationError && !header(c, 'authorization') && authn
        ? { 'www-authenticate': 'Basic realm="haas"' } : {};
      if (e instanceof RateLimitError) headers['retry-after'] = String(e.retryAfter);
      return c.json({ type: e.type, msg: e.message }, e.status as 400, headers);
    }
    core.log.error(`internal error on ${c.req.method} ${c.req.path}: ${e instanceof Error ? e.stack ?? e.message : messageOf(e)}`);
    return c.json({ type: 'ServerError', msg: 'Internal server error (a bug in haas; see the daemon log)' }, 500);
  });

  return app;
}
