// `--wait[=TIMEOUT]` and the progress line of long operations (networking actions, headnode start,
// lease releases, imports). The progress line is for a person watching: it is drawn on stderr only
// when stderr is a terminal, rewritten in place, and erased when the wait ends; a pipe or a log file
// gets nothing from it. What a command says before and after the wait is its own business.
import { Option, UsageError } from 'clipanion';
import { parseDuration } from '../durations.js';
import { CommandFailedError } from './failures.js';

/** How long `--wait` waits when no TIMEOUT is given: 10 minutes. */
export const DEFAULT_WAIT_MS = 600_000;

/** The `--wait[=TIMEOUT]` option: absent (undefined), bare (true) or with a timeout (its text). */
export function waitOption(description: string) {
  return Option.String('--wait', { tolerateBoolean: true, description });
}

/** The timeout `--wait[=TIMEOUT]` asks for in ms (TIMEOUT: seconds, or a duration such as 90s, 5m); null: no wait. */
export function waitTimeoutMs(value: string | boolean | undefined): number | null {
  if (value === undefined || value === false) return null;
  if (value === true) return DEFAULT_WAIT_MS;
  const ms = /^[0-9]+$/.test(value) ? Number(value) * 1000 : parseDuration(value);
  if (ms === null || ms <= 0) throw new UsageError(`--wait=${value}: expected a timeout in seconds or a duration such as 90s, 5m or 1h`);
  return ms;
}

/** The wait ran out before the operation finished (exit code 1). */
export class WaitTimeoutError extends CommandFailedError {
  constructor(message: string) {
    super('WaitTimeoutError', message);
  }
}

/** Where the progress line goes: a stream that may be a terminal. */
export interface ProgressStream { write(text: string): unknown; isTTY?: boolean }

/** One line on a terminal that each update redraws; does nothing on anything that is not a terminal. */
export class ProgressLine {
  private drawn = false;
  private readonly enabled: boolean;

  constructor(private readonly stream: ProgressStream, enabled = true) {
    this.enabled = enabled && stream.isTTY === true;
  }

  /** Redraw the line with `text`. */
  update(text: string): void {
    if (!this.enabled) return;
    // \r back to column 0, ESC[K clears what a longer previous text left.
    this.stream.write(`\r${text}\x1b[K`);
    this.drawn = true;
  }

  /** Erase the line, so that what is written next starts on a clean line. */
  clear(): void {
    if (!this.enabled || !this.drawn) return;
    this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** What waitWithProgress polls and how it shows it. */
export interface WaitSpec<T> {
  /** The progress line's stream (the command's stderr) and whether to draw at all (off under --json and --quiet). */
  stream: ProgressStream;
  show: boolean;
  /** Read the operation's state once. */
  poll: () => Promise<T>;
  /** Whether that state is final. */
  finished: (state: T) => boolean;
  /** The progress line for a state not yet final, e.g. "networking action 12: PENDING". */
  describe: (state: T) => string;
  /** Give up after this long (WaitTimeoutError naming `what`). */
  timeoutMs: number;
  /** What is waited for, for the timeout's message: "networking action 12". */
  what: string;
  /** First poll interval; it doubles up to 1 s. Default 100 ms. */
  intervalMs?: number;
}

/** Poll until the state is final and return it, drawing "<describe> (12s)" on a terminal meanwhile. */
export async function waitWithProgress<T>(spec: WaitSpec<T>): Promise<T> {
  const line = new ProgressLine(spec.stream, spec.show);
  const started = Date.now();
  let interval = spec.intervalMs ?? 100;
  try {
    for (;;) {
      const state = await spec.poll();
      if (spec.finished(state)) return state;
      const elapsed = Date.now() - started;
      if (elapsed > spec.timeoutMs) {
        throw new WaitTimeoutError(`gave up waiting for ${spec.what} after ${Math.round(elapsed / 1000)}s: ${spec.describe(state)}`);
      }
      line.update(`${spec.describe(state)} (${Math.round(elapsed / 1000)}s)`);
      await new Promise((resolve) => setTimeout(resolve, interval));
      interval = Math.min(interval * 2, 1000);
    }
  } finally {
    line.clear();
  }
}
