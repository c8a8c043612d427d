// `haas serve`: take the database's lock, check the host, open the inventory, start the worker,
// bind every listener (TCP with optional TLS, and the unix socket, mode 0660), say "ready", and
// shut down cleanly on SIGTERM/SIGINT: stop accepting, finish requests and switch work, close.
// Any start-up failure happens before anything is served and leaves no socket behind.
import { setFlagsFromString } from 'node:v8';
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import { createLogger, type DaemonLogger, type Logger } from '../log.js';
import { openInventory } from '../db/inventory.js';
import type { Core } from '../core/context.js';
import { createCore } from '../core/create.js';
import { obmdClient } from '../outside/obmd.js';
import { maintenancePoolClient } from '../outside/maintenance-pool.js';
import { leaseWebhookClient } from '../outside/webhook.js';
import { DatabaseAuthenticator } from '../core/authn.js';
import { Sessions } from '../core/sessions.js';
import { finishAction, pendingActions } from '../core/actions.js';
import { ActionWorker } from '../jobs/worker.js';
import { connectStoredSwitch } from '../drivers/switch/registry.js';
import { recordFirstHostKey, recordRefusedHostKey } from '../core/host-keys.js';
import { createApp } from '../server/app.js';
import { interactiveConsoles } from '../server/upgrade.js';
import { withConsoleWebSockets } from '../server/console-ws.js';
import { createConsoleHub } from './console-hub.js';
import { nodeOfConsoleKey } from '../core/consoles.js';
import { QemuHeadnodeManager } from '../headnode/manager.js';
import { adoptHeadnodes, headnodeExited } from '../core/headnodes.js';
import { claimDatabase, preflight, type HostChecks } from './preflight.js';
import { enabledDrivers } from './drivers.js';
import { bindListeners } from './listeners.js';
import { verifyAfterRestore } from './restore-check.js';
import { DriftMonitor } from '../jobs/drift.js';
import { LeaseReleaser } from '../jobs/leases.js';
import { AuditRetention } from '../jobs/audit-retention.js';
import { failedLoginsOf, pruneAuditBatch } from '../core/audit.js';
import { DaemonMetrics } from '../server/metrics.js';
import { measuredObmDrivers, measuredSwitchSession, readMetricsToken } from './metrics.js';
import { dirname, join } from 'node:path';
import { nodeAndProject } from '../db/store/nodes.js';
import { ConsoleLogBook } from './console-log.js';
import { ConsoleKeeper } from './console-keeper.js';
import { endLeftoverChildren, fileChildRecorder } from './console-children.js';

/** What the caller learns while the daemon runs. */
export interface ServeHooks {
  /** Called once, when every listener is bound, with the endpoints served. */
  ready?(endpoints: string[]): void;
}

/** SIGTERM/SIGINT, listened for from the very start so that a signal during start-up ends the daemon once it is up. */
function stopSignal(): { received: Promise<string>; stopping(): boolean } {
  let got: string | null = null;
  const received = new Promise<string>((res) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => { got ??= sig; res(sig); });
  });
  return { received, stopping: () => got !== null };
}

/** Run the daemon until a signal; resolves with the exit code. Start-up failures throw (nothing is left serving). */
export async function serve(config: Config, hooks: ServeHooks = {}): Promise<number> {
  // Keep V8's young generation at its initial size instead of letting it grow
  // to 2 x 16 MiB under load: the daemon's answers are short-lived garbage, so
  // scavenges stay cheap, and its memory stays small (the single executable
  // cannot be given --max-semi-space-size, which only works on a command line).
  setFlagsFromString('--semi-space-growth-factor=1');
  const log = createLogger(config.logLevel, config.logFormat);
  const stop = stopSignal();
  const lock = claimDatabase(config.db);
  try {
    const host = await preflight(config);
    // Console processes a daemon killed with -9 left running are ended before any console opens.
    const children = join(dirname(config.db), 'console-children.json');
    endLeftoverChildren(children, log);
    const { switchDrivers, obmDrivers } = enabledDrivers(config, fileChildRecorder(children, log));
    const metricsToken = config.metrics.enabled && config.metrics.tokenFile !== null ? readMetricsToken(config.metrics.tokenFile) : null;
    if (config.auth === 'null') log.warn('auth backend "null": every caller is admin (development only)');
    // Group commit: the app awaits inv.durable() before it answers.
    const inv = openInventory(config.db, { groupCommit: true });
    try {
      await run({ config, hooks, log, stop, inv, host, switchDrivers, obmDrivers, metricsToken });
    } finally {
      inv.close();
    }
  } finally {
    lock?.release();
  }
  log.info('stopped');
  return 0;
}

/** What start-up has checked and opened by the time the daemon is assembled. */
interface Prepared {
  config: Config; hooks: ServeHooks; log: DaemonLogger; stop: ReturnType<typeof stopSignal>;
  inv: Core['inv']; host: HostChecks; switchDrivers: Core['switchDrivers']; obmDrivers: Core['obmDrivers'];
  /** `[metrics] token_file`'s token, or null. */
  metricsToken: Buffer | null;
}

