// What the daemon's config file and the CLI's client config file share: the
// INI format, the rule that a file holding a secret must not be readable by
// others, reading a secret from a file, and the default state directory (the
// database and the socket).
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A setting that cannot be used (unreadable file, insecure config, half-given credentials). */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

/** A secret from a file: its content without one trailing newline; a SettingsError naming `what` if it cannot be read. */
export function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new SettingsError(`cannot read ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** A malformed INI line; callers turn it into their own error. Its message starts with `origin:line:`. */
export class IniSyntaxError extends Error {}

/** A parsed INI text: keys by section. */
export type Ini = Record<string, Record<string, string>>;

/** Where each section and key of an INI text was set: 1-based line numbers. */
export interface IniLines {
  sections: Record<string, number>;
  keys: Record<string, Record<string, number>>;
}

/** An INI text with the line of every section and key, for messages of the form `file:line: problem`. */
export interface IniDocument { ini: Ini; lines: IniLines }

/**
 * The text of a line without its comment: `;` or `#` starts a comment at the start of the line or
 * after whitespace (so `pass#word` is a value), never inside a quoted value.
 */
function withoutComment(line: string): string {
  // Only a quote that opens the value quotes (`pass = it's #x` has an apostrophe and a comment).
  const eq = line.indexOf('=');
  const valueStart = eq < 0 ? -1 : line.length - line.slice(eq + 1).trimStart().length;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) { if (c === quote) quote = null; continue; }
    if (i === valueStart && (c === '"' || c === "'")) quote = c;
    else if ((c === ';' || c === '#') && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

/** A value as written: surrounding quotes ("..." or '...') removed, nothing else interpreted. */
function unquote(value: string, where: string): string {
  const q = value[0];
  if (q !== '"' && q !== "'") return value; // quotes inside an unquoted value are literal
  if (value.length < 2 || !value.endsWith(q) || value.slice(1, -1).includes(q)) {
    throw new IniSyntaxError(`${where}: unterminated or malformed quoted value: ${value}`);
  }
  return value.slice(1, -1);
}

/**
 * Parse an INI text: `[section]`, `key = value`, comments from `;` or `#` at the start of a line
 * or after whitespace, values optionally quoted ("..." or '...', where `;` and `#` are literal).
 * A key set twice in one section is an error (which one would win is not obvious to a reader).
 */
export function parseIniDocument(text: string, origin: string): IniDocument {
  // Null-prototype maps: a section or key named `__proto__` or `constructor` is just a name.
  const map = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
  const ini: Ini = map();
  const lines: IniLines = { sections: map(), keys: map() };
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `${origin}:${i + 1}`;
    const line = withoutComment(raw).trim();
    if (line === '') return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      ini[section] ??= map();
      lines.keys[section] ??= map();
      lines.sections[section] ??= i + 1;
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || section === '') throw new IniSyntaxError(`${where}: expected "[section]" or "key = value", got: ${line}`);
    const key = line.slice(0, eq).trim();
    const seen = lines.keys[section]![key];
    if (seen !== undefined) throw new IniSyntaxError(`${where}: "${key}" is already set in [${section}] on line ${seen}`);
    ini[section]![key] = unquote(line.slice(eq + 1).trim(), where);
    lines.keys[section]![key] = i + 1;
  });
  return { ini, lines };
}

/** Parse an INI text (see parseIniDocument) into its sections. */
export function parseIni(text: string, origin: string): Ini {
  return parseIniDocument(text, origin).ini;
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
export interface IniFile { ini: Ini; lines: IniLines; mode: number; exposesSecret: boolean }

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
  const { ini, lines } = parseIniDocument(text, path);
  return { ini, lines, mode, exposesSecret: iniHoldsSecret(ini) && (mode & 0o077) !== 0 };
}

/** Where state lives by default: /var/lib/haas as root, else $XDG_STATE_HOME/haas (~/.local/state/haas). */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/haas';
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'haas');
}
