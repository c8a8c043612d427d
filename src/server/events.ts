// GET /v0/events: the change stream as server-sent events (docs/dashboard-api.md).
// Each change the caller may see (core/events.ts maySee: as show_node allows)
// becomes `event: <kind>` and one `data:` line of JSON; a comment every 15 s
// keeps proxies and the browser from taking a quiet stream for a dead one.
// A client that does not read is cut off once it owes MAX_BUFFERED bytes
// rather than held in memory: EventSource reconnects, and refreshes.
import { PassThrough } from 'node:stream';
import { changesOf, maySee, type Published } from '../core/events.js';
import type { Core, Principal } from '../core/context.js';
import { NO_BODY } from './body.js';
import type { Router } from './router.js';

/** How often a quiet stream gets a heartbeat comment. */
export const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED = 1024 * 1024;

/** The caller's change stream: what it may see from now on, heartbeats between. */
export function changeStream(core: Core, p: Principal): PassThrough {
  const out = new PassThrough();
  const send = (text: string) => {
    if (out.writableLength > MAX_BUFFERED) out.destroy();
    else out.write(text);
  };
  const unsubscribe = changesOf(core.inv).subscribe((e: Published) => {
    if (maySee(p, e)) send(`event: ${e.change.event}\ndata: ${JSON.stringify(e.change)}\n\n`);
  });
  const heartbeat = setInterval(() => send(': heartbeat\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  out.once('close', () => { unsubscribe(); clearInterval(heartbeat); });
  // The first bytes: the client knows the stream is up, and how soon to come back after a cut.
  out.write('retry: 3000\n: connected\n\n');
  return out;
}

/** Mount GET /events. */
export function eventRoutes(r: Router): void {
  r.on('GET', '/events', NO_BODY, ({ core, p }) => ({ stream: changeStream(core, p), contentType: 'text/event-stream' }));
}