/** Assemble the daemon, bind its listeners, serve until a signal, and shut down (the socket goes with it). */
async function run({ config, hooks, log, stop, inv, host, switchDrivers, obmDrivers, metricsToken }: Prepared): Promise<void> {
  const metrics = config.metrics.enabled ? new DaemonMetrics() : null;
  const authn = config.auth === 'database' ? new DatabaseAuthenticator(inv, config.limits, log) : null;
  const sessions = authn && new Sessions(inv, config.ui);
  const consoles = createConsoleHub();
  const consoleLogs = new ConsoleLogBook(config.console, (node) => {
    const n = nodeAndProject(inv, node);
    return n && { id: n.project_id, name: n.project };
  });
  let logWriteFailed = false;
  consoles.onOutput((key, chunk) => {
    // Headnodes log on their own (QEMU writes serial.log); only node consoles go to the log book.
    const node = nodeOfConsoleKey(key);
    if (node === null) return;
    try { consoleLogs.append(node, chunk); logWriteFailed = false; } catch (e) {
      if (!logWriteFailed) log.error(`console log of ${node}: ${e instanceof Error ? e.message : String(e)}`);
      logWriteFailed = true;
    }
  });
  // A result that cannot be recorded (the database unwritable) leaves its action PENDING, to be
  // applied again; while shutting down, such actions are left to the next start instead of
  // being retried until switch_batch.
  let unrecorded = false;
  // The lease releaser is built on core, after the worker: it learns of finished actions through this.
  let actionFinished = () => {};
  const worker = new ActionWorker({
    pending: () => (unrecorded && stop.stopping() ? [] : pendingActions({ inv })),
    finish: (a, e) => {
      try { finishAction({ inv }, a, e); unrecorded = false; } catch (err) { unrecorded = true; throw err; }
      metrics?.actionFinished(e === null ? 'DONE' : 'ERROR');
      actionFinished();
    },
    hostKeySeen: (switchId, fp) => recordFirstHostKey({ inv, log }, switchId, fp),
    hostKeyRefused: (switchId, fp) => recordRefusedHostKey({ inv, log }, switchId, fp),
  }, (sw, hostKey) => {
    const session = connectStoredSwitch(switchDrivers, sw, hostKey);
    return metrics ? measuredSwitchSession(session, sw.label, metrics) : session;
  }, log, config.timeouts.switchBatchMs);
  const headnodes = new QemuHeadnodeManager(config.headnode, log, (uuid, kind) => headnodeExited({ inv, log }, uuid, kind));
  const { core, onNodeChangedProject, onLeasesChanged } = createCore({
    inv, config, log, switchDrivers, obmDrivers: metrics ? measuredObmDrivers(obmDrivers, metrics) : obmDrivers, consoles, consoleLogs, headnodes,
    obmd: obmdClient({ timeoutMs: config.timeouts.obmdMs }),
    maintenancePool: config.maintenance && maintenancePoolClient({ url: config.maintenance.url, timeoutMs: config.timeouts.maintenancePoolMs }),
    leaseWebhook: config.leases.webhook === null ? null : leaseWebhookClient({ url: config.leases.webhook, timeoutMs: config.timeouts.webhookMs }),
    switchLanes: worker,
    credentials: authn,
  });
  const drift = new DriftMonitor(core, config.drift);
  onNodeChangedProject((nodeId) => drift.checkNode(nodeId));
  const keeper = new ConsoleKeeper({ inv, hub: consoles, book: consoleLogs, obmDrivers, log });
  // The log of the project a node leaves is released before the next byte of the next one is written.
  onNodeChangedProject(() => keeper.reconcile());
  const leases = new LeaseReleaser(core);
  onLeasesChanged(() => leases.kick());
  actionFinished = () => leases.actionFinished();
  const { retentionMs } = config.audit;
  const retention = new AuditRetention(retentionMs === 0 ? null : (batch) => pruneAuditBatch(inv, retentionMs, batch), log);
  try {
    // QEMUs outlive the daemon: take back those a previous run left (before serving, so no start duplicates one).
    await adoptHeadnodes(core);
    metrics?.watchInventory(core);
    metrics?.watchLog(log);
    const app = createApp(core, authn, { metrics, metricsToken, access: config.accessLog ? log.access : null }, sessions);
    const listeners = await bindListeners(app.fetch, config, host, log);
    try {
      const upgrade = withConsoleWebSockets(interactiveConsoles(core, authn), core, sessions);
      for (const s of listeners.servers) { s.keepAliveTimeout = 5000; s.headersTimeout = 30_000; s.on('upgrade', upgrade); }
      // Actions left PENDING by a crash are applied again (drivers are idempotent).
      worker.kick();
      drift.start();
      leases.start();
      retention.start();
      keeper.start();
      log.info(`haas ready (db ${config.db}, auth ${config.auth}, switch drivers: ${Object.keys(switchDrivers).join(', ')})`);
      hooks.ready?.(listeners.endpoints);
      const restoreChecked = verifyAfterRestore(core, config.db, stop.stopping)
        .catch((e: unknown) => log.error(`restore check failed: ${e instanceof Error ? e.message : String(e)}`));
      const signal = await stop.received;
      const driftStopped = drift.stop();
      const leasesStopped = leases.stop();
      log.info(`${signal}: shutting down`);
      keeper.stop();
      await shutdown(listeners.servers, worker, consoles, log, config.timeouts.switchBatchMs);
      await driftStopped;
      await leasesStopped;
      await retention.stop();
      await restoreChecked;
      consoleLogs.closeAll();
      failedLoginsOf(inv, log).flush();
    } finally {
      listeners.removeSocket();
    }
  } finally {
    headnodes.detachAll();
  }
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
