// The browser console (docs/dashboard-api.md): `GET /v0/node/<n>/console/ws`
// and `GET /v0/headnode/<h>/console/ws` as WebSockets, since a browser can
// neither send the `Upgrade: tcp` stream nor Basic credentials on a socket.
// Authenticated by the session cookie only; a cookie rides along with any
// page's request, so the Origin must be this daemon's own (no CSRF token can
// travel on a WebSocket handshake). Binary frames carry exactly the bytes the
// other console routes carry. The console stream is obtained the way
// GET .../console and the `Upgrade: tcp` session (upgrade.ts) obtain it;
// `mode` (read-only, write, force) is passed through to that choice.
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AuthorizationError, BadArgumentError, BlockedError, NotFoundError } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core, type Principal } from '../core/context.js';
import { RateLimitError } from '../core/login-throttle.js';
import { CsrfError, type Sessions } from '../core/sessions.js';
import { openConsole } from '../core/obm.js';
import { headnodeConsole, headnodeSerialSession } from '../core/headnodes.js';
import { sourceOf, startStream } from './connections.js';
import { errorAnswer } from './errors-http.js';
import { NO_BODY } from './body.js';
import type { Router } from './router.js';
import { foreignOrigin, sessionIdOf } from './session-cookie.js';

/** How a browser console attaches: watching only, as the writer, or taking the writer's place. */
export type ConsoleMode = 'read-only' | 'write' | 'force';
const MODES: readonly ConsoleMode[] = ['read-only', 'write', 'force'];

/** An `upgrade` listener of the daemon's HTTP servers. */
export type UpgradeListener = (this: Server, req: IncomingMessage, socket: Duplex, head: Buffer) => void | Promise<void>;

/** Output waiting for a slow browser beyond this pauses the console stream until it drains. */
const HIGH_WATER = 1024 * 1024;
const PATH = /^\/v0\/(node|headnode)\/([^/]+)\/console\/ws$/;

/** What a console socket is for. */
interface Target { kind: 'node' | 'headnode'; label: string; mode: ConsoleMode }

/** The target of a console-socket request path, or null for any other path. */
function targetOf(url: string | undefined): Target | null {
  const u = new URL(url ?? '/', 'http://haas');
  const m = PATH.exec(u.pathname);
  if (!m) return null;
  let label: string;
  try { label = decodeURIComponent(m[2]!); } catch {
    throw new BadArgumentError(`Malformed percent-escape in the ${m[1]} name "${m[2]!.slice(0, 60)}"`);
  }
  return { kind: m[1] as 'node' | 'headnode', label, mode: modeOf(u.searchParams.get('mode')) };
}

function modeOf(value: string | null): ConsoleMode {
  if (value === null) return 'read-only';
  const mode = MODES.find((m) => m === value);
  if (!mode) throw new BadArgumentError(`Query parameter "mode" must be ${MODES.join(', ')}, not "${value.slice(0, 60)}".`);
  return mode;
}

/** Refuse a handshake from a page of another site: its Origin must name the host the request was sent to. */
function checkOrigin(req: IncomingMessage): void {
  const { origin, host } = req.headers;
  if (foreignOrigin(origin, host)) {
    throw new CsrfError(`A console socket must be opened from this daemon's own pages (Origin ${JSON.stringify((origin ?? 'none').slice(0, 100))} is not ${JSON.stringify(host ?? '')}).`);
  }
}

/** The caller: the session cookie's user (database auth), or everyone as admin (`auth = null`). */
function principalOf(req: IncomingMessage, sessions: Sessions | null): Principal {
  if (!sessions) return NULL_AUTH_PRINCIPAL;
  const id = sessionIdOf(req.headers.cookie);
  if (id === undefined) throw new AuthorizationError('The browser console needs a session: sign in with POST /v0/session.');
  return sessions.resume(id).principal;
}

/**
 * The console stream the socket carries: what GET .../console carries for `read-only` (input is
 * dropped), the `Upgrade: tcp` serial session of a headnode for `write` and `force`. A node's
 * console has no writer yet: every mode watches it.
 */
