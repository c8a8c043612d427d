// Daemon configuration: resolved once at start-up (flags > env > file >
// defaults) into one typed object that is passed down.
import { dirname, join } from 'node:path';
import { isIP } from 'node:net';
import { parseDuration } from './durations.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './log.js';
import { defaultStateDir, IniSyntaxError, readIniFile, type Ini, type IniFile, type IniLines } from './settings-files.js';

/** A closed range of VLAN ids. */
export interface VlanRange { from: number; to: number }

/** The daemon's whole configuration, resolved once at start-up (flags > environment > file > defaults). */
export interface Config {
  stateDir: string;
  db: string;
  socket: string;
  /** Group (name or gid) to give the unix socket, if set. */
  socketGroup: string | null;
  listen: { host: string; port: number } | null;
  tls: { cert: string; key: string } | null;
  auth: 'database' | 'null';
  vlanPool: VlanRange[];
  maintenance: { project: string; url: string } | null;
  /** Enabled switch driver short names (null = all built in). */
  switchDrivers: string[] | null;
  /** Enabled in-process OBM driver short names (null = all built in). */
  obmDrivers: string[] | null;
  /** The `[driver.mock]` section: options of the mock switch driver only. */
  mock: { switchDelayMs: number };
  /** `[log] level` (`--log-level`, `HAAS_LOG_LEVEL`). */
  logLevel: LogLevel;
  /** `[log] format`: text lines, or one JSON object per line. */
  logFormat: LogFormat;
  /** `[log] access`: one line per answered request, at info. */
  accessLog: boolean;
  /** The `[metrics]` section: GET /metrics. */
  metrics: MetricsConfig;
  /** The `[timeouts]` section: how long each kind of outside call may take. */
  timeouts: TimeoutsConfig;
  /** The `[drift]` section: the periodic read-back of every switch. */
  drift: DriftConfig;
  headnode: HeadnodeConfig;
  /** The `[quotas]` section: the default limits of every project. */
  quotas: QuotasConfig;
  /** The `[limits]` section: login throttling and connections per source. */
  limits: LimitsConfig;
  /** The `[leases]` section: how long reservations last. */
  leases: LeasesConfig;
  /** The `[audit]` section: how long the audit trail keeps its entries. */
  audit: AuditConfig;
  /** The `[console]` section: the console logs kept while nobody watches. */
  console: ConsoleConfig;
  /** The `[ui]` section: the dashboard's sign-in sessions. */
  ui: UiConfig;
  /** Where the file's settings were written, for messages about them. */
  origin: ConfigOrigin;
}

/** The `[timeouts]` section, in ms: each bounds exactly one kind of call to something outside the daemon. */
export interface TimeoutsConfig {
  /** One device call to a switch: connect and log in, one command, one read or SET (`switch_call`). */
  switchCallMs: number;
  /** One batch of work on one switch (`switch_batch`; old name `[drivers] switch_timeout`). */
  switchBatchMs: number;
  /** One call to a BMC by an in-process OBM driver, e.g. one ipmitool run (`obm`; old name `[drivers] obm_timeout`). */
  obmMs: number;
  /** One request to a node's obmd: fetching or revoking a node token (`obmd`). */
  obmdMs: number;
  /** The POST that hands a detached node to the maintenance pool (`maintenance_pool`). */
  maintenancePoolMs: number;
  /** The POST that warns of a lease's end (`webhook`, `[leases] webhook`). */
  webhookMs: number;
}

/** The `[headnode]` section: where base images and VMs live, their size, and how taps reach the networks. */
export interface HeadnodeConfig {
  /** Base images (`NAME.qcow2`, `NAME.raw`, `NAME.img`, optional manifest `NAME.json`). */
  imageDir: string;
  /** One directory per headnode: overlay disk, QMP socket, serial log, pidfile. */
  runDir: string;
  memoryMb: number;
  cpus: number;
  kvm: 'auto' | 'on' | 'off';
  backend: 'ovs' | 'linux-bridge';
  /** ovs backend: the bridge that carries the trunk to the lab switch. */
  ovsBridge: string;
  /** ovs backend: ovs-vsctl's --db (default: ovs-vsctl's own). */
  ovsDb: string | null;
  /** linux-bridge backend: the NIC whose VLAN subinterfaces (`NIC.N`) feed `br-vlanN`. */
  trunkNic: string | null;
  /** Network namespace that holds the bridge (taps are moved there); null = the daemon's. */
  bridgeNetns: string | null;
}

