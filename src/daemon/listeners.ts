// The daemon's listeners: TCP (optionally TLS) and the unix socket, bound all or nothing.
// The socket is bound under a temporary name, given its mode and group, then renamed over the
// configured path, so it appears complete or not at all, and a stale socket is replaced in one step.
// A live socket (another daemon answers on it) is never replaced, and on the way out the socket
// is removed only while it is still ours (same inode): no daemon ever deletes another's socket.
// With `auth null` the address TCP actually bound must be a loopback one: a host name is checked by
// what it resolved to, not by its spelling. Every server counts its connections per source.
import { chmodSync, chownSync, lstatSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer } from '@hono/node-server';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { HostChecks } from './preflight.js';
import { checkSocketPath, StartupError } from './preflight.js';
import { ConnectionLimits } from '../server/connections.js';

type FetchHandler = (request: Request) => Response | Promise<Response>;

/** The bound listeners: their servers, the endpoints they serve, and the removal of our socket. */
export interface Listeners {
  servers: Server[];
  /** `unix:/path` and `http(s)://host:port`, as the CLI names endpoints. */
  endpoints: string[];
  /** Remove the socket if the path still holds the one we bound (call after the servers closed). */
  removeSocket(): void;
}

function listen(server: Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    const done = () => { server.off('error', rej); res(); };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

/** Whether a bound (numeric) address is a loopback one. */
function isLoopbackAddress(address: string): boolean {
  return /^(::ffff:)?127\./i.test(address) || address === '::1';
}

function close(server: Server): Promise<void> {
  return new Promise((res) => { if (server.listening) server.close(() => res()); else res(); });
}

function inodeOf(path: string): string | null {
  try { const st = lstatSync(path); return `${st.dev}:${st.ino}`; } catch { return null; }
}

/**
 * Bind TCP (if configured) and then the unix socket. On any failure everything bound so far is
 * closed, a socket we made is removed, and the error is thrown: the daemon then serves nothing.
 */
export async function bindListeners(fetch: FetchHandler, config: Config, host: HostChecks, log: Logger): Promise<Listeners> {
  const servers: Server[] = [];
  const endpoints: string[] = [];
  const limits = new ConnectionLimits(config.limits, log);
  // A unix socket path has at most 107 bytes: fall back to a shorter temporary name near the limit.
  const aside = join(dirname(config.socket), `.${basename(config.socket)}.${process.pid}`);
  const temp = Buffer.byteLength(aside) <= 107 ? aside : join(dirname(config.socket), `.${process.pid}`);
  let ours: string | null = null;
  const removeSocket = () => {
    if (ours !== null && inodeOf(config.socket) === ours) unlinkSync(config.socket);
    ours = null;
  };
  try {
    if (config.listen) {
      const tcp = (host.tls
        ? createAdaptorServer({ fetch, createServer: createHttpsServer, serverOptions: host.tls })
        : createAdaptorServer({ fetch })) as Server;
      const url = `${host.tls ? 'https' : 'http'}://${config.listen.host}:${config.listen.port}`;
      limits.watch(tcp);
      await listen(tcp, config.listen).catch((e: NodeJS.ErrnoException) => {
        throw new StartupError(`cannot listen on ${url}: ${e.code === 'EADDRINUSE' ? 'the address is already in use' : e.message}`);
      });
      servers.push(tcp);
      const bound = (tcp.address() as AddressInfo).address;
      if (config.auth === 'null' && !isLoopbackAddress(bound)) {
        throw new StartupError(`refusing auth null: listen ${config.listen.host} resolved to ${bound}, not a loopback address, ` +
          'and without authentication everyone is admin; use auth database, or a loopback address');
      }
      endpoints.push(url);
    }
    await checkSocketPath(config.socket);
    const unix = createAdaptorServer({ fetch }) as Server;
    limits.watch(unix);
    try { unlinkSync(temp); } catch { /* none left by an earlier run with our pid */ }
    await listen(unix, temp).catch((e: NodeJS.ErrnoException) => {
      throw new StartupError(`cannot create the socket ${config.socket}: ${e.code ?? e.message}`);
    });
    servers.push(unix);
    try {
      chmodSync(temp, 0o660);
      if (host.socketGid !== null) chownSync(temp, process.getuid?.() ?? 0, host.socketGid);
      // Someone may have started on this path while we were binding: check again, then take it in one step.
      await checkSocketPath(config.socket);
      renameSync(temp, config.socket);
    } catch (e) {
      try { unlinkSync(temp); } catch { /* already gone */ }
      throw e instanceof StartupError ? e : new StartupError(`cannot set up the socket ${config.socket}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    ours = inodeOf(config.socket);
    endpoints.unshift(`unix:${config.socket}`);
  } catch (e) {
    await Promise.all(servers.map(close));
    removeSocket();
    throw e;
  }
  for (const e of endpoints) log.info(`listening on ${e}`);
  return { servers, endpoints, removeSocket };
}
