// Credentials written into a URI (`http://user:pass@host/...`, e.g. an obmd URI):
// masked for messages, stripped for clients, read for the one request that needs them.

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
