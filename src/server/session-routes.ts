// The dashboard's sign-in routes (docs/dashboard-api.md): POST /session signs
// in with a user's name and password and sets the session cookie; GET shows
// the cookie's session; DELETE signs out; DELETE /user/<u>/sessions (admin)
// ends every session of a user. Under `auth = null` there are no sessions.
import { AuthorizationError, ValidationError } from '../errors.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import { CsrfError, NULL_AUTH_SESSION, signIn, type Sessions } from '../core/sessions.js';
import { body, NO_BODY } from './body.js';
import { json, type Answer, type RequestInfo, type Router } from './router.js';
import { clearedSessionCookie, foreignOrigin, sessionCookie, sessionIdOf } from './session-cookie.js';

/** What the session routes need under database auth: the sessions and the password check. */
export interface SessionAuth { sessions: Sessions; authn: DatabaseAuthenticator }

const NO_COOKIE = 'No session: sign in with POST /v0/session (this request carries no session cookie).';

function cookieOf(request: RequestInfo): string {
  const id = sessionIdOf(request.header('cookie'));
  if (id === undefined) throw new AuthorizationError(NO_COOKIE);
  return id;
}

const noContent = (headers: Record<string, string>): Answer => ({ json: null, status: 204, headers });

/** Mount the session routes; `auth` is null under `auth = null` (DELETE /user/<u>/sessions then does not exist). */
export function sessionRoutes(r: Router, auth: SessionAuth | null, withUsers: boolean): void {
  r.public('POST', '/session', body({}, { username: 'string', password: 'string' }), async ({ body: b, request }) => {
    if (!auth) return json(NULL_AUTH_SESSION);
    // A browser names the page that sends a POST: another site's page must not sign its visitor in.
    const origin = request.header('origin');
    if (origin !== undefined && foreignOrigin(origin, request.header('host'))) throw new CsrfError('Sign in from this daemon\'s own pages: the request\'s Origin is another site.');
    if (b.username === undefined || b.password === undefined) throw new ValidationError('Signing in needs "username" and "password".');
    const { id, view } = await signIn(auth.sessions, auth.authn, b.username, b.password, request.source);
    return { json: view, headers: { 'set-cookie': sessionCookie(id, request.secure) } };
  });
  r.on('GET', '/session', NO_BODY, ({ request }) => json(auth ? auth.sessions.resume(cookieOf(request)).view : NULL_AUTH_SESSION));
  r.on('DELETE', '/session', NO_BODY, ({ request }) => {
    if (auth) auth.sessions.close(cookieOf(request));
    return noContent({ 'set-cookie': clearedSessionCookie(request.secure) });
  });
  if (withUsers) {
    r.on('DELETE', '/user/:user/sessions', NO_BODY, ({ p, params }) => {
      auth?.sessions.revokeUser(p, params.user!);
      return noContent({});
    });
  }
}
