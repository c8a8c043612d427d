// What `haas serve` checks on this host before it binds anything: the database's lock (one daemon
// per database), writable directories, the socket's group, and a usable TLS certificate and key.
// Each failure is a StartupError naming what is wrong; the daemon then exits non-zero having
// served nothing, so a service manager sees the failure and restarts or reports it.
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { whereIs, type Config } from '../config.js';
import { lockDatabase, type DatabaseLock } from './lock.js';

/** A start-up failure caused by this host (files, directories, groups, ports, another daemon): exit 1. */
export class StartupError extends Error {}

/** What the preflight found: the socket's group id and the TLS material, read once. */
export interface HostChecks {
  socketGid: number | null;
  tls: { cert: Buffer; key: Buffer } | null;
}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** Create `dir` if needed and check that this process can write in it. */
function writableDir(dir: string, what: string, mode: number): void {
  try { mkdirSync(dir, { recursive: true, mode }); } catch (e) {
    throw new StartupError(`cannot create the ${what} ${dir}: ${errno(e)}`);
  }
  try { accessSync(dir, constants.W_OK | constants.X_OK); } catch (e) {
    throw new StartupError(`the ${what} ${dir} is not writable: ${errno(e)}`);
  }
}

/**
 * Take the database's lock, first of all: a second daemon on the same database stops here, before it
 * touches the database or any socket. The database's directory is created (0700) if needed.
 */
export function claimDatabase(db: string): DatabaseLock | null {
  if (db === ':memory:') return null;
  writableDir(dirname(db), 'database directory', 0o700);
  try { return lockDatabase(db); } catch (e) {
    throw new StartupError(e instanceof Error ? e.message : String(e));
  }
}

/** Whether a daemon answers on the unix socket at `path` (a refused connection means a stale socket). */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((res, rej) => {
    const c = connect(path);
    c.once('connect', () => { c.destroy(); res(true); });
    c.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT') res(false);
      else rej(new StartupError(`cannot check the existing socket ${path}: ${e.code ?? e.message}`));
    });
  });
}

/** Refuse a socket path that holds something other than a stale socket (nothing there is fine). */
export async function checkSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try { isSocket = lstatSync(path).isSocket(); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!isSocket) throw new StartupError(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketIsLive(path)) {
    throw new StartupError(`another daemon is serving on ${path}; refusing to take its socket (stop it, or use another --socket)`);
  }
}

/** The gid of a group given by name or number; `where` says where the setting was written. */
function groupId(group: string, where: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[2]);
  } catch {
    throw new StartupError(`${where}: socket_group: there is no group "${group}" on this host`);
  }
}

function readPem(path: string, what: string): Buffer {
  try { return readFileSync(path); } catch (e) {
    throw new StartupError(`cannot read the TLS ${what} ${path}: ${errno(e)}`);
  }
}

/** Read the certificate and key, and check that they are PEM and belong together. */
function loadTls(tls: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const cert = readPem(tls.cert, 'certificate');
  const key = readPem(tls.key, 'key');
  try { createSecureContext({ cert, key }); } catch (e) {
    throw new StartupError(`the TLS certificate ${tls.cert} and key ${tls.key} cannot be used together: ${(e as Error).message}`);
  }
  return { cert, key };
}

/** Check everything about this host that serving needs, before the database is opened or anything is bound. */
export async function preflight(config: Config): Promise<HostChecks> {
  writableDir(dirname(config.socket), 'socket directory', 0o750);
  await checkSocketPath(config.socket);
  if (existsSync(config.stateDir)) writableDir(config.stateDir, 'state directory', 0o700);
  return {
    socketGid: config.socketGroup ? groupId(config.socketGroup, whereIs(config.origin, 'server', 'socket_group')) : null,
    tls: config.tls ? loadTls(config.tls) : null,
  };
}
