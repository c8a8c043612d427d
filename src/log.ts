// Logging: one line per event on stderr, `TIME haas: LEVEL message`, or with format json one JSON
// object per line ({"time","level","msg"}, plus the fields of an access line). Never pass secrets here.
// Access lines are gathered and written at most every 100 ms (and at 64 KiB, and at exit): one write(2)
// carries many of them instead of one each, so only a SIGKILL loses the last 100 ms of them.
// Every other line is written at once, after the access lines before it. A line that cannot be
// written (a full disk under the log file, a closed pipe) is lost and counted, never fatal: see LogOutput.
import { writeSync } from 'node:fs';
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
/** A log level, from the most verbose. */
export type LogLevel = keyof typeof LEVELS;
/** The log levels a setting may name. */
export const LOG_LEVELS = Object.keys(LEVELS) as LogLevel[];
/** How log lines are written: `text` for people, `json` for log collectors. */
export type LogFormat = 'text' | 'json';

/**
 * Log one answered request: the authenticated user (null: anonymous, null auth, or refused), its
 * source (`the unix socket`, or the client's address), method, route template (`/v0/node/:node`,
 * never the raw path), status and duration. Never a body, a query string or a credential. The
 * fields come one by one, not as an object: one object less per request.
 */
export type AccessLog = (user: string | null, source: string, method: string, route: string, status: number, durationMs: number) => void;

/** A logger that writes lines at or above its level to stderr. */
export interface Logger {
  debug(msg: string): void; info(msg: string): void; warn(msg: string): void; error(msg: string): void;
}

/** A logger that also writes the access log (at info). */
export interface DaemonLogger extends Logger {
  access: AccessLog;
  /** Lines that could not be written since start (a full disk, a closed pipe): haas_log_lines_lost_total. */
  readonly lost: number;
}

/** How long an access line may wait to be written with the ones after it. */
const ACCESS_FLUSH_MS = 100;

/** The buffer access lines gather in (bytes); a full one is written out at once. */
const ACCESS_BUFFER = 64 * 1024;
/** How many distinct access-line middles (user, source, method, route, status) are kept encoded. */
const MIDDLES = 4096;

/**
 * Access lines, written as bytes into a buffer as requests are answered and written out in one
 * write(2) within ACCESS_FLUSH_MS (or when the buffer is full, before any other line, and at
 * exit): per event-loop turn, as first written, it was one write(2) per request at low
 * concurrency. A line is its time, its middle (` haas: INFO access USER SOURCE METHOD ROUTE
 * STATUS `, or its JSON fields) and its duration; middles repeat, and are kept encoded. So a line
 * makes no string: made as one, with the lines waiting as one growing string, the access log cost
 * a cheap GET ~8 % of its throughput (see the README's Benchmark).
 */
class AccessLines {
  private buf: Buffer | null = null;
  private used = 0;
  /** Encoded middles: route -> method -> status -> source -> user ('' for none) -> bytes. */
  private middles = new Map<string, Map<string, Map<number, Map<string, Map<string, Buffer>>>>>();
  private middleCount = 0;
  /** The timestamp prefix of the current second, and its bytes. */
  private prefix = '';
  private prefixBytes = Buffer.alloc(0);

  constructor(private readonly format: LogFormat) {}

  get empty(): boolean { return this.used === 0; }

  /**
   * The bytes written so far, to be written out before the next add(): the buffer is used again
   * (they are written synchronously; fresh memory is dear on a VM whose page tables the hypervisor
   * shadows).
   */
  take(): Buffer {
    const out = this.buf === null ? Buffer.alloc(0) : this.buf.subarray(0, this.used);
    this.used = 0;
    return out;
  }

  /** Add a request's line (AccessLog's fields), answered at `now` (ms since the epoch); false (nothing added) when the buffer must be written out first. */
  add(user: string | null, source: string, method: string, route: string, status: number, durationMs: number, now: number, stamps: Stamps): boolean {
    const middle = this.middle(user, source, method, route, status);
    const need = middle.length + 64;
    if (this.buf === null) this.buf = Buffer.allocUnsafe(Math.max(ACCESS_BUFFER, need));
    else if (this.used + need > this.buf.length) return false;
    const buf = this.buf;
    let at = this.used;
    const milli = stamps.advance(now);
    if (stamps.prefix !== this.prefix) { this.prefix = stamps.prefix; this.prefixBytes = Buffer.from(this.prefix, 'latin1'); }
    if (this.format === 'json') at = put(buf, at, JSON_OPEN);
    at = put(buf, at, this.prefixBytes);
    buf[at++] = 0x30 + Math.floor(milli / 100);
    buf[at++] = 0x30 + (Math.floor(milli / 10) % 10);
    buf[at++] = 0x30 + (milli % 10);
    buf[at++] = 0x5a; // Z
    at = put(buf, at, middle);
    at = fixed(buf, at, durationMs, this.format === 'json' ? 1000 : 10);
    this.used = put(buf, at, this.format === 'json' ? JSON_CLOSE : TEXT_CLOSE);
    return true;
  }