async function consoleStream(core: Core, p: Principal, t: Target): Promise<{ stream: Readable; input: Duplex | null }> {
  if (t.kind === 'headnode') {
    if (t.mode === 'read-only') return { stream: headnodeConsole(core, p, t.label), input: null };
    const serial = await headnodeSerialSession(core, p, t.label);
    return { stream: serial, input: serial };
  }
  const o = await openConsole(core, p, t.label);
  if ('redirect' in o) {
    throw new BlockedError(`The console of node "${t.label}" is served by obmd, which the browser console does not reach; use \`haas node console ${t.label}\`.`);
  }
  return { stream: o.value, input: null };
}

/** Answer a refused handshake with the API's JSON error, and close. */
function refuse(socket: Duplex, e: unknown, core: Core): void {
  const answer = errorAnswer(e, { challenge: false });
  if (answer.log !== null) core.log.error(`browser console: ${answer.log}`);
  const body = JSON.stringify(answer.body);
  const headers = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\nContent-Type: application/json\r\n${headers}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A message's bytes, however ws delivered them (a text frame's are its UTF-8). */
function bytesOf(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(new Uint8Array(data));
}

/** Carry the console's bytes to the browser and, where there is an input, the browser's to the console. */
function bridge(ws: WebSocket, stream: Readable, input: Duplex | null): void {
  stream.on('data', (chunk: Buffer) => {
    ws.send(chunk, { binary: true }, () => { if (stream.isPaused() && ws.bufferedAmount < HIGH_WATER / 2) stream.resume(); });
    if (ws.bufferedAmount > HIGH_WATER) stream.pause();
  });
  ws.on('message', (data: RawData) => {
    if (!input) return;
    input.write(bytesOf(data));
  });
  // A close reason is at most 123 bytes.
  stream.once('error', (e: Error) => ws.close(1011, e.message.slice(0, 120)));
  stream.once('end', () => ws.close(1000, 'console ended'));
  stream.once('close', () => { if (ws.readyState === ws.OPEN) ws.close(1000, 'console ended'); });
  ws.once('close', () => stream.destroy());
  ws.on('error', () => stream.destroy());
}

/**
 * Wrap the daemon's `upgrade` listener: a WebSocket offer for a console socket path is served here,
 * anything else goes to `next` (the `Upgrade: tcp` consoles). `sessions` is null under `auth = null`.
 */
export function withConsoleWebSockets(next: UpgradeListener, core: Core, sessions: Sessions | null): UpgradeListener {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  return async function upgrade(this: Server, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://haas').pathname;
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !PATH.test(path)) return next.call(this, req, socket, head);
    socket.on('error', () => socket.destroy());
    try {
      if (req.method !== 'GET') throw new NotFoundError(`No console socket at ${req.method} ${path}`);
      const target = targetOf(req.url)!;
      const p = principalOf(req, sessions);
      checkOrigin(req);
      if (!startStream(socket)) {
        throw new RateLimitError(`${sourceOf(socket as { remoteAddress?: string })} already holds as many console and event streams as it may (streams_per_source); close one first.`, 1);
      }
      const { stream, input } = await consoleStream(core, p, target);
      // ws answers a malformed handshake itself and never calls back: the console must not outlive it.
      let bridged = false;
      socket.once('close', () => { if (!bridged) stream.destroy(); });
      wss.handleUpgrade(req, socket, head, (ws) => { bridged = true; bridge(ws, stream, input); });
    } catch (e) {
      refuse(socket, e, core);
    }
  };
}

/** Declare the console socket paths in the route table; a request without the WebSocket upgrade is told what they are. */
export function consoleSocketRoutes(r: Router): void {
  const notUpgraded = () => {
    throw new BadArgumentError('This is a WebSocket endpoint (the browser console): connect with `Upgrade: websocket` and the session cookie.');
  };
  r.on('GET', '/node/:node/console/ws', NO_BODY, notUpgraded, ['mode']);
  r.on('GET', '/headnode/:headnode/console/ws', NO_BODY, notUpgraded, ['mode']);
}
