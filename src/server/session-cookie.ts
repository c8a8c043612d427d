// The session cookie on the wire: read from the Cookie header, set and cleared
// with the attributes that keep it from scripts (HttpOnly), from other sites'
// requests (SameSite=Strict) and, over TLS, from plain HTTP (Secure).
import { SESSION_COOKIE } from '../core/sessions.js';

/** The session id the Cookie header carries, or undefined. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** The Set-Cookie value that gives the browser a session id (a browser-session cookie: the server decides its end). */
export function sessionCookie(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/** The Set-Cookie value that makes the browser forget its session id. */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/${secure ? '; Secure' : ''}`;
}

/** Whether an Origin header names another site than the Host the request was sent to (a missing or opaque Origin counts as foreign). */
export function foreignOrigin(origin: string | undefined, host: string | undefined): boolean {
  let originHost: string | null = null;
  try { originHost = origin === undefined ? null : new URL(origin).host; } catch { /* "null" or garbage */ }
  return originHost === null || host === undefined || originHost.toLowerCase() !== host.toLowerCase();
}