  /** The encoded middle of a line, from the cache. */
  private middle(user: string | null, source: string, method: string, route: string, status: number): Buffer {
    let byMethod = this.middles.get(route);
    if (byMethod === undefined) this.middles.set(route, byMethod = new Map());
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, byStatus = new Map());
    let bySource = byStatus.get(status);
    if (bySource === undefined) byStatus.set(status, bySource = new Map());
    let byUser = bySource.get(source);
    if (byUser === undefined) bySource.set(source, byUser = new Map());
    let bytes = byUser.get(user ?? '');
    if (bytes === undefined) {
      bytes = Buffer.from(this.format === 'json'
        ? `","level":"info","msg":"access","user":${JSON.stringify(user)},"source":${JSON.stringify(source)},`
          + `"method":${JSON.stringify(method)},"route":${JSON.stringify(route)},"status":${status},"duration_ms":`
        : ` haas: INFO access ${user ?? '-'} ${source === 'the unix socket' ? 'unix' : source} ${method} ${route} ${status} `, 'utf8');
      if (++this.middleCount > MIDDLES) { this.middles = new Map(); this.middleCount = 0; }
      else byUser.set(user ?? '', bytes);
    }
    return bytes;
  }
}

const JSON_OPEN = Buffer.from('{"time":"');
const JSON_CLOSE = Buffer.from('}\n');
const TEXT_CLOSE = Buffer.from('ms\n');

/**
 * Copy `bytes` into `buf` at `at`; returns where they end. A loop: the parts of a line are a few
 * dozen bytes, for which TypedArray#set's call costs more than the copy (perf, GET /v0/node/<n>).
 */
function put(buf: Buffer, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
  return at + n;
}

/**
 * Write a duration in milliseconds (not negative) with log10(scale) decimals, as toFixed writes
 * it, into `buf` at `at`; returns where it ends.
 */
function fixed(buf: Buffer, at: number, ms: number, scale: 10 | 1000): number {
  const t = Math.round(ms * scale);
  const whole = Math.floor(t / scale);
  at = int(buf, at, whole);
  buf[at++] = 0x2e; // .
  let frac = t - whole * scale;
  for (let d = scale / 10; d >= 1; d /= 10) {
    const digit = Math.floor(frac / d);
    buf[at++] = 0x30 + digit;
    frac -= digit * d;
  }
  return at;
}

/** Write a non-negative integer in decimal into `buf` at `at`; returns where it ends. */
function int(buf: Buffer, at: number, n: number): number {
  if (n >= 10) at = int(buf, at, Math.floor(n / 10));
  buf[at++] = 0x30 + (n % 10);
  return at;
}

/** '000' to '999': the milliseconds of a timestamp. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Timestamps as toISOString() writes them (UTC, milliseconds). The date and time up to the second
 * are formatted once per second: toISOString() formats through snprintf in V8, and at one access
 * line per request it cost more than the rest of the line (callgrind, GET /v0/node/<n>).
 */
class Stamps {
  private second = -1;
  /** `YYYY-MM-DDTHH:MM:SS.` of the second last advanced to. */
  prefix = '';
  /** Make `prefix` that of the second of `ms` (since the epoch); returns the milliseconds within it. */
  advance(ms: number): number {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 20);
    }
    return ms - second * 1000;
  }
  /** The timestamp of `ms`. */
  of(ms: number): string {
    const milli = this.advance(ms);
    return `${this.prefix}${MILLIS[milli]}Z`;
  }
}

/** Something to wait on for a millisecond (Atomics.wait) while a non-blocking stderr is full. */
const PAUSE = new Int32Array(new SharedArrayBuffer(4));
/** How long a write waits for a full non-blocking pipe before its lines count as lost. */
const FULL_PIPE_WAIT_MS = 1000;

