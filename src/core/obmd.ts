// The client side of HIL's obmd (CCI-MOC/obmd): node tokens for nodes whose
// BMC is run by an external obmd. The admin token is a secret: it goes only
// into the Authorization header, never into a message or log. So are
// credentials written into the obmd URI (`http://user:pass@host/...`): every
// message names obmd by its URI with them masked (`http://***@host/...`).
import { OBMError, messageOf } from '../errors.js';

interface ObmdNode { label: string; obmd_uri: string | null; obmd_admin_token: string | null }

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/** The URI fit for a message: credentials in it masked as `***`. */
export function redactUri(uri: string): string {
  return uri.replace(USERINFO, '$1***@');
}

/** The URI without its credentials: where a client may be sent (obmd's own authentication is the token). */
export function withoutCredentials(uri: string): string {
  return uri.replace(USERINFO, '$1');
}

/** A text fit for a message about `uri`: every trace of the URI's credentials masked. */
function scrubbed(text: string, uri: string): string {
  const userinfo = USERINFO.exec(uri)?.[2];
  if (!userinfo) return text;
  let out = text.split(uri).join(redactUri(uri));
  const parts = [userinfo, ...userinfo.split(':')].filter((p) => p.length >= 3);
  for (const p of [...parts, ...parts.map((p) => { try { return decodeURIComponent(p); } catch { return p; } })]) out = out.split(p).join('***');
  return out;
}

async function obmdCall(node: ObmdNode, method: 'POST' | 'DELETE'): Promise<Response> {
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
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new OBMError(`obmd at ${where} is unreachable: ${scrubbed(messageOf((e as Error).cause ?? e), uri)}`);
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel();
    throw new OBMError(`obmd at ${where} refused ${method} /token for node "${node.label}" (HTTP ${res.status})`);
  }
  return res;
}

/** Ask obmd for a new node token. */
export async function fetchObmdToken(node: ObmdNode): Promise<string> {
  const res = await obmdCall(node, 'POST');
  let body: unknown;
  try { body = await res.json(); } catch { body = null; }
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') throw new OBMError(`obmd at ${redactUri(node.obmd_uri ?? '')} answered without a token`);
  return token;
}

/** Revoke the node's current token at obmd. */
export async function revokeObmdToken(node: ObmdNode): Promise<void> {
  const res = await obmdCall(node, 'DELETE');
  await res.body?.cancel();
}