/**
 * The `[quotas]` section: how many of each kind a project may hold unless an admin gave it its own
 * limit (null = no limit). `headnodes` was `[headnode] max_per_project`, whose 0 meant no limit.
 */
export interface QuotasConfig {
  /** Nodes reserved into the project. */
  nodes: number | null;
  /** Networks the project owns (their VLANs come from the pool). */
  networks: number | null;
  /** Headnodes of the project (default 10, as `[headnode] max_per_project` has always been). */
  headnodes: number | null;
}

/** The `[limits]` section: how failed logins are delayed and how many connections one source may hold. */
export interface LimitsConfig {
  /** Failed logins in a row, per (user, source), answered 401 before delays begin. */
  loginFailures: number;
  /** The first delay (ms); it doubles with each further failure. */
  loginDelayMs: number;
  /** The longest delay (ms). */
  loginMaxDelayMs: number;
  /** Open connections one TCP source (address) may hold; the unix socket, one source for all local callers, gets 4x. */
  connectionsPerSource: number;
  /** Console and event streams one source may hold, counted apart from other connections (unix socket: 4x). */
  streamsPerSource: number;
}

/** The `[leases]` section, in ms; null = not set. */
export interface LeasesConfig {
  /** The end given to a reservation made without one (with only a maximum: the maximum). */
  defaultMs: number | null;
  /** The longest a member may hold a node, counted from the reservation's start (admins may go beyond). */
  maximumMs: number | null;
  /** How long before its end a lease's warning goes out (with `webhook`). */
  warnBeforeMs: number | null;
  /** Where the warning is POSTed as JSON. */
  webhook: string | null;
}

/** The `[drift]` section: how often every switch is read back, and whether drift is repaired. */
export interface DriftConfig {
  /** Time between two checks of every switch (ms); 0 = no periodic check. */
  intervalMs: number;
  /** Re-apply the inventory to every drifting port (off: only ports that leak a VLAN their node's project may not use). */
  repair: boolean;
}

/** The `[metrics]` section: whether GET /metrics is served, and the bearer token that lets remote scrapers in. */
export interface MetricsConfig {
  /** Off: no /metrics route and no per-request counting. */
  enabled: boolean;
  /** A file holding the bearer token a scraper on TCP may send instead of an admin's credentials (read at start-up). */
  tokenFile: string | null;
}

/** The `[audit]` section. */
export interface AuditConfig {
  /** Entries older than this (ms) are pruned in the background; 0 = kept forever. */
  retentionMs: number;
}

/** The `[console]` section. */
export interface ConsoleConfig {
  /** One directory per node's console log (default: console-logs beside the database). */
  logDir: string;
  /** Bound of one node's log in bytes (its current file and the one rotated before it together). */
  logSizeBytes: number;
  /** Released logs (of a project that no longer holds the node) older than this (ms) are removed; 0 = kept forever. */
  logRetentionMs: number;
}

/** The `[ui]` section, in ms. */
export interface UiConfig {
  /** A session unused this long ends. */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not. */
  sessionLifetimeMs: number;
}

/** The `[ui]` defaults: a working day idle, a week at most. */
export const DEFAULT_UI = { session_idle: '8h', session_lifetime: '7d' } as const;

/** Bytes such as "1M", "512k", "4096" (k, M, G: powers of 1024); null when the text is not one. */
export function parseSize(text: string): number | null {
  const m = /^([1-9][0-9]{0,9})([kKmMgG]?)$/.exec(text.trim());
  if (!m) return null;
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(m[1]) * unit;
}

/** The audit trail's retention unless `[audit] retention` says otherwise: one year. */
export const DEFAULT_AUDIT_RETENTION = '365d';

