// Authentication for the `database` backend: HTTP Basic on every request.
// A verified (user, password) pair is cached under a SHA-256 keyed with a
// per-process secret, so each request costs one hash lookup, not a KDF run.
// The cache is dropped whenever users, admin flags or memberships change.
import { hash, randomBytes } from 'node:crypto';
import { AuthorizationError } from '../errors.js';
import type { Inventory } from '../db/inventory.js';
import type { Principal } from './context.js';
import { verifyPassword } from './passwords.js';

const BAD_CREDENTIALS = 'Invalid username or password.';
const MAX_CACHED = 10_000;
const NO_USERS = 'no users exist yet: create the first admin on the server with `haas admin create-user NAME --admin`';

/** Verifies Basic credentials against the user table, with a safe cache. */
export class DatabaseAuthenticator {
  private readonly key = randomBytes(32).toString('base64');
  private cache = new Map<string, Principal>();
  constructor(private readonly inv: Inventory) {}

  /** Forget every verified credential (call after any user or membership change). */
  invalidate(): void { this.cache = new Map(); }

  /** The cache key of a header: a keyed SHA-256, so the cache never holds a password. */
  private tagOf(header: string): string {
    return hash('sha256', this.key + header, 'base64');
  }

  /** The principal of an already verified Authorization header, or undefined (no KDF, no await). */
  cached(header: string | undefined): Principal | undefined {
    return header === undefined ? undefined : this.cache.get(this.tagOf(header));
  }

  /** The principal for an Authorization header; throws AuthorizationError (401) otherwise. */
  async authenticate(header: string | undefined): Promise<Principal> {
    try {
      return await this.verify(header);
    } catch (e) {
      // A fresh database: say how to get in, since no credentials can work yet.
      if (e instanceof AuthorizationError && !this.inv.get('SELECT 1 FROM user LIMIT 1')) throw new AuthorizationError(NO_USERS);
      throw e;
    }
  }

  private async verify(header: string | undefined): Promise<Principal> {
    if (!header || !header.startsWith('Basic ')) throw new AuthorizationError('Authentication required (HTTP Basic).');
    const tag = this.tagOf(header);
    const hit = this.cache.get(tag);
    if (hit) return hit;
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new AuthorizationError(BAD_CREDENTIALS);
    const name = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const generation = this.cache;
    const user = this.inv.get<{ id: number; password_hash: string; is_admin: number }>(
      'SELECT id, password_hash, is_admin FROM user WHERE label = ?', name);
    const ok = await verifyPassword(password, user?.password_hash ?? null);
    if (!ok || !user) throw new AuthorizationError(BAD_CREDENTIALS);
    // Read the user again after the await: it may have changed meanwhile.
    const now = this.inv.get<{ password_hash: string; is_admin: number }>('SELECT password_hash, is_admin FROM user WHERE id = ?', user.id);
    if (!now || now.password_hash !== user.password_hash) throw new AuthorizationError(BAD_CREDENTIALS);
    const projectIds = new Set(this.inv.column<number>('SELECT project_id FROM user_project WHERE user_id = ?', user.id));
    const principal: Principal = { user: name, admin: now.is_admin === 1, projectIds };
    if (generation === this.cache) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(tag, principal);
    }
    return principal;
  }
}
