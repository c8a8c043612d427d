// Logging: one line per event on stderr, `TIME haas: LEVEL message`, or with format json one JSON
// object per line ({"time","level","msg"}, plus the fields of an access line). Never pass secrets here.
// Lines are written straight away (stderr is synchronous for files and pipes): a crash loses none.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
/** A log level, from the most verbose. */
export type LogLevel = keyof typeof LEVELS;
/** The log levels a setting may name. */
export const LOG_LEVELS = Object.keys(LEVELS) as LogLevel[];
/** How log lines are written: `text` for people, `json` for log collectors. */
export type LogFormat = 'text' | 'json';

/** One answered request, as the access log records it (never a body, a query string or a credential). */
export interface AccessEntry {
  /** The authenticated user, or null (anonymous, null auth, or refused). */
  user: string | null;
  /** `the unix socket`, or the client's address. */
  source: string;
  method: string;
  /** The route's template (`/v0/node/:node`), never the raw path. */
  route: string;
  status: number;
  durationMs: number;
}

/** A logger that writes lines at or above its level to stderr. */
export interface Logger {
  debug(msg: string): void; info(msg: string): void; warn(msg: string): void; error(msg: string): void;
}

/** A logger that also writes the access log (at info). */
export interface DaemonLogger extends Logger {
  access(e: AccessEntry): void;
}

/** Make a logger for the given minimum level and format; `write` is where lines go (default stderr). */
export function createLogger(level: LogLevel = 'info', format: LogFormat = 'text',
  write: (line: string) => void = (line) => { process.stderr.write(line); }): DaemonLogger {
  const min = LEVELS[level];
  const line = format === 'json'
    ? (l: LogLevel, msg: string) => `{"time":"${new Date().toISOString()}","level":"${l}","msg":${JSON.stringify(msg)}}\n`
    : (l: LogLevel, msg: string) => `${new Date().toISOString()} haas: ${l.toUpperCase()} ${msg}\n`;
  const at = (l: LogLevel) => (msg: string) => { if (LEVELS[l] >= min) write(line(l, msg)); };
  const access = format === 'json'
    ? (e: AccessEntry) => write(`{"time":"${new Date().toISOString()}","level":"info","msg":"access","user":${JSON.stringify(e.user)},`
      + `"source":${JSON.stringify(e.source)},"method":${JSON.stringify(e.method)},"route":${JSON.stringify(e.route)},`
      + `"status":${e.status},"duration_ms":${e.durationMs.toFixed(3)}}\n`)
    : (e: AccessEntry) => write(`${new Date().toISOString()} haas: INFO access ${e.user ?? '-'} ${e.source === 'the unix socket' ? 'unix' : e.source} `
      + `${e.method} ${e.route} ${e.status} ${e.durationMs.toFixed(1)}ms\n`);
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    access: LEVELS.info >= min ? access : () => {},
  };
}
