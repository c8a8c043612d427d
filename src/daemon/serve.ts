// `haas serve`: open the inventory, start the worker, serve the API on the
// unix socket (0660) and optionally TCP (with TLS), and shut down cleanly
// on SIGTERM/SIGINT: stop accepting, finish requests and switch work, close.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createAdaptorServer } from '@hono/node-server';
import { ConfigError, type Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { openInventory } from '../db/inventory.js';
import { builtInSwitchDrivers } from '../drivers/switch/registry.js';
import { builtInObmDrivers } from '../drivers/obm/registry.js';
import type { SwitchDriver } from '../drivers/switch/types.js';
import type { ObmDriver } from '../drivers/obm/types.js';
import type { Core } from '../core/context.js';
import { DatabaseAuthenticator } from '../core/authn.js';
import { finishAction, pendingActions } from '../core/actions.js';
import { ActionWorker } from '../jobs/worker.js';
import { createApp } from '../server/app.js';
import { interactiveConsoles } from '../server/upgrade.js';
import { createConsoleHub } from './console-hub.js';
import { QemuHeadnodeManager } from '../headnode/manager.js';
import { adoptHeadnodes, headnodeExited } from '../core/headnodes.js';

function pick<T>(all: Record<string, T>, names: string[] | null, kind: string): Record<string, T> {
  if (names === null) return all;
  const out: Record<string, T> = {};
  for (const n of names) {
    const d = all[n];
    if (!d) throw new ConfigError(`[drivers] ${kind}: unknown driver "${n}" (built in: ${Object.keys(all).join(', ') || 'none'})`);
    out[n] = d;
  }
  return out;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function prepareSocketPath(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  if (existsSync(path)) {
    if (!lstatSync(path).isSocket()) throw new ConfigError(`${path} exists and is not a socket; refusing to replace it`);
    unlinkSync(path);
  }
}

function listen(server: Server, target: string | { host: string; port: number }): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', rej);
    const done = () => { server.off('error', rej); res(); };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

/** Run the daemon until a signal; resolves with the exit code. */
export async function serve(config: Config): Promise<number> {
  // Keep V8's young generation at its initial size instead of letting it grow
  // to 2 x 16 MiB under load: the daemon's answers are short-lived garbage, so
  // scavenges stay cheap, and its memory stays small (the single executable
  // cannot be given --max-semi-space-size, which only works on a command line).
  setFlagsFromString('--semi-space-growth-factor=1');
  const log = createLogger(config.logLevel);
  if (config.auth === 'null' && config.listen && !isLoopback(config.listen.host)) {
    throw new ConfigError(`refusing --auth null on ${config.listen.host}: without authentication everyone is admin; ` +
      'use --auth database, or listen on a loopback address or the unix socket only');
  }
  if (config.auth === 'null') log.warn('auth backend "null": every caller is admin (development only)');

  const inv = openInventory(config.db);
  const switchDrivers: Record<string, SwitchDriver> = pick(builtInSwitchDrivers({ mock: config.mock, callTimeoutMs: config.switchTimeoutMs }), config.switchDrivers, 'switches');
  const obmDrivers: Record<string, ObmDriver> = pick(builtInObmDrivers({ timeoutMs: config.obmTimeoutMs }), config.obmDrivers, 'obms');
  const authn = config.auth === 'database' ? new DatabaseAuthenticator(inv) : null;
  const consoles = createConsoleHub();
  let worker: ActionWorker | null = null;
  const headnodes = new QemuHeadnodeManager(config.headnode, log, (uuid, kind) => headnodeExited(core, uuid, kind));
  const core: Core = {
    inv, config, log, switchDrivers, obmDrivers, consoles, headnodes,
    actionsQueued: () => worker?.kick(),
    usersChanged: () => authn?.invalidate(),
    withSwitchSession: (sw, what, use) => worker!.withSwitch(sw, what, use),
  };
  worker = new ActionWorker({ pending: () => pendingActions(core), finish: (a, e) => finishAction(core, a, e) },
    switchDrivers, log, config.switchTimeoutMs);

  // QEMUs outlive the daemon: take back those a previous run left (before serving, so no start duplicates one).
  await adoptHeadnodes(core);

  const app = createApp(core, authn);
  const servers: Server[] = [];
  const unix = createAdaptorServer({ fetch: app.fetch }) as Server;
  prepareSocketPath(config.socket);
  await listen(unix, config.socket);
  chmodSync(config.socket, 0o660);
  if (config.socketGroup) chownSync(config.socket, process.getuid?.() ?? 0, groupId(config.socketGroup));
  servers.push(unix);
  log.info(`listening on unix:${config.socket}`);
  if (config.listen) {
    const tcp = (config.tls
      ? createAdaptorServer({ fetch: app.fetch, createServer: createHttpsServer,
        serverOptions: { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } })
      : createAdaptorServer({ fetch: app.fetch })) as Server;
    await listen(tcp, config.listen);
    servers.push(tcp);
    log.info(`listening on ${config.tls ? 'https' : 'http'}://${config.listen.host}:${config.listen.port}`);
  }
  const upgrade = interactiveConsoles(core, authn);
  for (const s of servers) { s.keepAliveTimeout = 5000; s.headersTimeout = 30_000; s.on('upgrade', upgrade); }

  // Actions left PENDING by a crash are applied again (drivers are idempotent).
  worker.kick();
  log.info(`haas ready (db ${config.db}, auth ${config.auth}, switch drivers: ${Object.keys(switchDrivers).join(', ')})`);

  const signal = await new Promise<string>((res) => {
    process.once('SIGTERM', () => res('SIGTERM'));
    process.once('SIGINT', () => res('SIGINT'));
  });
  log.info(`${signal}: shutting down`);
  await shutdown(servers, worker, consoles, log, config.switchTimeoutMs);
  headnodes.detachAll();
  inv.close();
  if (existsSync(config.socket)) unlinkSync(config.socket);
  log.info('stopped');
  return 0;
}

async function shutdown(servers: Server[], worker: ActionWorker, consoles: { endAll(): void }, log: Logger, ms: number): Promise<void> {
  consoles.endAll();
  const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  for (const s of servers) s.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((r) => { timer = setTimeout(r, 10_000); })]);
  clearTimeout(timer);
  for (const s of servers) s.closeAllConnections();
  await worker.drain(ms);
  log.debug('worker drained');
}

function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  } catch {
    throw new ConfigError(`socket_group: unknown group "${group}"`);
  }
}
