// The HTTP client of HIL's obmd: POST and DELETE /token with the node's admin
// token, and POST /power_off with a node token (a lease's release). The admin token is a secret: it goes only into the Authorization
// header, never into a message or log.
import { OBMError, messageOf } from '../errors.js';
import type { Obmd, ObmdNode } from '../core/obmd.js';
import { redactUri, scrubbed, withoutCredentials } from '../uri-credentials.js';

/** The reason a fetch failed: undici puts the network error in `cause`, an abort (the timeout) is the error itself. */
function reasonOf(e: unknown): unknown {
  return e instanceof Error && e.cause != null ? e.cause : e;
}

/** An obmd client whose every request is abandoned after `timeoutMs` (`[timeouts] obmd`). */
export function obmdClient(opts: { timeoutMs: number }): Obmd {
  async function call(node: ObmdNode, method: 'POST' | 'DELETE'): Promise<Response> {
    const uri = node.obmd_uri ?? '';
    const where = redactUri(uri);
    // fetch refuses a URL with credentials (and would put them in its message): obmd is asked without
    // them; its own authentication is the admin token.
    const url = `${withoutCredentials(uri)}/token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { authorization: 'Basic ' + Buffer.from(`admin:${node.obmd_admin_token}`).toString('base64') },
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (e) {
      throw new OBMError(`obmd at ${where} is unreachable: ${scrubbed(messageOf(reasonOf(e)), uri)}`);
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel();
      throw new OBMError(`obmd at ${where} refused ${method} /token for node "${node.label}" (HTTP ${res.status})`);
    }
    return res;
  }

  return {
    async fetchToken(node) {
      const res = await call(node, 'POST');
      let body: unknown;
      try { body = await res.json(); } catch { body = null; }
      const token = typeof body === 'object' && body !== null && 'token' in body ? body.token : undefined;
      if (typeof token !== 'string' || token === '') throw new OBMError(`obmd at ${redactUri(node.obmd_uri ?? '')} answered without a token`);
      return token;
    },
    async revokeToken(node) {
      const res = await call(node, 'DELETE');
      await res.body?.cancel();
    },
    async powerOff(node, token) {
      // The node token is obmd's authentication for power calls, as in the 307s haas answers with.
      const uri = node.obmd_uri ?? '';
      const where = redactUri(uri);
      let res: Response;
      try {
        res = await fetch(`${withoutCredentials(uri)}/power_off?token=${encodeURIComponent(token)}`,
          { method: 'POST', signal: AbortSignal.timeout(opts.timeoutMs) });
      } catch (e) {
        throw new OBMError(`obmd at ${where} is unreachable: ${scrubbed(messageOf(reasonOf(e)), uri)}`);
      }
      await res.body?.cancel();
      if (res.status < 200 || res.status > 299) throw new OBMError(`obmd at ${where} refused power_off for node "${node.label}" (HTTP ${res.status})`);
    },
  };
}
