// Daemon configuration: resolved once at start-up (flags > env > file >
// defaults) into one typed object that is passed down.
import { join } from 'node:path';
import { defaultStateDir, IniSyntaxError, readIniFile, type Ini, type IniFile } from './settings-files.js';

/** A closed range of VLAN ids. */
export interface VlanRange { from: number; to: number }

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
  mock: { switchDelayMs: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Upper bound for one batch of switch work (ms). */
  switchTimeoutMs: number;
  /** Upper bound for one BMC call (ms). */
  obmTimeoutMs: number;
  headnode: HeadnodeConfig;
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
  /** Headnodes a project may have (0 = no limit). */
  maxPerProject: number;
}

/** Thrown for a config that cannot be used; the daemon prints it and exits 2. */
export class ConfigError extends Error {}

/** Read the config file; refuse one that is missing, malformed, or holds secrets others can read. */
function readConfigFile(path: string): Ini {
  let file: IniFile | null;
  try { file = readIniFile(path); } catch (e) {
    throw new ConfigError(e instanceof IniSyntaxError ? e.message : `cannot read config file ${path}: ${(e as Error).message}`);
  }
  if (!file) throw new ConfigError(`cannot read config file ${path}: ENOENT`);
  if (file.exposesSecret) {
    throw new ConfigError(`refusing config file ${path}: it holds secrets and is readable by others (mode ${file.mode.toString(8)}); run: chmod 600 ${path}`);
  }
  return file.ini;
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
  if (!m || !(port > 0 && port < 65536)) throw new ConfigError(`--listen: expected HOST:PORT, got "${text}"`);
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

/** Flags given to `haas serve` (undefined = not given). */
export interface ServeFlags {
  config?: string; db?: string; socket?: string; listen?: string; auth?: string;
  tlsCert?: string; tlsKey?: string;
}

const KNOWN: Record<string, string[]> = {
  server: ['state_dir', 'db', 'socket', 'socket_group', 'listen', 'auth', 'tls_cert', 'tls_key'],
  network: ['vlan_pool'],
  maintenance: ['project', 'url'],
  drivers: ['switches', 'obms', 'switch_timeout', 'obm_timeout'],
  'driver.mock': ['switch_delay_ms'],
  log: ['level'],
  headnode: ['image_dir', 'run_dir', 'memory_mb', 'cpus', 'kvm', 'backend', 'ovs_bridge', 'ovs_db', 'trunk_nic', 'bridge_netns', 'max_per_project'],
};

/** Resolve the daemon's configuration. */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const file = flags.config ?? env.HAAS_CONFIG;
  const ini: Ini = file ? readConfigFile(file) : {};
  for (const [sec, keys] of Object.entries(ini)) {
    const known = KNOWN[sec];
    if (!known) throw new ConfigError(`${file}: unknown section [${sec}] (known: ${Object.keys(KNOWN).join(', ')})`);
    for (const k of Object.keys(keys)) if (!known.includes(k)) throw new ConfigError(`${file}: unknown key "${k}" in [${sec}] (known: ${known.join(', ')})`);
  }
  const s = ini.server ?? {};
  const stateDir = s.state_dir || defaultStateDir(env);
  const auth = flags.auth ?? env.HAAS_AUTH ?? s.auth ?? 'database';
  if (auth !== 'database' && auth !== 'null') throw new ConfigError(`auth: expected "database" or "null", got "${auth}"`);
  const listenText = flags.listen ?? env.HAAS_LISTEN ?? s.listen;
  const cert = flags.tlsCert ?? s.tls_cert; const key = flags.tlsKey ?? s.tls_key;
  if ((cert && !key) || (!cert && key)) throw new ConfigError('TLS needs both a certificate and a key (--tls-cert and --tls-key)');
  const m = ini.maintenance;
  if (m && (!m.project || !m.url)) throw new ConfigError('[maintenance] needs both "project" and "url"');
  const level = ini.log?.level ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError(`[log] level: expected debug, info, warn or error`);
  return {
    stateDir,
    db: flags.db ?? env.HAAS_DB ?? s.db ?? join(stateDir, 'haas.db'),
    socket: flags.socket ?? env.HAAS_SOCKET ?? s.socket ?? join(stateDir, 'haas.sock'),
    socketGroup: s.socket_group || null,
    listen: listenText ? parseListen(listenText) : null,
    tls: cert && key ? { cert, key } : null,
    auth,
    vlanPool: parseVlanPool(ini.network?.vlan_pool ?? '100-4000'),
    maintenance: m ? { project: m.project!, url: m.url! } : null,
    switchDrivers: list(ini.drivers?.switches),
    obmDrivers: list(ini.drivers?.obms),
    mock: { switchDelayMs: intIn(ini['driver.mock']?.switch_delay_ms, 'switch_delay_ms', 0) },
    logLevel: level as Config['logLevel'],
    switchTimeoutMs: intIn(ini.drivers?.switch_timeout, 'switch_timeout', 60) * 1000,
    obmTimeoutMs: intIn(ini.drivers?.obm_timeout, 'obm_timeout', 10) * 1000,
    headnode: headnodeConfig(ini.headnode ?? {}, stateDir),
  };
}

function headnodeConfig(h: Record<string, string>, stateDir: string): HeadnodeConfig {
  const kvm = h.kvm || 'auto';
  if (kvm !== 'auto' && kvm !== 'on' && kvm !== 'off') throw new ConfigError(`[headnode] kvm: expected auto, on or off, got "${kvm}"`);
  const backend = h.backend || 'ovs';
  if (backend !== 'ovs' && backend !== 'linux-bridge') throw new ConfigError(`[headnode] backend: expected ovs or linux-bridge, got "${backend}"`);
  if (backend === 'linux-bridge' && !h.trunk_nic) throw new ConfigError('[headnode] backend linux-bridge needs "trunk_nic"');
  const memoryMb = intIn(h.memory_mb, 'memory_mb', 128);
  if (memoryMb < 128) throw new ConfigError('[headnode] memory_mb: at least 128 (smaller q35 guests fail silently)');
  const cpus = intIn(h.cpus, 'cpus', 1);
  if (cpus < 1) throw new ConfigError('[headnode] cpus: at least 1');
  return {
    imageDir: h.image_dir || join(stateDir, 'images'),
    runDir: h.run_dir || join(stateDir, 'headnodes'),
    memoryMb, cpus, kvm, backend,
    ovsBridge: h.ovs_bridge || 'br-haas',
    ovsDb: h.ovs_db || null,
    trunkNic: h.trunk_nic || null,
    bridgeNetns: h.bridge_netns || null,
    maxPerProject: intIn(h.max_per_project, 'max_per_project', 10),
  };
}
