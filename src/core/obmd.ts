// The client side of HIL's obmd (CCI-MOC/obmd): node tokens for nodes whose
// BMC is run by an external obmd. The admin token is a secret: it goes only
// into the Authorization header, never into a message or log.
import { OBMError, messageOf } from '../errors.js';

interface ObmdNode { label: string; obmd_uri: string | null; obmd_admin_token: string | null }

async function obmdCall(node: ObmdNode, method: 'POST' | 'DELETE'): Promise<Response> {
  const url = `${node.obmd_uri}/token`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { authorization: 'Basic ' + Buffer.from(`admin:${node.obmd_admin_token}`).toString('base64') },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new OBMError(`obmd at ${node.obmd_uri} is unreachable: ${messageOf((e as Error).cause ?? e)}`);
  }
  if (res.status < 200 || res.status > 299) {
    await res.body?.cancel();
    throw new OBMError(`obmd at ${node.obmd_uri} refused ${method} /token for node "${node.label}" (HTTP ${res.status})`);
  }
  return res;
}

/** Ask obmd for a new node token. */
export async function fetchObmdToken(node: ObmdNode): Promise<string> {
  const res = await obmdCall(node, 'POST');
  let body: unknown;
  try { body = await res.json(); } catch { body = null; }
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof token !== 'string' || token === '') throw new OBMError(`obmd at ${node.obmd_uri} answered without a token`);
  return token;
}

/** Revoke the node's current token at obmd. */
export async function revokeObmdToken(node: ObmdNode): Promise<void> {
  const res = await obmdCall(node, 'DELETE');
  await res.body?.cancel();
}
