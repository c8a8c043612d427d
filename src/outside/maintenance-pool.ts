// The HTTP client of HIL's maintenance pool (`[maintenance] url`): a node
// detached from a project is handed to the pool with POST {"node": NAME}.
import { MaintenancePoolError, messageOf } from '../errors.js';
import type { MaintenancePool } from '../core/projects.js';

/** A maintenance pool at `url`; a request not answered within `timeoutMs` (`[timeouts] maintenance_pool`) fails. */
export function maintenancePoolClient(opts: { url: string; timeoutMs: number }): MaintenancePool {
  return {
    async accept(node) {
      let status: number;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ node }),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        // undici puts the network error in `cause`; an abort (the timeout) is the error itself.
        throw new MaintenancePoolError(`the maintenance pool is unreachable: ${messageOf(e instanceof Error && e.cause != null ? e.cause : e)}`);
      }
      if (status < 200 || status > 299) throw new MaintenancePoolError(`the maintenance pool refused node "${node}" (HTTP ${status})`);
    },
  };
}
