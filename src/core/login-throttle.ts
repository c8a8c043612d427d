// Password guessing is throttled per (user, source): after `loginFailures` failed logins in a row,
// each further attempt for that user from that source waits out a delay that doubles with every
// failure (capped), answered 429 RateLimitError with Retry-After. Another source, or another user
// from the same source, is not affected. Attempts refused here never reach the KDF, so a flood
// costs no CPU once throttled. Memory is bounded: at most MAX_TRACKED pairs, least recent dropped.
import { ApiError } from '../errors.js';
import type { LimitsConfig } from '../config.js';
import type { Logger } from '../log.js';

const MAX_TRACKED = 10_000;
/** A pair is forgotten after this long without attempts (or the longest delay, if longer): waiting is no shortcut. */
const FORGET_AFTER_MS = 3600_000;

/** 429: too many failed logins for this user from this source; `retryAfter` in whole seconds. */
export class RateLimitError extends ApiError {
  override readonly type = 'RateLimitError';
  override readonly status = 429;
  constructor(message: string, readonly retryAfter: number) { super(message); }
}

interface Pair {
  /** Failed logins in a row. */
  failures: number;
  /** Password checks under way (each may become a failure). */
  checking: number;
  /** No check may start before this time (ms). */
  until: number;
  /** When the last check ended (ms). */
  last: number;
  /** Attempts refused since the last log line about this pair. */
  refused: number;
}

/** A user name fit for a log line: quoted, escaped, bounded. */
export function quoteUser(user: string): string {
  return JSON.stringify(user.length > 64 ? `${user.slice(0, 64)}...` : user);
}

/** Failed-login bookkeeping per (user, source). */
export class LoginThrottle {
  private readonly pairs = new Map<string, Pair>();
  constructor(private readonly limits: Pick<LimitsConfig, 'loginFailures' | 'loginDelayMs' | 'loginMaxDelayMs'>,
    private readonly log: Logger, private readonly now: () => number = Date.now) {}

  /** Whether any pair is tracked (the common case, none, costs nothing per request). */
  get active(): boolean { return this.pairs.size > 0; }

  private keyOf(user: string, source: string): string { return `${source}\u0000${user}`; }

  /** A pair that has been quiet for an hour (or the longest delay) after its last failure and delay is forgotten. */
  private pairOf(key: string): Pair | undefined {
    const pair = this.pairs.get(key);
    if (pair && pair.checking === 0 && this.now() > Math.max(pair.until, pair.last) + Math.max(FORGET_AFTER_MS, this.limits.loginMaxDelayMs)) {
      this.pairs.delete(key);
      return undefined;
    }
    return pair;
  }

  /** Throws RateLimitError while (user, source) must wait (the only check for already verified credentials). */
  refuseIfDelayed(user: string, source: string): void {
    const pair = this.pairOf(this.keyOf(user, source));
    if (pair && pair.failures >= this.limits.loginFailures && this.now() < pair.until) this.refuse(pair, user, source);
  }

  /**
   * Reserve one password check for (user, source), or throw RateLimitError. Concurrent checks count
   * against the failures still allowed, so parallel guesses cannot overshoot the limit.
   */
  begin(user: string, source: string): void {
    const key = this.keyOf(user, source);
    let pair = this.pairOf(key);
    if (pair) {
      const allowed = Math.max(1, this.limits.loginFailures - pair.failures);
      if (this.now() < pair.until || pair.checking >= allowed) this.refuse(pair, user, source);
      this.pairs.delete(key); // re-inserted below: the Map's order is least recent first
    } else {
      pair = { failures: 0, checking: 0, until: 0, last: 0, refused: 0 };
      if (this.pairs.size >= MAX_TRACKED) this.pairs.delete(this.pairs.keys().next().value!);
    }
    pair.checking++;
    this.pairs.set(key, pair);
  }

  /** The check begun for (user, source) failed: count it, log it, and start the delay once over the limit. */
  failed(user: string, source: string): void {
    const key = this.keyOf(user, source);
    const pair = this.pairs.get(key);
    if (!pair) return; // dropped meanwhile by the bound on tracked pairs
    pair.checking = Math.max(0, pair.checking - 1);
    pair.failures++;
    pair.last = this.now();
    const over = pair.failures - this.limits.loginFailures;
    let delayed = '';
    if (over >= 0) {
      const ms = Math.min(this.limits.loginMaxDelayMs, this.limits.loginDelayMs * 2 ** Math.min(over, 30));
      pair.until = this.now() + ms;
      delayed = `; further logins for this user from there wait ${Math.ceil(ms / 1000)} s`;
    }
    const refused = pair.refused > 0 ? ` (${pair.refused} attempts refused before it)` : '';
    pair.refused = 0;
    this.log.warn(`failed login for user ${quoteUser(user)} from ${source}: failure ${pair.failures} in a row${refused}${delayed}`);
  }

  /** The check begun for (user, source) succeeded: its failures are forgotten. */
  succeeded(user: string, source: string): void {
    const key = this.keyOf(user, source);
    const pair = this.pairs.get(key);
    if (!pair) return;
    if (pair.refused > 0) this.log.warn(`login for user ${quoteUser(user)} from ${source} succeeded after ${pair.refused} refused attempts`);
    this.pairs.delete(key);
  }

  /** The check begun for (user, source) ended without a verdict (an error): release its reservation. */
  abandoned(user: string, source: string): void {
    const pair = this.pairs.get(this.keyOf(user, source));
    if (pair) pair.checking = Math.max(0, pair.checking - 1);
  }

  private refuse(pair: Pair, user: string, source: string): never {
    const wait = Math.max(1, Math.ceil((pair.until - this.now()) / 1000));
    // One line per delay: a flood of refused attempts must not flood the log too.
    const why = this.now() < pair.until ? `${pair.failures} failed logins in a row` : `${pair.failures} failed logins in a row and ${pair.checking} checks under way`;
    if (pair.refused++ === 0) this.log.warn(`refused login for user ${quoteUser(user)} from ${source}: ${why}, retry after ${wait} s`);
    throw new RateLimitError(`Too many failed logins for user ${quoteUser(user)} from ${source}; try again in ${wait} s.`, wait);
  }
}
