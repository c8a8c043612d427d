// Authentication for the `database` backend: HTTP Basic on every request.
// A verified (user, password) pair is cached under a SHA-256 keyed with a
// per-process secret, so each request costs one hash lookup, not a KDF run.
// The cache is dropped whenever users, admin flags or memberships change.
// Failed logins are throttled per (user, source) (login-throttle.ts), before
// the cache and before the KDF; concurrent checks of one header share one KDF run.
import { hash, randomBytes } from 'node:crypto';
import { AuthorizationError } from '../errors.js';
import type { Inventory } from '../db/inventory.js';
import type { Logger } from '../log.js';
import type { LimitsConfig } from '../config.js';
import type { Principal } from './context.js';
import { verifyPassword } from './passwords.js';
import { hasUsers, projectIdsOfUser, userById, userByLabel } from '../db/store/users.js';
import { LoginThrottle, RateLimitError } from './login-throttle.js';
import { failedLoginsOf, type FailedLogins } from './audit.js';

const BAD_CREDENTIALS = 'Invalid username or password.';
const MAX_CACHED = 10_000;
const NO_USERS = 'no users exist yet: create the first admin on the server with `haas admin create-user NAME --admin`';

/** Verifies Basic credentials against the user table, with a safe cache. */
export class DatabaseAuthenticator {
  private readonly key = randomBytes(32).toString('base64');
  private cache = new Map<string, Principal>();
  /** Checks under way, by cache key: a client's parallel requests cost one KDF run and count as one attempt. */
  private readonly checking = new Map<string, Promise<Principal>>();
  private readonly throttle: LoginThrottle;
  /** Failed and throttled logins, for the audit trail (batched: no write on the answer's path). */
  private readonly failures: FailedLogins;
  constructor(private readonly inv: Inventory, limits: LimitsConfig, log: Logger) {
    this.throttle = new LoginThrottle(limits, log);
    this.failures = failedLoginsOf(inv, log);
  }

  /** Run a throttle check; a refusal (429) is counted in the audit trail. */
  private throttled(user: string, source: string, check: () => void): void {
    try { check(); } catch (e) {
      if (e instanceof RateLimitError) this.failures.note(user, source, e.status, e.type);
      throw e;
    }
  }

  /** Forget every verified credential (call after any user or membership change). */
  invalidate(): void { this.cache = new Map(); }

  /** The cache key of a header: a keyed SHA-256, so the cache never holds a password. */
  private tagOf(header: string): string {
    return hash('sha256', this.key + header, 'base64');
  }

  /**
   * The principal of an already verified Authorization header, or undefined (no KDF, no await).
   * Throws RateLimitError while its user is throttled from `source`: otherwise a guess of the right
   * password would be answered from the cache during the delay.
   */
  cached(header: string | undefined, source: string): Principal | undefined {
    const hit = header === undefined ? undefined : this.cache.get(this.tagOf(header));
    if (hit && this.throttle.active) {
      this.throttled(hit.user!, source, () => this.throttle.refuseIfDelayed(hit.user!, source));
      this.throttle.succeeded(hit.user!, source);
    }
    return hit;
  }

  /** The principal for an Authorization header sent from `source`; throws AuthorizationError (401) or RateLimitError (429). */
  async authenticate(header: string | undefined, source: string): Promise<Principal> {
    try {
      return this.cached(header, source) ?? await this.verify(header, source);
    } catch (e) {
      // A fresh database: say how to get in, since no credentials can work yet.
      if (e instanceof AuthorizationError && !hasUsers(this.inv)) throw new AuthorizationError(NO_USERS);
      throw e;
    }
  }

  private async verify(header: string | undefined, source: string): Promise<Principal> {
    if (!header || !header.startsWith('Basic ')) throw new AuthorizationError('Authentication required (HTTP Basic).');
    const tag = this.tagOf(header);
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthorizationError(BAD_CREDENTIALS);
    const name = decoded.slice(0, colon);
    // The same header from the same source already being checked: wait for that verdict.
    const running = this.checking.get(`${source}\u0000${tag}`);
    if (running) return running;
    this.throttled(name, source, () => this.throttle.begin(name, source));
    const check = this.check(name, decoded.slice(colon + 1), tag);
    this.checking.set(`${source}\u0000${tag}`, check);
    try {
      const principal = await check;
      this.throttle.succeeded(name, source);
      return principal;
    } catch (e) {
      if (e instanceof AuthorizationError) {
        this.throttle.failed(name, source);
        this.failures.note(name, source, e.status, e.type);
      } else this.throttle.abandoned(name, source);
      throw e;
    } finally {
      this.checking.delete(`${source}\u0000${tag}`);
    }
  }

  /** Check a name and password against the user table (one KDF run); cache the principal. */
  private async check(name: string, password: string, tag: string): Promise<Principal> {
    const generation = this.cache;
    const user = userByLabel(this.inv, name);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!ok || !user) throw new AuthorizationError(BAD_CREDENTIALS);
    // Read the user again after the await: it may have changed meanwhile.
    const now = userById(this.inv, user.id);
    if (!now || now.password_hash !== user.password_hash) throw new AuthorizationError(BAD_CREDENTIALS);
    const projectIds = new Set(projectIdsOfUser(this.inv, user.id));
    const principal: Principal = { user: name, admin: now.is_admin, projectIds };
    if (generation === this.cache) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(tag, principal);
    }
    return principal;
  }
}
