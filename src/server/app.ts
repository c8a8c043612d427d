// The Hono app: the access log and request metrics around everything, then authentication, then
// the routes of every noun (and GET /metrics); errors become HTTP answers through src/server/errors-http.ts.
import { Hono, type Context } from 'hono';
import { routePath } from 'hono/route';
import { performance } from 'node:perf_hooks';
import { AuthorizationError, MethodNotAllowedError, NotFoundError } from '../errors.js';
import { RateLimitError } from '../core/login-throttle.js';
import type { AccessLog } from '../log.js';
import { authorizeScrape, type DaemonMetrics } from './metrics.js';
import { NULL_AUTH_PRINCIPAL, type Core, type Principal } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import type { Socket } from 'node:net';
import { sourceOfSocket } from './connections.js';
import { errorAnswer, errorResponse } from './errors-http.js';
import { Router, header, incomingOf, json, type AppEnv, type RouteDef } from './router.js';
import { NO_BODY } from './body.js';
import { apiDocument } from './openapi.js';
import { projectRoutes } from './routes/projects.js';
import { nodeRoutes } from './routes/nodes.js';
import { networkRoutes } from './routes/networks.js';
import { switchRoutes } from './routes/switches.js';
import { onboardingRoutes } from './routes/onboarding.js';
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
import { consoleLogRoutes } from './routes/console-log.js';
import { isUiPath, mountUi } from './ui.js';
import { sessionRoutes, type SessionAuth } from './session-routes.js';
import { sessionIdOf } from './session-cookie.js';
import { eventRoutes } from './events.js';
import { consoleSocketRoutes } from './console-ws.js';
import type { Sessions } from '../core/sessions.js';

/** Who calls a public route under database auth: nobody in particular, with no rights. */
const ANONYMOUS: Principal = { user: null, admin: false, projectIds: new Set() };
/** Methods that change nothing: a cookie-authenticated request with another method needs the CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Declare every API route on a router (the route table the API document describes);
 * the user routes exist only under database auth (`withUsers`); `auth` serves the session routes (null: none).
 */
export function declareRoutes(router: Router, withUsers: boolean, auth: SessionAuth | null = null): void {
  healthRoutes(router);
  projectRoutes(router);
  nodeRoutes(router);
  consoleLogRoutes(router);
  networkRoutes(router);
  switchRoutes(router);
  onboardingRoutes(router);
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
  sessionRoutes(router, auth, withUsers);
  eventRoutes(router, auth?.sessions ?? null);
  consoleSocketRoutes(router);
  router.public('GET', '/openapi.json', NO_BODY, () => json(apiDocument(routeTable())));
}

/** Every route of the API, the database-auth ones included: what /v0/openapi.json and `haas api-doc` describe. */
export function routeTable(): RouteDef[] {
  const router = new Router();
  declareRoutes(router, true);
  return router.defs;
}

/** What the app reports about each request, beyond its answer; each part may be off (null). */
export interface Observers {
  /** Request counts and latencies, failed logins; and GET /metrics is served. */
  metrics: DaemonMetrics | null;
  /** One access-log line per answered request. */
  access: AccessLog | null;
  /** `[metrics] token_file`'s token: lets a remote scraper in without an admin's credentials. */
  metricsToken: Buffer | null;
}

/** Nothing observed: no access log, no metrics. */
const UNOBSERVED: Observers = { metrics: null, access: null, metricsToken: null };

/** The path a request matched, as registered (`/v0/node/:node`): the label of its metrics and access line. */
function routeOf(c: Context): string {
  const path = routePath(c, -1);
  return path === '*' || path === '' ? 'unmatched' : path;
}

/**
 * Whether a request comes from the dashboard's scripts, whose 401 must carry no Basic challenge (a
 * browser would pop up its own login dialog): it carries the session cookie, is for /session, or
 * is a browser's script request (Sec-Fetch-Mode other than navigate).
 */
function fromDashboard(c: Context): boolean {
  const mode = header(c, 'sec-fetch-mode');
  return sessionIdOf(header(c, 'cookie')) !== undefined || c.req.path === '/session' || c.req.path === '/v0/session'
    || (mode !== undefined && mode !== 'navigate');
}

/** The request's socket (none when the app is called without a server, as in tests). */
function socketOf(c: Context): Socket | undefined {
  return incomingOf(c)?.socket;
}
/**
 * Build the API app over a core; `authn` is null for the `null` auth backend. `sessions` (database auth
 * only) lets the dashboard's session cookie authenticate, and serves /v0/session.
 */
