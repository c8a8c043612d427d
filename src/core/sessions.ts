// The dashboard's sign-in sessions. A session is a random id the browser
// keeps in an HttpOnly cookie; the database keeps only its SHA-256 (a stolen
// backup opens no session). Its CSRF token is derived from the id, so it is
// the same after a restart without being stored. A session ends when unused
// for `[ui] session_idle`, `session_lifetime` after sign-in, at sign-out, when
// an admin revokes the user's sessions, and when the user's password changes
// (the session remembers a digest of the password hash it was opened under)
// or the user is deleted (the row goes with the user).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError, AuthorizationError, NotFoundError } from '../errors.js';
import type { Inventory } from '../db/inventory.js';
import type { UiConfig } from '../config.js';
import type { Principal } from './context.js';
import type { DatabaseAuthenticator } from './authn.js';
import { requireAdmin } from './authz.js';
import { projectIdsOfUser, userByLabel } from '../db/store/users.js';
import {
  addSession, deleteEndedSessions, deleteSession, deleteSessionsOfUser, sessionByHash, touchSession,
} from '../db/store/sessions.js';

/** The cookie that carries the session id. */
export const SESSION_COOKIE = 'haas_session';

/** 403: a cookie-authenticated write without the session's CSRF token, or a console socket from a foreign page. */
export class CsrfError extends ApiError {
  override readonly type = 'CsrfError';
  override readonly status = 403;
}

/** A session as GET /v0/session shows it. */
export interface SessionView {
  auth: 'database';
  user: string;
  is_admin: boolean;
  csrf_token: string;
  /** The absolute end (ISO); an unused session ends earlier. */
  expires_at: string;
}

/** What GET and POST /v0/session answer under `auth = null`: no session, everyone is admin. */
export const NULL_AUTH_SESSION = { auth: 'null', user: null, is_admin: true, csrf_token: null, expires_at: null } as const;

const ENDED = 'Your session has expired or was revoked: sign in again.';

function digest(domain: string, text: string): string {
  return createHash('sha256').update(`${domain}\u0000${text}`).digest('base64url');
}

/** The row key of a session id: what the database keeps instead of the id. */
function idHashOf(id: string): string { return digest('haas-session', id); }
/** The CSRF token of a session id: the page must echo it on writes; not derivable from the stored hash. */
function csrfTokenOf(id: string): string { return digest('haas-csrf', id); }
/** A digest of a password hash: a session opened under another password is over. */
function passwordTagOf(passwordHash: string): string { return digest('haas-password', passwordHash); }

/** A session found by its id: who it is and how it is shown. */
export interface OpenSession { principal: Principal; view: SessionView }

/** The sessions of an inventory under one `[ui]` configuration. */
export class Sessions {
  constructor(private readonly inv: Inventory, private readonly ui: UiConfig, private readonly now: () => number = Date.now) {}

  /** Open a session for a user whose credentials were just verified; returns its id (for the cookie only) and view. */
  open(user: string): { id: string; view: SessionView } {
    const u = userByLabel(this.inv, user);
    if (!u) throw new AuthorizationError('Invalid username or password.');
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    const createdAt = new Date(at).toISOString();
    const expiresAt = new Date(at + this.ui.sessionLifetimeMs).toISOString();
    this.inv.tx(() => {
      deleteEndedSessions(this.inv, createdAt, new Date(at - this.ui.sessionIdleMs).toISOString());
      addSession(this.inv, {
        id_hash: idHashOf(id), user_id: u.id, password_tag: passwordTagOf(u.password_hash),
        created_at: createdAt, last_seen_at: createdAt, expires_at: expiresAt,
      });
    });
    return { id, view: { auth: 'database', user: u.label, is_admin: u.is_admin, csrf_token: csrfTokenOf(id), expires_at: expiresAt } };
  }

  /**
   * The live session of a cookie's id, its use noted (written at most every tenth of the idle
   * timeout, capped at a minute: a request does not cost a write); AuthorizationError when none.
   */
  resume(id: string): OpenSession {
    const idHash = idHashOf(id);
    const s = sessionByHash(this.inv, idHash);
    const at = this.now();
    const lastSeen = s ? Date.parse(s.last_seen_at) : 0;
    if (!s || at >= Date.parse(s.expires_at) || at - lastSeen >= this.ui.sessionIdleMs || s.password_tag !== passwordTagOf(s.password_hash)) {
      if (s) deleteSession(this.inv, idHash);
      throw new AuthorizationError(ENDED);
    }
    if (at - lastSeen >= Math.min(60_000, this.ui.sessionIdleMs / 10)) touchSession(this.inv, idHash, new Date(at).toISOString());
    return {
      principal: { user: s.user, admin: s.is_admin, projectIds: new Set(projectIdsOfUser(this.inv, s.user_id)) },
      view: { auth: 'database', user: s.user, is_admin: s.is_admin, csrf_token: csrfTokenOf(id), expires_at: s.expires_at },
    };
  }

  /** Throw CsrfError unless `token` is the session's CSRF token (compared in constant time). */
  checkCsrf(id: string, token: string | undefined): void {
    if (token === undefined || token === '') {
      throw new CsrfError('This request is authenticated by the session cookie and changes state: it needs the X-CSRF-Token header (the csrf_token of POST or GET /v0/session).');
    }
    const want = Buffer.from(csrfTokenOf(id));
    const got = Buffer.from(token);
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      throw new CsrfError('The X-CSRF-Token header does not match this session\'s token: reload the page (GET /v0/session gives the token).');
    }
  }

  /** End the session of a cookie's id; false when it was not open. */
  close(id: string): boolean {
    return deleteSession(this.inv, idHashOf(id));
  }

  /** End every session of a user (admin); returns how many there were. */
  revokeUser(p: Principal, user: string): number {
    requireAdmin(p);
    const u = userByLabel(this.inv, user);
    if (!u) throw new NotFoundError(`user "${user}" does not exist`);
    return deleteSessionsOfUser(this.inv, u.id);
  }
}

/**
 * Verify a user's name and password the way HTTP Basic is verified (the same throttle, cache and
 * failed-login trail), then open a session. Throws AuthorizationError (401) or RateLimitError (429).
 */
export async function signIn(sessions: Sessions, authn: DatabaseAuthenticator, user: string, password: string, source: string): Promise<{ id: string; view: SessionView }> {
  // A colon cannot be in a Basic user name: such a name cannot be a user's.
  if (user === '' || user.includes(':')) throw new AuthorizationError('Invalid username or password.');
  const p = await authn.authenticate(`Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`, source);
  return sessions.open(p.user ?? user);
}
