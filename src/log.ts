// Logging: one line per event on stderr, `TIME haas: LEVEL message`, or with format json one JSON
// object per line ({"time","level","msg"}, plus the fields of an access line). Never pass secrets here.
// Access lines are gathered and written at most every 100 ms (and at 64 KiB, and at exit): one write(2)
// carries many of them instead of one each, so only a SIGKILL loses the last 100 ms of them.
// Every other line is written at once, after the access lines before it.
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

/** How long an access line may wait to be written with the ones after it. */
const ACCESS_FLUSH_MS = 100;

/**
 * Lines to stderr: `now` writes at once (after what is pending), `soon` within ACCESS_FLUSH_MS (or
 * at 64 KiB, or at exit). Per event-loop turn, as first written, was one write(2) per request at
 * low concurrency: most of the access log's cost.
 */
function stderrSink(): { now(line: string): void; soon(line: string): void } {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    process.stderr.write(text);
  };
  process.once('exit', flush);
  return {
    now: (line) => { pending += line; flush(); },
    soon: (line) => {
      pending += line;
      if (pending.length >= 65536) flush();
      else if (!scheduled) { scheduled = true; setTimeout(flush, ACCESS_FLUSH_MS).unref(); }
    },
  };
}

/** '000' to '999': the milliseconds of a timestamp. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let stampSecond = -1;
let stampPrefix = '';

/**
 * The time now as toISOString() writes it (UTC, milliseconds). The date and time up to the second
 * are formatted once per second: toISOString() formats through snprintf in V8, and at one access
 * line per request it cost more than the rest of the line (callgrind, GET /v0/node/<n>).
 */
export function isoNow(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return `${stampPrefix}${MILLIS[ms - second * 1000]}Z`;
}

/** A duration in milliseconds with one decimal, as toFixed(1) writes it (for the durations of requests: not negative). */
function tenths(ms: number): string {
  const t = Math.round(ms * 10);
  const whole = Math.floor(t / 10);
  return `${whole}.${t - whole * 10}`;
}

/** Make a logger to stderr for the given minimum level and format (access lines batched: see stderrSink). */
export function createLogger(level: LogLevel = 'info', format: LogFormat = 'text'): DaemonLogger {
  const sink = stderrSink();
  const write = sink.now;
  const min = LEVELS[level];
  const line = format === 'json'
    ? (l: LogLevel, msg: string) => `{"time":"${isoNow()}","level":"${l}","msg":${JSON.stringify(msg)}}\n`
    : (l: LogLevel, msg: string) => `${isoNow()} haas: ${l.toUpperCase()} ${msg}\n`;
  const at = (l: LogLevel) => (msg: string) => { if (LEVELS[l] >= min) write(line(l, msg)); };
  const access = format === 'json'
    ? (e: AccessEntry) => sink.soon(`{"time":"${isoNow()}","level":"info","msg":"access","user":${JSON.stringify(e.user)},`
      + `"source":${JSON.stringify(e.source)},"method":${JSON.stringify(e.method)},"route":${JSON.stringify(e.route)},`
      + `"status":${e.status},"duration_ms":${Math.round(e.durationMs * 1000) / 1000}}\n`)
    : (e: AccessEntry) => sink.soon(`${isoNow()} haas: INFO access ${e.user ?? '-'} ${e.source === 'the unix socket' ? 'unix' : e.source} `
      + `${e.method} ${e.route} ${e.status} ${tenths(e.durationMs)}ms\n`);
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    access: LEVELS.info >= min ? access : () => {},
  };
}
