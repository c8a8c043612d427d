// What the daemon's config file and the CLI's client config file share: the
// INI format, the rule that a file holding a secret must not be readable by
// others, and the default state directory (the database and the socket).
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A malformed INI line; callers turn it into their own error. */
export class IniSyntaxError extends Error {}

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
    if (eq <= 0 || section === '') throw new IniSyntaxError(`${origin}:${i + 1}: expected "[section]" or "key = value", got: ${line}`);
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

/** An INI file as read: its sections, its permission bits, and whether it holds a secret that group or others can read. */
export interface IniFile { ini: Ini; mode: number; exposesSecret: boolean }

/**
 * Read and parse an INI file; null if it does not exist. Read errors throw
 * with the errno code as message; syntax errors throw IniSyntaxError.
 */
export function readIniFile(path: string): IniFile | null {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, 'utf8');
    mode = statSync(path).mode & 0o777;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new Error(code ?? String(e));
  }
  const ini = parseIni(text, path);
  return { ini, mode, exposesSecret: iniHoldsSecret(ini) && (mode & 0o077) !== 0 };
}

/** Where state lives by default: /var/lib/haas as root, else $XDG_STATE_HOME/haas (~/.local/state/haas). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/haas';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'haas');
}