/** A duration such as "90d", "12h", "30m" or "45s" in ms; "off" is 0 (forever). */
export function parseRetention(v: string): number {
  if (v === 'off') return 0;
  const m = /^([1-9][0-9]{0,5})([smhd])$/.exec(v);
  if (!m) throw new ConfigError(`expected a duration such as 90d, 12h, 30m or 45s, or off, got "${v}"`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Thrown for a config that cannot be used; the daemon prints it and exits 2. Messages about the file start with `file:line:`. */
export class ConfigError extends Error {}

/** Where the configuration came from: the file (if any) and the line of each of its sections and keys. */
export interface ConfigOrigin { file: string | null; lines: IniLines }

/** `file:line` of a section or key of the config file, or `[section] key` when it was not set in a file. */
export function whereIs(origin: ConfigOrigin, section: string, key?: string): string {
  const line = key === undefined ? origin.lines.sections[section] : origin.lines.keys[section]?.[key];
  if (origin.file !== null && line !== undefined) return `${origin.file}:${line}`;
  return key === undefined ? `[${section}]` : `[${section}] ${key}`;
}

/** Read the config file; refuse one that is missing, malformed, or holds secrets others can read. */
function readConfigFile(path: string): IniFile {
  let file: IniFile | null;
  try { file = readIniFile(path); } catch (e) {
    throw new ConfigError(e instanceof IniSyntaxError ? e.message : `cannot read config file ${path}: ${(e as Error).message}`);
  }
  if (!file) throw new ConfigError(`cannot read config file ${path}: ENOENT`);
  if (file.exposesSecret) {
    throw new ConfigError(`refusing config file ${path}: it holds secrets and is readable by others (mode ${file.mode.toString(8)}); run: chmod 600 ${path}`);
  }
  return file;
}

/** Parse "100-4000" or "100-200, 300, 400-410" into ranges of legal VLAN ids. */
export function parseVlanPool(text: string): VlanRange[] {
  const ranges: VlanRange[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new ConfigError(`vlan_pool: cannot parse "${part}" (expected e.g. 100-4000)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > 4094 || from > to) throw new ConfigError(`vlan_pool: "${part}" is not within 1-4094`);
    ranges.push({ from, to });
  }
  if (ranges.length === 0) throw new ConfigError('vlan_pool is empty');
  return ranges.sort((a, b) => a.from - b.from);
}

/** Parse "HOST:PORT" (IPv6 as [::1]:PORT). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new ConfigError(`listen: expected HOST:PORT, got "${text}"`);
  return { host: (m[1] ?? m[2])!, port };
}

function list(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text.split(/[\s,]+/).filter(Boolean);
}

function intIn(text: string | undefined, name: string, dflt: number): number {
  if (text === undefined || text === '') return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name}: expected a non-negative integer, got "${text}"`);
  return n;
}

function onOff(text: string | undefined, name: string, dflt: boolean): boolean {
  if (text === undefined || text === '') return dflt;
  if (text === 'true' || text === 'on') return true;
  if (text === 'false' || text === 'off') return false;
  throw new ConfigError(`${name}: expected true or false (on or off), got "${text}"`);
}

/** An address literal must be a loopback one; a name is checked by the address it binds (daemon/listeners.ts). */
function isLoopback(host: string): boolean {
  const kind = isIP(host);
  if (kind === 0) return true;
  return kind === 4 ? /^127\./.test(host) : host === '::1' || /^::ffff:127\./i.test(host);
}

/** Flags given to `haas serve` (undefined = not given). */
export interface ServeFlags {
  config?: string; db?: string; socket?: string; listen?: string; auth?: string;
  tlsCert?: string; tlsKey?: string; logLevel?: string;
}

const KNOWN: Record<string, string[]> = {
  server: ['state_dir', 'db', 'socket', 'socket_group', 'listen', 'auth', 'tls_cert', 'tls_key'],
  network: ['vlan_pool'],
  maintenance: ['project', 'url'],
  drivers: ['switches', 'obms', 'switch_timeout', 'obm_timeout'],
  'driver.mock': ['switch_delay_ms'],
  timeouts: ['switch_call', 'switch_batch', 'obm', 'obmd', 'maintenance_pool', 'webhook'],
  log: ['level', 'format', 'access'],
  metrics: ['enabled', 'token_file'],
  limits: ['login_failures', 'login_delay', 'login_max_delay', 'connections_per_source', 'streams_per_source'],
  drift: ['interval', 'repair'],
  leases: ['default', 'maximum', 'warn_before', 'webhook'],
  audit: ['retention'],
  console: ['log_dir', 'log_size', 'log_retention'],
  ui: ['session_idle', 'session_lifetime'],
  headnode: ['image_dir', 'run_dir', 'memory_mb', 'cpus', 'kvm', 'backend', 'ovs_bridge', 'ovs_db', 'trunk_nic', 'bridge_netns', 'max_per_project'],
  quotas: ['nodes', 'networks', 'headnodes'],
};

/** A value and where it was set: a flag, an environment variable, or the config file. */
interface Setting { value: string; where: string }

/**
 * Resolve the daemon's configuration. Problems are ConfigErrors that say where the value was set
 * (`file:line:`, `--flag:` or `HAAS_VAR:`); values are checked, not whether named files or groups exist.
 */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const file = flags.config ?? env.HAAS_CONFIG;
  const read = file ? readConfigFile(file) : null;
  const ini: Ini = read?.ini ?? {};
  const origin: ConfigOrigin = { file: file ?? null, lines: read?.lines ?? { sections: {}, keys: {} } };
  for (const [sec, keys] of Object.entries(ini)) {
    const known = Object.hasOwn(KNOWN, sec) ? KNOWN[sec] : undefined;
    if (!known) throw new ConfigError(`${whereIs(origin, sec)}: unknown section [${sec}] (known: ${Object.keys(KNOWN).join(', ')})`);
    for (const k of Object.keys(keys)) {
      if (!known.includes(k)) throw new ConfigError(`${whereIs(origin, sec, k)}: unknown key "${k}" in [${sec}] (known: ${known.join(', ')})`);
    }
  }
  /** The value of section/key from the flag, the environment or the file, in that order. */
  const setting = (section: string, key: string, flag?: [string, string | undefined], envName?: string): Setting | undefined => {
    if (flag && flag[1] !== undefined) return { value: flag[1], where: flag[0] };
    if (envName && env[envName] !== undefined) return { value: env[envName]!, where: envName };
    const v = ini[section]?.[key];
    return v === undefined ? undefined : { value: v, where: whereIs(origin, section, key) };
  };
  /** Run a check; its ConfigError is reported at the setting's place. */
  const at = <T>(where: string, check: () => T): T => {
    try { return check(); } catch (e) {
      if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
      throw e;
    }
  };
  const inFile = <T>(section: string, key: string, check: (v: string | undefined) => T): T =>
    at(whereIs(origin, section, key), () => check(ini[section]?.[key]));

  const s = ini.server ?? {};
  const stateDir = s.state_dir || defaultStateDir(env);
  const authSetting = setting('server', 'auth', ['--auth', flags.auth], 'HAAS_AUTH');
  const auth = authSetting?.value ?? 'database';
  if (auth !== 'database' && auth !== 'null') throw new ConfigError(`${authSetting!.where}: auth: expected "database" or "null", got "${auth}"`);
  const listenSetting = setting('server', 'listen', ['--listen', flags.listen], 'HAAS_LISTEN');
  const listen = listenSetting && listenSetting.value !== '' ? at(listenSetting.where, () => parseListen(listenSetting.value)) : null;
  if (auth === 'null' && listen && !isLoopback(listen.host)) {
    throw new ConfigError(`${authSetting!.where}: refusing auth null with listen on ${listen.host} (${listenSetting!.where}): ` +
      'without authentication everyone is admin; use auth database, or listen on a loopback address or the unix socket only');
  }
  const cert = setting('server', 'tls_cert', ['--tls-cert', flags.tlsCert]);
  const key = setting('server', 'tls_key', ['--tls-key', flags.tlsKey]);
  if (!!cert?.value !== !!key?.value) {
    throw new ConfigError(`${(cert ?? key)!.where}: TLS needs both a certificate and a key (tls_cert and tls_key, or --tls-cert and --tls-key)`);
  }
  const group = setting('server', 'socket_group');
  if (group && group.value !== '' && !/^(\d+|[A-Za-z_][A-Za-z0-9_.-]*\$?)$/.test(group.value)) {
    throw new ConfigError(`${group.where}: socket_group: "${group.value}" is not a group name or number`);
  }
  const m = ini.maintenance;
  if (m && (!m.project || !m.url)) throw new ConfigError(`${whereIs(origin, 'maintenance')}: [maintenance] needs both "project" and "url"`);
  const levelSetting = setting('log', 'level', ['--log-level', flags.logLevel], 'HAAS_LOG_LEVEL');
  const level = levelSetting?.value || 'info';
  if (!(LOG_LEVELS as string[]).includes(level)) {
    throw new ConfigError(`${levelSetting!.where}: [log] level: expected debug, info, warn or error, got "${level}"`);
  }
  const format = ini.log?.format || 'text';
  if (format !== 'text' && format !== 'json') throw new ConfigError(`${whereIs(origin, 'log', 'format')}: [log] format: expected text or json, got "${format}"`);
  const tokenFile = ini.metrics?.token_file || null;
  if (tokenFile !== null && !tokenFile.startsWith('/')) {
    throw new ConfigError(`${whereIs(origin, 'metrics', 'token_file')}: [metrics] token_file: expected an absolute path, got "${tokenFile}"`);
  }
  const db = setting('server', 'db', ['--db', flags.db], 'HAAS_DB')?.value || join(stateDir, 'haas.db');
  return {
    stateDir,
    db,
    socket: setting('server', 'socket', ['--socket', flags.socket], 'HAAS_SOCKET')?.value || join(stateDir, 'haas.sock'),
    socketGroup: group?.value || null,
    listen,
    tls: cert?.value && key?.value ? { cert: cert.value, key: key.value } : null,
    auth,
    vlanPool: inFile('network', 'vlan_pool', (v) => parseVlanPool(v ?? '100-4000')),
    maintenance: m ? { project: m.project!, url: m.url! } : null,
    switchDrivers: list(ini.drivers?.switches),
    obmDrivers: list(ini.drivers?.obms),
    mock: { switchDelayMs: inFile('driver.mock', 'switch_delay_ms', (v) => intIn(v, 'switch_delay_ms', 0)) },
    logLevel: level as LogLevel,
    logFormat: format,
    accessLog: inFile('log', 'access', (v) => onOff(v, '[log] access', true)),
    metrics: { enabled: inFile('metrics', 'enabled', (v) => onOff(v, '[metrics] enabled', true)), tokenFile },
    timeouts: timeoutsConfig(ini, origin),
    drift: {
      intervalMs: inFile('drift', 'interval', (v) => {
        if (v === 'off') return 0;
        try { return intIn(v, 'interval', 300); } catch { throw new ConfigError(`[drift] interval: expected whole seconds, or 0 or off for none, got "${v}"`); }
      }) * 1000,
      repair: inFile('drift', 'repair', (v) => onOff(v, '[drift] repair', false)),
    },
    audit: { retentionMs: inFile('audit', 'retention', (v) => parseRetention(v ?? DEFAULT_AUDIT_RETENTION)) },
    console: consoleConfig(ini.console ?? {}, db, (k) => whereIs(origin, 'console', k)),
    headnode: headnodeConfig(ini.headnode ?? {}, stateDir, (k) => whereIs(origin, 'headnode', k)),
    quotas: quotasConfig(ini, origin),
    limits: limitsConfig((key, dflt, min) => inFile('limits', key, (v) => {
      const n = intIn(v, key, dflt);
      if (n < min) throw new ConfigError(`[limits] ${key}: at least ${min}, got ${n}`);
      return n;
    })),
    leases: leasesConfig(ini.leases ?? {}, (k) => whereIs(origin, 'leases', k)),
    ui: uiConfig(ini.ui ?? {}, (k) => whereIs(origin, 'ui', k)),
    origin,
  };
}

/** The `[ui]` section: durations such as 30m, 8h, 7d; an idle timeout longer than the lifetime is refused. */
function uiConfig(u: Record<string, string>, where: (key: string) => string): UiConfig {
  const duration = (key: keyof typeof DEFAULT_UI): number => {
    const v = u[key] || DEFAULT_UI[key];
    const ms = parseDuration(v);
    if (ms === null) throw new ConfigError(`${where(key)}: [ui] ${key}: expected a duration such as 30m, 8h or 7d, got "${v}"`);
    return ms;
  };
  const sessionIdleMs = duration('session_idle');
  const sessionLifetimeMs = duration('session_lifetime');
  if (sessionIdleMs > sessionLifetimeMs) {
    throw new ConfigError(`${where('session_idle')}: [ui] session_idle (${u.session_idle || DEFAULT_UI.session_idle}) is longer than session_lifetime (${u.session_lifetime || DEFAULT_UI.session_lifetime})`);
  }
  return { sessionIdleMs, sessionLifetimeMs };
}

/** The `[leases]` section: durations such as 4h, 90m, 7d; a default longer than the maximum is refused. */
function leasesConfig(l: Record<string, string>, where: (key: string) => string): LeasesConfig {
  const duration = (key: string): number | null => {
    const v = l[key];
    if (v === undefined || v === '') return null;
    const ms = parseDuration(v);
    if (ms === null) throw new ConfigError(`${where(key)}: [leases] ${key}: expected a duration such as 90m, 4h or 7d, got "${v}"`);
    return ms;
  };
  const maximumMs = duration('maximum');
  const defaultMs = duration('default');
  if (defaultMs !== null && maximumMs !== null && defaultMs > maximumMs) {
    throw new ConfigError(`${where('default')}: [leases] default (${l.default}) is longer than maximum (${l.maximum})`);
  }
  const webhook = l.webhook || null;
  if (webhook !== null && !/^https?:\/\/[^\s]+$/.test(webhook)) {
    throw new ConfigError(`${where('webhook')}: [leases] webhook: expected an http:// or https:// URL`);
  }
  const warnBeforeMs = duration('warn_before');
  if ((warnBeforeMs === null) !== (webhook === null)) {
    throw new ConfigError(`${where(warnBeforeMs === null ? 'webhook' : 'warn_before')}: [leases] warn_before and webhook go together (the warning is POSTed to the webhook)`);
  }
  return { defaultMs: defaultMs ?? maximumMs, maximumMs, warnBeforeMs, webhook };
}

/**
 * The `[console]` section. The logs live beside the database by default (the state dir unless
 * `db` moves it), so that two daemons on two databases never share a node's log.
 */
function consoleConfig(c: Record<string, string>, db: string, where: (key: string) => string): ConsoleConfig {
  const problem = (key: string, text: string) => new ConfigError(`${where(key)}: [console] ${key}: ${text}`);
  const size = c.log_size === undefined ? 1024 * 1024 : parseSize(c.log_size);
  if (size === null) throw problem('log_size', `expected a size such as 1M, 512k or 65536, got "${c.log_size}"`);
  if (size < 4096) throw problem('log_size', `at least 4k, got "${c.log_size}"`);
  let retentionMs: number;
  try { retentionMs = parseRetention(c.log_retention ?? '30d'); } catch (e) {
    throw problem('log_retention', e instanceof Error ? e.message : String(e));
  }
  return { logDir: c.log_dir || join(dirname(db), 'console-logs'), logSizeBytes: size, logRetentionMs: retentionMs };
}

function limitsConfig(int: (key: string, dflt: number, min: number) => number): LimitsConfig {
  const loginDelayMs = int('login_delay', 1, 1) * 1000;
  return {
    loginFailures: int('login_failures', 5, 1),
    loginDelayMs,
    loginMaxDelayMs: Math.max(loginDelayMs, int('login_max_delay', 300, 1) * 1000),
    connectionsPerSource: int('connections_per_source', 64, 1),
    streamsPerSource: int('streams_per_source', 16, 1),
  };
}

/** The `[timeouts]` section (whole seconds, at least 1), read with the old `[drivers]` names of two of its keys. */
function timeoutsConfig(ini: Ini, origin: ConfigOrigin): TimeoutsConfig {
  const seconds = (section: string, key: string, dflt: number) => reportedAt(whereIs(origin, section, key), () => {
    const n = intIn(ini[section]?.[key], key, dflt);
    if (n < 1) throw new ConfigError(`${key}: at least 1 (seconds)`);
    return n;
  });
  /** `[timeouts] key`, or its old name `[drivers] oldKey`; both set is refused. */
  const renamed = (key: string, oldKey: string, dflt: number) => {
    const given = ini.timeouts?.[key] !== undefined;
    if (given && ini.drivers?.[oldKey] !== undefined) {
      throw new ConfigError(`${whereIs(origin, 'drivers', oldKey)}: [drivers] ${oldKey} is the old name of [timeouts] ${key} (${whereIs(origin, 'timeouts', key)}): give only ${key}`);
    }
    return given ? seconds('timeouts', key, dflt) : seconds('drivers', oldKey, dflt);
  };
  const batch = renamed('switch_batch', 'switch_timeout', 60);
  // Before switch_call existed, switch_timeout bounded each call too: a smaller one still does.
  const call = seconds('timeouts', 'switch_call', Math.min(10, batch));
  if (call > batch) {
    throw new ConfigError(`${whereIs(origin, 'timeouts', 'switch_call')}: [timeouts] switch_call (${call} s) must not exceed switch_batch (${batch} s): one batch makes several calls`);
  }
  return {
    switchCallMs: call * 1000,
    switchBatchMs: batch * 1000,
    obmMs: renamed('obm', 'obm_timeout', 10) * 1000,
    obmdMs: seconds('timeouts', 'obmd', 10) * 1000,
    maintenancePoolMs: seconds('timeouts', 'maintenance_pool', 10) * 1000,
    webhookMs: seconds('timeouts', 'webhook', 10) * 1000,
  };
}

/** Run a check; its ConfigError is reported at `where`. */
function reportedAt<T>(where: string, check: () => T): T {
  try { return check(); } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${where}: ${e.message}`);
    throw e;
  }
}

function headnodeConfig(h: Record<string, string>, stateDir: string, where: (key: string) => string): HeadnodeConfig {
  const problem = (key: string, text: string) => new ConfigError(`${where(key)}: [headnode] ${key}: ${text}`);
  const int = (key: string, dflt: number) => {
    try { return intIn(h[key], key, dflt); } catch { throw problem(key, `expected a non-negative integer, got "${h[key]}"`); }
  };
  const kvm = h.kvm || 'auto';
  if (kvm !== 'auto' && kvm !== 'on' && kvm !== 'off') throw problem('kvm', `expected auto, on or off, got "${kvm}"`);
  const backend = h.backend || 'ovs';
  if (backend !== 'ovs' && backend !== 'linux-bridge') throw problem('backend', `expected ovs or linux-bridge, got "${backend}"`);
  if (backend === 'linux-bridge' && !h.trunk_nic) throw problem('backend', 'linux-bridge needs "trunk_nic"');
  const memoryMb = int('memory_mb', 128);
  if (memoryMb < 128) throw problem('memory_mb', 'at least 128 (smaller q35 guests fail silently)');
  const cpus = int('cpus', 1);
  if (cpus < 1) throw problem('cpus', 'at least 1');
  return {
    imageDir: h.image_dir || join(stateDir, 'images'),
    runDir: h.run_dir || join(stateDir, 'headnodes'),
    memoryMb, cpus, kvm, backend,
    ovsBridge: h.ovs_bridge || 'br-haas',
    ovsDb: h.ovs_db || null,
    trunkNic: h.trunk_nic || null,
    bridgeNetns: h.bridge_netns || null,
  };
}

/** A `[quotas]` value: a non-negative integer, or `unlimited` (null); unset or empty = `dflt`. */
function quotaValue(text: string | undefined, key: string, dflt: number | null): number | null {
  if (text === undefined || text === '') return dflt;
  if (text === 'unlimited') return null;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new ConfigError(`[quotas] ${key}: expected a non-negative integer or "unlimited", got "${text}"`);
  return n;
}

/** The `[quotas]` section, with `[headnode] max_per_project` read as the old name of `headnodes` (both set is refused). */
function quotasConfig(ini: Ini, origin: ConfigOrigin): QuotasConfig {
  const quota = (key: string, dflt: number | null) => reportedAt(whereIs(origin, 'quotas', key), () => quotaValue(ini.quotas?.[key], key, dflt));
  const old = ini.headnode?.max_per_project;
  if (old !== undefined && ini.quotas?.headnodes !== undefined) {
    throw new ConfigError(`${whereIs(origin, 'headnode', 'max_per_project')}: [headnode] max_per_project is the old name of [quotas] headnodes (${whereIs(origin, 'quotas', 'headnodes')}): give only headnodes`);
  }
  const headnodes = old === undefined ? quota('headnodes', 10) : reportedAt(whereIs(origin, 'headnode', 'max_per_project'), () => {
    let n: number;
    try { n = intIn(old, 'max_per_project', 10); } catch { throw new ConfigError(`[headnode] max_per_project: expected a non-negative integer, got "${old}"`); }
    return n === 0 ? null : n;
  });
  return { nodes: quota('nodes', null), networks: quota('networks', null), headnodes };
}
