// The HTTP client of the lease webhook (`[leases] webhook`): a lease about to
// end is announced with a JSON POST. Credentials written into the URL go as
// Basic authentication; messages name the webhook by its origin alone (a
// webhook's path or query often is its secret, as Slack's are).
import { messageOf } from '../errors.js';
import type { LeaseWebhook } from '../core/leases.js';
import { basicAuthOf, scrubbed, withoutCredentials } from '../uri-credentials.js';

/** A webhook at `url`; a POST not answered with 2xx within `timeoutMs` (`[timeouts] webhook`) fails. */
export function leaseWebhookClient(opts: { url: string; timeoutMs: number }): LeaseWebhook {
  const authorization = basicAuthOf(opts.url);
  const target = withoutCredentials(opts.url);
  const where = new URL(target).origin;
  return {
    async post(event) {
      let status: number;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        const reason = messageOf(e instanceof Error && e.cause != null ? e.cause : e);
        throw new Error(`the lease webhook ${where} is unreachable: ${scrubbed(reason, opts.url)}`);
      }
      if (status < 200 || status > 299) throw new Error(`the lease webhook ${where} answered HTTP ${status}`);
    },
  };
}
