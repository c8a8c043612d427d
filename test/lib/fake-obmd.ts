// A fake obmd (CCI-MOC/obmd) for tests: node:http on 127.0.0.1, random port.
// It implements the calls haas makes, POST and DELETE <node uri>/token with
// HTTP Basic `admin:<admin_token>` (a fresh token per POST), and POST <node
// uri>/power_off?token=<node token> (a lease's release); it records every call.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';

/** One request the fake obmd received. */
export interface ObmdCall {
  method: string;
  /** Path without the query string, e.g. `/node/n1/token`. */
  path: string;
  /** The user and password of the Basic Authorization header, if any. */
  user?: string;
  password?: string;
}

/** A running fake obmd; `uri(node)` is what node_register's `obmd.uri` should be. */
export interface FakeObmd {
  readonly port: number;
  readonly calls: ObmdCall[];
  /** `http://127.0.0.1:<port>/node/<node>`, with the admin token that obmd will accept for it. */
  addNode(node: string, adminToken: string): string;
  /** The node's uri under this obmd (whether or not the node was added). */
  uri(node: string): string;
  /** The token handed out last for a node (undefined once revoked). */
  currentToken(node: string): string | undefined;
  /** Every token ever handed out for a node, oldest first. */
  tokensIssued(node: string): string[];
  /** The power state a node was last put in through obmd (undefined: never). */
  power(node: string): 'off' | undefined;
  /** Calls received for one node. */
  callsFor(node: string): ObmdCall[];
  close(): Promise<void>;
}

function basicAuth(req: IncomingMessage): { user?: string; password?: string } {
  const h = req.headers.authorization;
  if (!h || !h.startsWith('Basic ')) return {};
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? { user: decoded } : { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** Start a fake obmd. Nodes it does not know, and wrong admin tokens, get 401 like obmd's. */
export async function startFakeObmd(): Promise<FakeObmd> {
  const adminTokens = new Map<string, string>();
  const current = new Map<string, string>();
  const issued = new Map<string, string[]>();
  const calls: ObmdCall[] = [];
  const powered = new Map<string, 'off'>();

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const auth = basicAuth(req);
    calls.push({ method: req.method ?? '', path, ...auth });
    req.resume();
    const off = /^\/node\/([^/]+)\/power_off$/.exec(path);
    if (off && req.method === 'POST') {
      const node = decodeURIComponent(off[1]!);
      const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
      if (token === null || token !== current.get(node)) { res.writeHead(401).end('unauthorized'); return; }
      powered.set(node, 'off');
      res.writeHead(200).end();
      return;
    }
    const m = /^\/node\/([^/]+)\/token$/.exec(path);
    const node = m ? decodeURIComponent(m[1]!) : undefined;
    if (node === undefined) { res.writeHead(404).end(); return; }
    const expected = adminTokens.get(node);
    if (expected === undefined || auth.user !== 'admin' || auth.password !== expected) {
      res.writeHead(401, { 'content-type': 'text/plain' }).end('unauthorized');
      return;
    }
    if (req.method === 'POST') {
      const token = randomBytes(16).toString('hex');
      current.set(node, token);
      issued.set(node, [...(issued.get(node) ?? []), token]);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    } else if (req.method === 'DELETE') {
      current.delete(node);
      res.writeHead(200).end();
    } else {
      res.writeHead(405).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const uri = (node: string) => `http://127.0.0.1:${port}/node/${node}`;

  return {
    port,
    calls,
    addNode(node, adminToken) { adminTokens.set(node, adminToken); return uri(node); },
    uri,
    currentToken: (node) => current.get(node),
    tokensIssued: (node) => issued.get(node) ?? [],
    power: (node) => powered.get(node),
    callsFor: (node) => calls.filter((c) => c.path.startsWith(`/node/${node}/`)),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
