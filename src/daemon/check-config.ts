// `haas serve --check-config`: the configuration the daemon would run with, as an INI text that is
// itself a valid config file, with secrets masked. Values are checked (syntax, ranges, driver
// names, combinations); files and groups named in it are not looked up: that is start-up's job.
import type { Config } from '../config.js';
import { enabledDrivers } from './drivers.js';
import { formatDuration } from '../durations.js';

const SECRET_KEY = /(password|token|secret)/i;
const MASK = '********';

/** A value fit to print: secrets (by key name, or credentials in a URL) masked. */
function masked(key: string, value: string): string {
  if (value !== '' && SECRET_KEY.test(key)) return MASK;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^/@\s]*@/i, `$1:${MASK}@`);
}

/** A value as an INI line's right-hand side: quoted when it would otherwise read differently. */
function iniValue(value: string): string {
  return /(^\s|\s$|\s[;#]|^[;#"'])/.test(value) ? `"${value}"` : value;
}

/** A quota as the config writes it. */
function quotaText(limit: number | null): string {
  return limit === null ? 'unlimited' : String(limit);
}

/** A duration as the config writes it (null: not set). */
function duration(ms: number | null): string | null {
  return ms === null ? null : formatDuration(ms);
}

/** The effective configuration as INI sections (every setting the daemon uses, defaults included). */
function effectiveSections(config: Config): Record<string, Record<string, string | null>> {
  const { switchDrivers, obmDrivers } = enabledDrivers(config); // also checks the driver names
  const h = config.headnode;
  const t = config.timeouts;
  const q = config.quotas;
  return {
    server: {
      state_dir: config.stateDir, db: config.db, socket: config.socket, socket_group: config.socketGroup,
      listen: config.listen ? (config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host) + `:${config.listen.port}` : null,
      auth: config.auth, tls_cert: config.tls?.cert ?? null, tls_key: config.tls?.key ?? null,
    },
    network: { vlan_pool: config.vlanPool.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(', ') },
    maintenance: config.maintenance ? { project: config.maintenance.project, url: config.maintenance.url } : {},
    drivers: {
      switches: Object.keys(switchDrivers).join(', '), obms: Object.keys(obmDrivers).join(', '),
    },
    timeouts: {
      switch_call: String(t.switchCallMs / 1000), switch_batch: String(t.switchBatchMs / 1000), obm: String(t.obmMs / 1000),
      obmd: String(t.obmdMs / 1000), maintenance_pool: String(t.maintenancePoolMs / 1000), webhook: String(t.webhookMs / 1000),
    },
    'driver.mock': { switch_delay_ms: String(config.mock.switchDelayMs) },
    drift: { interval: String(config.drift.intervalMs / 1000), repair: String(config.drift.repair) },
    leases: {
      default: duration(config.leases.defaultMs), maximum: duration(config.leases.maximumMs),
      warn_before: duration(config.leases.warnBeforeMs), webhook: config.leases.webhook,
    },
    limits: {
      login_failures: String(config.limits.loginFailures), login_delay: String(config.limits.loginDelayMs / 1000),
      login_max_delay: String(config.limits.loginMaxDelayMs / 1000),
      connections_per_source: String(config.limits.connectionsPerSource), streams_per_source: String(config.limits.streamsPerSource),
    },
    audit: { retention: config.audit.retentionMs === 0 ? 'off' : retentionText(config.audit.retentionMs) },
    console: {
      log_dir: config.console.logDir, log_size: String(config.console.logSizeBytes),
      log_retention: config.console.logRetentionMs === 0 ? 'off' : retentionText(config.console.logRetentionMs),
    },
    ui: { session_idle: duration(config.ui.sessionIdleMs), session_lifetime: duration(config.ui.sessionLifetimeMs) },
    headnode: {
      image_dir: h.imageDir, run_dir: h.runDir, memory_mb: String(h.memoryMb), cpus: String(h.cpus), kvm: h.kvm,
      backend: h.backend, ovs_bridge: h.ovsBridge, ovs_db: h.ovsDb, trunk_nic: h.trunkNic, bridge_netns: h.bridgeNetns,
    },
    // [headnode] max_per_project is shown under its new name, [quotas] headnodes.
    quotas: { nodes: quotaText(q.nodes), networks: quotaText(q.networks), headnodes: quotaText(q.headnodes) },
    log: { level: config.logLevel, format: config.logFormat, access: config.accessLog ? 'on' : 'off' },
    metrics: { enabled: config.metrics.enabled ? 'on' : 'off', token_file: config.metrics.tokenFile },
  };
}

/** The text `--check-config` prints: a header naming the sources, then the effective settings (unset ones commented out). */
export function effectiveConfigText(config: Config): string {
  const lines = [`; haas serve: effective configuration (flags > HAAS_* environment > ${config.origin.file ?? 'no config file'} > defaults)`];
  for (const [section, keys] of Object.entries(effectiveSections(config))) {
    if (Object.keys(keys).length === 0) { lines.push('', `; [${section}] (not set)`); continue; }
    lines.push('', `[${section}]`);
    for (const [key, value] of Object.entries(keys)) {
      lines.push(value === null ? `; ${key} = (not set)` : `${key} = ${iniValue(masked(key, value))}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** A retention in ms as the config writes it: the largest unit that divides it. */
function retentionText(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3600_000], ['m', 60_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}
