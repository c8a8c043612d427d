// Where the daemon listens: `unix:/path/to.sock`, `http://host:port` or `https://host:port`.

/** A parsed endpoint; `basePath` is any path prefix of a URL endpoint (without trailing slash). */
export type Endpoint =
  | { kind: 'unix'; socketPath: string; text: string }
  | { kind: 'http' | 'https'; host: string; port: number; basePath: string; text: string };

/** Parse an endpoint string; throws an Error with a readable message when it is malformed. */
export function parseEndpoint(text: string): Endpoint {
  if (text.startsWith('unix:')) {
    // `unix:/p`, `unix:///p` and `unix:relative/p` all name a socket file.
    const socketPath = text.slice('unix:'.length).replace(/^\/\/(?=\/)/, '');
    if (socketPath === '') throw new Error(`invalid endpoint "${text}": no socket path after "unix:"`);
    return { kind: 'unix', socketPath, text };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`invalid endpoint "${text}": expected unix:/path/to.sock, http://host:port or https://host:port`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`invalid endpoint "${text}": unsupported scheme "${url.protocol}" (use unix:, http: or https:)`);
  }
  if (url.username || url.password) {
    throw new Error(`invalid endpoint "${text}": credentials do not belong in the endpoint (use --username and HAAS_PASSWORD)`);
  }
  if (url.search || url.hash) throw new Error(`invalid endpoint "${text}": no query or fragment allowed`);
  const kind = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (kind === 'https' ? 443 : 80) : Number(url.port);
  // URL keeps IPv6 literals in brackets; node:http wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { kind, host, port, basePath: url.pathname.replace(/\/+$/, ''), text };
}
