// Daemon configuration: resolved once at start-up (flags > env > file >
// defaults) into one typed object that is passed down.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
}

/** Thrown for a config that cannot be used; the daemon prints it and exits 2. */
export class ConfigError extends Error {}

/** Where state lives by default: /var/lib/haas as root, else $XDG_STATE_HOME/haas. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.getuid?.() === 0) return '/var/lib/haas';
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'haas');
}

export type Ini = Record<string, Record<string, string>>;

/** Parse an INI text: `[section]`, `key = value`, `#`/`;` comment lines. */
export function parseIni(text: string, origin: string): Ini {
  const out: Ini = {};
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) { section = sec[1]!.trim(); out[section] ??= {}; return; }
    const eq = line.indexOf('=');
    if (eq <= 0 || section === '') throw new ConfigError(`${origin}:${i + 1}: expected "[section]" or "key = value", got: ${line}`);
    out[section]![line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}

const SECRET_KEY = /(password|token|secret)/i;

/** Whether an INI holds a secret: a key named like a password/token/secret, or a URL with credentials. */
export function iniHoldsSecret(ini: Ini): boolean {
  for (const sec of Object.values(ini)) {
    for (const [k, v] of Object.entries(sec)) {
      if (v !== '' && SECRET_KEY.test(k)) return true;
      if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(v)) return true;
    }
  }
  return false;
}

/** Read an INI file; refuse one that holds secrets and is readable by group or others. */
export function readIniFile(path: string): Ini {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const ini = parseIni(text, path);
  const mode = statSync(path).mode & 0o777;
  if (iniHoldsSecret(ini) && (mode & 0o077) !== 0) {
    throw new ConfigError(`refusing config file ${path}: it holds secrets and is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  }
  return ini;
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
  drivers: ['switches', 'obms', 'switch_timeout'],
  'driver.mock': ['switch_delay_ms'],
  log: ['level'],
};

/** Resolve the daemon's configuration. */
export function resolveConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const file = flags.config ?? env.HAAS_CONFIG;
  const ini: Ini = file ? readIniFile(file) : {};
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
  };
}
