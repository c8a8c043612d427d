// Where the CLI connects and as whom: flags > environment (HAAS_*, then HIL_*) > client config file > defaults.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Credentials } from '../client/transport.js';
import { defaultStateDir, IniSyntaxError, parseIni, readIniFile, readSecretFile, SettingsError, type Ini, type IniFile } from '../settings-files.js';

/** A setting that cannot be used; declared beside the settings files both halves read. */

/** The connection flags every client command takes. */
export interface ConnectionFlags {
  endpoint?: string;
  username?: string;
  passwordFile?: string;
  caCert?: string;
}

/** The resolved connection: endpoint text, optional Basic credentials, and the CA file to trust for https. */
export interface ClientSettings {
  endpoint: string;
  credentials?: Credentials;
  caCertFile?: string;
}

/** The [client] section of the client config file. */
export interface ClientConfigFile {
  endpoint?: string;
  username?: string;
  password?: string;
  /** A relative path is relative to the config file's directory. */
  ca_cert?: string;
}

const CONFIG_KEYS = ['endpoint', 'username', 'password', 'ca_cert'] as const;

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** The client config file: $HAAS_CLIENT_CONFIG, else $XDG_CONFIG_HOME/haas/client.conf (~/.config/...). */
export function clientConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.HAAS_CLIENT_CONFIG) return env.HAAS_CLIENT_CONFIG;
  return join(env.XDG_CONFIG_HOME || join(home(env), '.config'), 'haas', 'client.conf');
}

/** The daemon's default socket, in its default state directory. */
export function defaultEndpoint(env: NodeJS.ProcessEnv, uid: number | undefined): string {
  return 'unix:' + join(defaultStateDir(env, uid), 'haas.sock');
}

/** The [client] section of a client config text; other sections are ignored, unknown keys refused. */
export function parseClientConfig(text: string, origin: string): ClientConfigFile {
  let ini: Ini;
  try { ini = parseIni(text, origin); } catch (e) {
    throw e instanceof IniSyntaxError ? new SettingsError(e.message) : e;
  }
  return clientSection(ini.client ?? {}, origin);
}

function clientSection(section: Record<string, string>, origin: string): ClientConfigFile {
  const out: ClientConfigFile = {};
  for (const [key, value] of Object.entries(section)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new SettingsError(`${origin}: unknown key "${key}" in [client] (known: ${CONFIG_KEYS.join(', ')})`);
    }
    out[key as (typeof CONFIG_KEYS)[number]] = value;
  }
  return out;
}

/** Read the client config file if it exists; refuse one holding a secret that group or others can read. */
export function readClientConfig(path: string): ClientConfigFile {
  let file: IniFile | null;
  try { file = readIniFile(path); } catch (e) {
    throw new SettingsError(e instanceof IniSyntaxError ? e.message : `cannot read client config ${path}: ${(e as Error).message}`);
  }
  if (!file) return {};
  if (file.exposesSecret) {
    throw new SettingsError(
      `refusing to use ${path}: it contains a password and is readable by group or others (run: chmod 600 ${path})`);
  }
  const config = clientSection(file.ini.client ?? {}, path);
  if (config.ca_cert) config.ca_cert = resolve(dirname(path), config.ca_cert);
  return config;
}

/** The PEM text of a CA certificate file (--ca-cert, HAAS_CA_CERT, ca_cert). */
export function readCaCertFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SettingsError(`cannot read CA certificate file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new SettingsError(`CA certificate file ${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  return text;
}

/** Resolve endpoint and credentials from flags, environment and the client config file. */
export function resolveClientSettings(flags: ConnectionFlags, env: NodeJS.ProcessEnv, uid = process.getuid?.()): ClientSettings {
  const file = readClientConfig(clientConfigPath(env));
  const endpoint = flags.endpoint || env.HAAS_ENDPOINT || env.HIL_ENDPOINT || file.endpoint || defaultEndpoint(env, uid);
  // HIL's client has no setting of its own for a CA (it leaves it to python-requests): no HIL_ variant.
  const caCertFile = flags.caCert || env.HAAS_CA_CERT || file.ca_cert || undefined;
  const username = flags.username || env.HAAS_USERNAME || env.HIL_USERNAME || file.username;
  const password = flags.passwordFile !== undefined
    ? readSecretFile(flags.passwordFile, 'password')
    : env.HAAS_PASSWORD ?? env.HIL_PASSWORD ?? file.password;
  // A password without a user name is not used: anonymous calls work with `--auth null`.
  const connection = caCertFile === undefined ? { endpoint } : { endpoint, caCertFile };
  if (username === undefined || username === '') return connection;
  if (password === undefined) {
    throw new SettingsError(
      `no password for user "${username}": use --password-file, HAAS_PASSWORD or "password" in the client config (chmod 600)`);
  }
  return { ...connection, credentials: { username, password } };
}
