// The HTTP client of HIL's maintenance pool (`[maintenance] url`): a node
// detached from a project is handed to the pool with POST {"node": NAME}.
// Credentials written into the URL (`http://user:pass@host/...`) are sent as
// Basic authentication, as HIL's client (python-requests) does, and never
// reach a message: the detach's 502 answer goes to project members.
import { MaintenancePoolError, messageOf } from '../errors.js';
import type { MaintenancePool } from '../core/projects.js';
import { basicAuthOf, scrubbed, withoutCredentials } from '../uri-credentials.js';

/** A maintenance pool at `url`; a request not answered within `timeoutMs` (`[timeouts] maintenance_pool`) fails. */
export function maintenancePoolClient(opts: { url: string; timeoutMs: number }): MaintenancePool {
  const authorization = basicAuthOf(opts.url);
  return {
    async accept(node) {
      let status: number;
      try {
        const res = await fetch(withoutCredentials(opts.url), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ node }),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        // undici puts the network error in `cause`; an abort (the timeout) is the error itself.
        const reason = messageOf(e instanceof Error && e.cause != null ? e.cause : e);
        throw new MaintenancePoolError(`the maintenance pool is unreachable: ${scrubbed(reason, opts.url)}`);
      }
      if (status < 200 || status > 299) throw new MaintenancePoolError(`the maintenance pool refused node "${node}" (HTTP ${status})`);
    },
  };
}
