// Interactive consoles: `GET /v0/headnode/<h>/console` with `Connection:
// Upgrade` and `Upgrade: tcp` turns the HTTP connection into a raw two-way
// byte stream to the headnode's serial port (like `docker attach`), so a
// user can log in. Authentication and authorization are those of the API.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, BadArgumentError, NotFoundError, messageOf } from '../errors.js';
import { NULL_AUTH_PRINCIPAL, type Core } from '../core/context.js';
import type { DatabaseAuthenticator } from '../core/authn.js';
import { headnodeSerialSession } from '../core/headnodes.js';

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 409: 'Conflict', 502: 'Bad Gateway' };

function refuse(socket: Duplex, e: unknown, core: Core): void {
  const err = e instanceof ApiError ? e : null;
  if (!err) core.log.error(`interactive console: ${messageOf(e)}`);
  const status = err?.status ?? 500;
  const body = JSON.stringify({ type: err?.type ?? 'ServerError', msg: err?.message ?? 'Internal server error (a bug in haas; see the daemon log)' });
  socket.end(`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The `upgrade` listener for the daemon's HTTP servers. */
export function interactiveConsoles(core: Core, authn: DatabaseAuthenticator | null) {
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    try {
      const path = new URL(req.url ?? '/', 'http://haas').pathname;
      const m = /^(?:\/v0)?\/headnode\/([^/]+)\/console$/.exec(path);
      if (!m || req.method !== 'GET') throw new NotFoundError(`No interactive session at ${req.method} ${path}`);
      const p = authn ? await authn.authenticate(req.headers.authorization) : NULL_AUTH_PRINCIPAL;
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'tcp') throw new BadArgumentError('Upgrade: tcp is the only protocol offered');
      const serial = await headnodeSerialSession(core, p, decodeURIComponent(m[1]!));
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      if (head.length > 0) serial.write(head);
      socket.pipe(serial);
      serial.pipe(socket);
      socket.once('close', () => serial.destroy());
      serial.once('close', () => socket.destroy());
      serial.on('error', () => socket.destroy());
    } catch (e) {
      refuse(socket, e, core);
    }
  };
}