/**
 * The log's output: file descriptor 2, written synchronously, as Node writes stderr to a file, a
 * pipe or a terminal on Linux, but not through process.stderr: a write that fails there (ENOSPC on
 * the disk of `haas serve --detach`'s log file, EPIPE from a log reader gone) throws out of a
 * timer or emits an error event, and either ends the daemon. Here the lines of a failed write are
 * lost and counted; the next write that goes through is preceded by a warning saying how many
 * were lost, since when and why.
 */
class LogOutput {
  /** Lines lost since start. */
  lostTotal = 0;
  /** Lines lost since the last warning, the first loss's time (ms) and the last loss's cause. */
  private lost = 0;
  private since = 0;
  private cause = '';
  /** A failed write ended within a line: the warning starts on a line of its own. */
  private torn = false;

  /** `warning(lines, since, cause)`: the line that reports a loss (null: not at this log level). */
  constructor(private readonly fd: number, private readonly warning: (lines: number, since: number, cause: string) => string | null) {}

  /** Write whole lines; those that cannot be written are counted. */
  write(bytes: Uint8Array): void {
    if (this.lost > 0) {
      const w = (this.torn ? '\n' : '') + (this.warning(this.lost, this.since, this.cause) ?? '');
      if (w !== '' && !this.put(Buffer.from(w))) { this.lose(bytes, 0); return; }
      this.lost = 0;
      this.torn = false;
    }
    this.put(bytes);
  }

  /** Write all of `bytes`; false, with the lines not (wholly) written counted, when fd refuses. */
  private put(bytes: Uint8Array): boolean {
    let at = 0;
    let waited = 0;
    while (at < bytes.length) {
      try {
        at += writeSync(this.fd, bytes, at, bytes.length - at);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EAGAIN' && waited++ < FULL_PIPE_WAIT_MS) { Atomics.wait(PAUSE, 0, 0, 1); continue; }
        this.cause = err.message ?? String(e);
        if (at > 0 && bytes[at - 1] !== 0x0a) this.torn = true;
        this.lose(bytes, at);
        return false;
      }
    }
    return true;
  }

  /** Count the lines of `bytes` not wholly written (from byte `from` on) as lost. */
  private lose(bytes: Uint8Array, from: number): void {
    let lines = 0;
    for (let i = from; i < bytes.length; i++) if (bytes[i] === 0x0a) lines++;
    if (this.lost === 0) this.since = Date.now();
    this.lost += lines;
    this.lostTotal += lines;
  }
}

/**
 * Make a logger to stderr for the given minimum level and format. Access lines are gathered (see
 * AccessLines) and written within ACCESS_FLUSH_MS, when their buffer is full, before any other
 * line, and at exit.
 */
export function createLogger(level: LogLevel = 'info', format: LogFormat = 'text'): DaemonLogger {
  const stamps = new Stamps();
  const lines = new AccessLines(format);
  const min = LEVELS[level];
  const line = format === 'json'
    ? (l: LogLevel, msg: string) => `{"time":"${stamps.of(Date.now())}","level":"${l}","msg":${JSON.stringify(msg)}}\n`
    : (l: LogLevel, msg: string) => `${stamps.of(Date.now())} haas: ${l.toUpperCase()} ${msg}\n`;
  const out = new LogOutput(2, (n, since, cause) => LEVELS.warn < min ? null
    : line('warn', `the log lost ${n} line${n === 1 ? '' : 's'} since ${new Date(since).toISOString()}: they could not be written (${cause})`));
  const flush = () => { if (!lines.empty) out.write(lines.take()); };
  // One timer at a time: a flush because the buffer filled up leaves the pending timer be, which
  // still fires within ACCESS_FLUSH_MS of any line added since.
  let scheduled = false;
  const flushLater = () => { scheduled = false; flush(); };
  process.once('exit', flush);
  const at = (l: LogLevel) => (msg: string) => {
    if (LEVELS[l] < min) return;
    flush();
    out.write(Buffer.from(line(l, msg)));
  };
  const access: AccessLog = (user, source, method, route, status, durationMs) => {
    const now = Date.now();
    if (!lines.add(user, source, method, route, status, durationMs, now, stamps)) {
      flush();
      lines.add(user, source, method, route, status, durationMs, now, stamps);
    }
    if (!scheduled) { scheduled = true; setTimeout(flushLater, ACCESS_FLUSH_MS).unref(); }
  };
  return {
    debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    access: LEVELS.info >= min ? access : () => {},
    get lost() { return out.lostTotal; },
  };
}
