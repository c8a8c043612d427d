// The one place where a thrown value becomes an HTTP answer: for the API's
// routes and unknown paths (src/server/app.ts) and for refused console
// upgrades (src/server/upgrade.ts).
import { ApiError, AuthorizationError, messageOf } from '../errors.js';
import { RateLimitError } from '../core/login-throttle.js';
import { storageErrorOf } from '../db/storage.js';

/** An error as the API answers it, and what the daemon must log about it. */
export interface ErrorAnswer {
  status: number;
  body: { type: string; msg: string };
  headers: Record<string, string>;
  /** Set for what an admin must see: a storage failure (its message) or a bug (its stack); the caller says where. */
  log: string | null;
}

/**
 * The answer to a thrown value: a storage failure as 503 StorageError (logged), an ApiError as its
 * own type, message and status, anything else as 500 ServerError (a bug: logged). `challenge` asks a
 * 401 to carry `WWW-Authenticate: Basic`; a 429 carries `Retry-After`.
 */
export function errorAnswer(e: unknown, opts: { challenge: boolean }): ErrorAnswer {
  const storage = storageErrorOf(e);
  // Loud: an admin must act (free space, fix the disk, restart); the caller gets the cause.
  if (storage) return { status: storage.status, body: { type: storage.type, msg: storage.message }, headers: {}, log: storage.message };
  if (e instanceof ApiError) {
    const headers: Record<string, string> = e instanceof AuthorizationError && opts.challenge ? { 'www-authenticate': 'Basic realm="haas"' } : {};
    if (e instanceof RateLimitError) headers['retry-after'] = String(e.retryAfter);
    return { status: e.status, body: { type: e.type, msg: e.message }, headers, log: null };
  }
  return {
    status: 500,
    body: { type: 'ServerError', msg: 'Internal server error (a bug in haas; see the daemon log)' },
    headers: {},
    log: e instanceof Error ? e.stack ?? e.message : messageOf(e),
  };
}

/** errorAnswer as a JSON Response. */
export function errorResponse(answer: ErrorAnswer): Response {
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
}
