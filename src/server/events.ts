// GET /v0/events: the change stream as server-sent events (docs/dashboard-api.md).
// Each change the caller may see (core/events.ts maySee: as show_node allows)
// becomes `event: <kind>` and one `data:` line of JSON; a comment every 15 s
// keeps proxies and the browser from taking a quiet stream for a dead one.
// A client that does not read is cut off once it owes MAX_BUFFERED bytes
// rather than held in memory: EventSource reconnects, and refreshes. A stream
// opened with the session cookie ends at the first heartbeat after its
// session did (signed out, revoked, password changed); while open it counts
// as the session's use.
import { PassThrough } from 'node:stream';
import { changesOf, maySee, type Published } from '../core/events.js';
import type { Core, Principal } from '../core/context.js';
import { NO_BODY } from './body.js';
import type { Router } from './router.js';
import type { Sessions } from '../core/sessions.js';
import { sessionIdOf } from './session-cookie.js';

/** How often a quiet stream gets a heartbeat comment. */
export const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 1024 * 1024;

/** The caller's change stream: what it may see from now on, heartbeats between; it ends when `stillValid` throws. */
export function changeStream(core: Core, p: Principal, stillValid: () => void): PassThrough {
  const out = new PassThrough();
  const send = (text: string) => {
    if (out.writableLength > MAX_BUFFERED) out.destroy();
    else out.write(text);
  };
  const unsubscribe = changesOf(core.inv).subscribe((e: Published) => {
    if (maySee(p, e)) send(`event: ${e.change.event}\ndata: ${JSON.stringify(e.change)}\n\n`);
  });
  const heartbeat = setInterval(() => {
    try { stillValid(); } catch { out.end(); return; }
    send(': heartbeat\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  out.once('close', () => { unsubscribe(); clearInterval(heartbeat); });
  // The first bytes: the client knows the stream is up, and how soon to come back after a cut.
  out.write('retry: 3000\n: connected\n\n');
  return out;
}

/** Mount GET /events; `sessions` (database auth) checks a cookie-authenticated stream's session. */
export function eventRoutes(r: Router, sessions: Sessions | null): void {
  r.on('GET', '/events', NO_BODY, ({ core, p, request }) => {
    // As the authentication middleware decided: the cookie counts only without an Authorization header.
    const id = sessions && request.header('authorization') === undefined ? sessionIdOf(request.header('cookie')) : undefined;
    const stillValid = sessions && id !== undefined ? () => { sessions.resume(id); } : () => {};
    return { stream: changeStream(core, p, stillValid), contentType: 'text/event-stream' };
  });
}