export function createApp(core: Core, authn: DatabaseAuthenticator | null, observers: Observers = UNOBSERVED,
  sessions: Sessions | null = null): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const router = new Router();
  const { metrics, access } = observers;

  /** The caller's principal under database auth; a refused login (credentials given, 401 or 429) is counted. */
  const authenticate = async (c: Context, authn: DatabaseAuthenticator): Promise<Principal> => {
    const authorization = header(c, 'authorization');
    // The session cookie counts only without an Authorization header: Basic clients are never affected by one.
    const sessionId = authorization === undefined && sessions ? sessionIdOf(header(c, 'cookie')) : undefined;
    if (sessions && sessionId !== undefined) {
      const { principal } = sessions.resume(sessionId);
      if (!SAFE_METHODS.has(c.req.method)) sessions.checkCsrf(sessionId, header(c, 'x-csrf-token'));
      return principal;
    }
    const source = sourceOfSocket(socketOf(c));
    try {
      return authn.cached(authorization, source) ?? await authn.authenticate(authorization, source);
    } catch (e) {
      if (metrics && authorization !== undefined && (e instanceof AuthorizationError || e instanceof RateLimitError)) metrics.failedLogin();
      throw e;
    }
  };

  /** The answer to a thrown error (also Hono's onError, for what the routes throw). */
  const answerError = (e: unknown, c: Context): Response => {
    const answer = errorAnswer(e, { challenge: authn !== null && !header(c, 'authorization') && !fromDashboard(c) });
    if (answer.log !== null) {
      core.log.error(answer.status === 500 ? `internal error on ${c.req.method} ${c.req.path}: ${answer.log}` : `${c.req.method} ${c.req.path}: ${answer.log}`);
    }
    return errorResponse(answer);
  };

  /** Count the answered request and write its access line. */
  const observe = (c: Context<AppEnv>, ms: number) => {
    const route = c.get('route') ?? routeOf(c);
    const status = c.res.status;
    const method = c.req.method;
    metrics?.request(method, route, status, ms / 1000);
    if (access) access(c.get('p')?.user ?? null, sourceOfSocket(socketOf(c)), method, route, status, ms);
  };
  const observed = metrics !== null || access !== null;

  // One middleware around every request (each layer costs a promise and a closure per request):
  // authentication; the route; then the group commit: acknowledged means durable, no answer leaves
  // before the commits made so far are on disk (one fsync for all the requests that wrote meanwhile);
  // and last the metrics and the access line, so that they see every answer, a 401 or a 503 included.
  app.use('*', async (c, next) => {
    const start = observed ? performance.now() : 0;
    const before = core.inv.changeCount();
    try {
      const path = c.req.path;
      // /metrics decides itself who may scrape (loopback and the unix socket need no credentials);
      // the dashboard's files are public: the page signs in through the API.
      if (!(metrics && path === '/metrics') && !isUiPath(path)) {
        c.set('p', authn === null ? NULL_AUTH_PRINCIPAL : router.isPublic(c.req.method, path) ? ANONYMOUS : await authenticate(c, authn));
      }
      await next();
    } catch (e) {
      c.res = answerError(e, c);
    }
    // After a refused login too: its audit entry is a write.
    try {
      const after = core.inv.changeCount();
      if (!core.inv.settled(after)) await core.inv.durable(after !== before);
    } catch (e) {
      c.res = answerError(e, c);
    }
    if (observed) observe(c, performance.now() - start);
  });

  mountUi(app);

  if (metrics) {
    app.get('/metrics', async (c) => {
      await authorizeScrape(socketOf(c)?.remoteAddress, header(c, 'authorization'), observers.metricsToken, async () => {
        const p = authn === null ? NULL_AUTH_PRINCIPAL : await authenticate(c, authn);
        c.set('p', p);
        return p;
      });
      const { text, contentType } = await metrics.exposition();
      return c.body(text, 200, { 'content-type': contentType });
    });
  }

  declareRoutes(router, authn !== null, authn && sessions && { authn, sessions });
  router.mount(app, core);

  app.notFound((c) => {
    const methods = router.methodsFor(c.req.path);
    const err = methods.length > 0
      ? new MethodNotAllowedError(`${c.req.method} is not allowed on ${c.req.path} (allowed: ${[...new Set(methods)].join(', ')})`)
      : new NotFoundError(`No such API call: ${c.req.method} ${c.req.path}`);
    return errorResponse(errorAnswer(err, { challenge: false }));
  });

  app.onError((e, c) => answerError(e, c));

  return app;
}
