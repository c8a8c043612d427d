// Credentials written into a URI (`http://user:pass@host/...`, e.g. an obmd URI or the
// maintenance pool's URL): masked for messages, stripped for clients (fetch refuses them
// and would quote them), sent as a Basic Authorization header where they are meant.

const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/** The URI fit for a message: credentials in it masked as `***`. */
export function redactUri(uri: string): string {
  return uri.replace(USERINFO, '$1***@');
}

/** The URI without its credentials: where a client may be sent (obmd's own authentication is the token). */
export function withoutCredentials(uri: string): string {
  return uri.replace(USERINFO, '$1');
}

/** The credentials written into the URI (`user:pass`), if any. */
export function userinfoOf(uri: string): string | undefined {
  return USERINFO.exec(uri)?.[2];
}

/** The Basic Authorization header of the credentials written into the URI, if any. */
export function basicAuthOf(uri: string): string | undefined {
  const userinfo = userinfoOf(uri);
  if (!userinfo) return undefined;
  const decode = (p: string) => { try { return decodeURIComponent(p); } catch { return p; } };
  const at = userinfo.indexOf(':');
  const user = decode(at < 0 ? userinfo : userinfo.slice(0, at));
  const password = at < 0 ? '' : decode(userinfo.slice(at + 1));
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** A text fit for a message about `uri`: every trace of the URI's credentials (raw or decoded) masked. */
export function scrubbed(text: string, uri: string): string {
  const userinfo = userinfoOf(uri);
  if (!userinfo) return text;
  let out = text.split(uri).join(redactUri(uri));
  const parts = [userinfo, ...userinfo.split(':')].filter((p) => p.length >= 3);
  for (const p of [...parts, ...parts.map((p) => { try { return decodeURIComponent(p); } catch { return p; } })]) out = out.split(p).join('***');
  return out;
}
