// Interactive consoles: `GET /v0/node/<n>/console` or `/v0/headnode/<h>/console`
// with `Connection: Upgrade` and `Upgrade: tcp` turns the HTTP connection into
// a raw two-way byte stream on the console (like `docker attach`), so a user
// can log in. `?mode=read-only|write|force` (default write) says how it uses the
// shared console (src/core/consoles.ts): keystrokes reach the console only
// while the session is the writer. obmd nodes answer 307 to obmd, as the plain
// GET does. Authentication and authorization are those of the API.
// Any other upgrade offer (`Upgrade: h2c` from `curl --http2`, websocket) is
// declined the way HTTP allows: the request is served as a plain HTTP/1.1 one.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { BadArgumentError, NotFoundError } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import { RateLimitError } from '../core/login-throttle.js';
import { headnodeConsole } from '../core/headnodes.js';
import { openConsole } from '../core/obm.js';
import { parseConsoleMode, type ConsoleAttachment, type ConsoleCaller, type ConsoleMode } from '../core/consoles.js';
import { auditSource } from '../core/audit.js';
import { sourceOf, startStream } from './connections.js';
import { errorAnswer } from './errors-http.js';

const REASONS: Record<number, string> = {
  307: 'Temporary Redirect', 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 429: 'Too Many Requests', 502: 'Bad Gateway', 503: 'Service Unavailable',
};
/** Headers that offer or negotiate the upgrade: dropped when the request is served as plain HTTP. */
const UPGRADE_HEADERS = new Set(['upgrade', 'connection', 'http2-settings']);

function refuse(socket: Duplex, e: unknown, core: Core): void {
  const answer = errorAnswer(e, { challenge: false });
  if (answer.log !== null) core.log.error(`interactive console: ${answer.log}`);
  const body = JSON.stringify(answer.body);
  const headers = Object.entries(answer.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(`HTTP/1.1 ${answer.status} ${REASONS[answer.status] ?? 'Error'}\r\nContent-Type: application/json\r\n${headers}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * Serve a request whose upgrade offer we decline as a plain HTTP request: put its head (without the
 * upgrade headers) and the bytes read after it back into the socket, and hand the socket to the
 * server as if it had just connected. Node then parses it afresh: body, keep-alive and all.
 */
function serveAsPlainHttp(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (!UPGRADE_HEADERS.has(req.rawHeaders[i]!.toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  }
  // rawHeaders hold the bytes as latin1 characters: latin1 gives back the same bytes.
  socket.unshift(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), head]));
  server.emit(socket instanceof TLSSocket ? 'secureConnection' : 'connection', socket);
}

/** The path parameter of a console path, decoded; a malformed percent-escape is a 400. */
function decodedLabel(kind: string, raw: string): string {
  try { return decodeURIComponent(raw); } catch {
    throw new BadArgumentError(`Malformed percent-escape in the ${kind} name "${raw.slice(0, 60)}"`);
  }
}

/** A console session for the path's node or headnode, or obmd's address for an obmd node. */
async function attachFor(core: Core, caller: ConsoleCaller, kind: string, label: string, mode: ConsoleMode): Promise<ConsoleAttachment | { redirect: string }> {
  if (kind === 'headnode') return headnodeConsole(core, caller, label, mode);
  const o = await openConsole(core, caller, label, mode);
  return 'redirect' in o ? o : o.value;
}

/** The `upgrade` listener for the daemon's HTTP servers. */
export function interactiveConsoles(core: Core, authn: DatabaseAuthenticator | null) {
  return async function upgrade(this: Server, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'tcp') {
      serveAsPlainHttp(this, req, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://haas');
      const path = url.pathname;
      const m = /^(?:\/v0)?\/(node|headnode)\/([^/]+)\/console$/.exec(path);
      if (!m || req.method !== 'GET') throw new NotFoundError(`No interactive session at ${req.method} ${path}`);
      const source = sourceOf(socket as { remoteAddress?: string });
      const p = authn ? await authn.authenticate(req.headers.authorization, source) : NULL_AUTH_PRINCIPAL;
      const kind = m[1]!;
      const label = decodedLabel(kind, m[2]!);
      const extra = [...url.searchParams.keys()].find((k) => k !== 'mode');
      if (extra !== undefined) throw new BadArgumentError(`unknown query parameter "${extra.slice(0, 40)}" (the console takes mode)`);
      const mode = parseConsoleMode(url.searchParams.get('mode'));
      if (!startStream(socket)) {
        throw new RateLimitError(`${source} already holds as many console and event streams as it may (streams_per_source); close one first.`, 1);
      }
      const a = await attachFor(core, { p, source: auditSource(source) }, kind, label, mode);
      if ('redirect' in a) {
        socket.end(`HTTP/1.1 307 Temporary Redirect\r\nLocation: ${a.redirect}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      const session = a.stream;
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      if (head.length > 0) session.write(head);
      socket.pipe(session);
      session.pipe(socket);
      socket.once('close', () => session.destroy());
      session.once('close', () => socket.destroy());
      session.on('error', () => socket.destroy());
    } catch (e) {
      refuse(socket, e, core);
    }
  };
}
