// HTTP/1.1 to the daemon over a unix socket or TCP (TLS for https): Basic auth, JSON bodies,
// every path under /v0, one 307 redirect followed (power and console calls of obmd nodes).
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiCallError, ConnectionError, type ConnectionProblem } from './errors.js';
import type { Endpoint } from './endpoint.js';

/** HTTP Basic credentials. */
export interface Credentials {
  username: string;
  password: string;
}

/** How to reach the daemon. */
export interface TransportOptions {
  endpoint: Endpoint;
  credentials?: Credentials;
  /** Milliseconds without an answer before a call fails; default 60 s. */
  timeoutMs?: number;
  /**
   * PEM certificate(s) of the CA that signed an https daemon's certificate (a lab's own CA); trusted
   * instead of the system's CAs. Not used for a redirect's foreign host.
   */
  ca?: string;
}

/** A completed call: status, the body text, and who answered when a redirect was followed. */
export interface HttpResponse {
  status: number;
  body: string;
  /** Set when the answer comes from a redirect's target (obmd), e.g. `http://obmd:8080`. */
  redirectedTo?: string;
}

/** One HTTP destination: the daemon itself, or where a redirect sent us. */
interface Target {
  description: string;
  options: RequestOptions;
  tls: boolean;
  /** Whether our Basic credentials go there (never to a redirect's foreign host). */
  withCredentials: boolean;
  /** For a unix socket: its path, to say what is wrong when nothing listens there. */
  socketPath?: string;
}

/** OpenSSL's verification failures that trusting the right CA cures (not a host-name mismatch). */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/** The ConnectionError for a request that failed before any answer, in words that say what to look at. */
function connectionFailure(target: Target, e: NodeJS.ErrnoException): ConnectionError {
  if (e instanceof ConnectionError) return e;
  const code = e.code ?? '';
  const fail = (why: string, problem?: ConnectionProblem) => new ConnectionError(`cannot reach ${target.description}: ${why}`, problem);
  if (target.socketPath !== undefined) {
    if (code === 'ENOENT') return fail(`no daemon is listening there (no socket ${target.socketPath}: ENOENT)`, 'no-daemon');
    if (code === 'ECONNREFUSED') {
      return fail(`no daemon is listening there (the socket ${target.socketPath} exists but nothing accepts on it: `
        + 'ECONNREFUSED; left behind by a daemon that stopped?)', 'no-daemon');
    }
    if (code === 'EACCES') return fail(`permission denied on the socket ${target.socketPath} (EACCES; the daemon's socket_group lets a group in)`);
  }
  if (UNTRUSTED_CERTIFICATE.has(code)) return fail(`its TLS certificate is not trusted: ${e.message} (${code})`, 'untrusted-certificate');
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return fail(`its TLS certificate is not valid now: ${e.message} (${code})`);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return fail(`its TLS certificate is not for this host name: ${e.message}`);
  return fail(e.code ?? e.message);
}

const API_PREFIX = '/v0';

/**
 * node:https, loaded on first use (the CLI on a unix socket never needs TLS). Through require, not
 * import(): a single executable has no dynamic import callback, but its require loads built-ins.
 */
function httpsRequest(): typeof import('node:https').request {
  return (createRequire(import.meta.url)('node:https') as typeof import('node:https')).request;
}
const DEFAULT_TIMEOUT_MS = 60_000;

/** Sends API calls to one daemon. */
export class Transport {
  private readonly timeoutMs: number;

  constructor(private readonly opts: TransportOptions) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The endpoint as the user wrote it. */
  get endpointText(): string {
    return this.opts.endpoint.text;
  }

  /** Send `method path` (path without /v0, segments already encoded) and read the whole answer. */
  async call(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    const { res, redirectedTo } = await this.open(method, path, body, { streaming: false });
    const text = await readBody(res, this.timeoutDescription(method, path));
    return { status: res.statusCode ?? 0, body: text, redirectedTo };
  }

  /**
   * Send `method path` and return the response stream of a 2xx answer (console); errors are thrown
   * as for call(). No timeout applies once the answer has started.
   */
  async stream(method: string, path: string): Promise<IncomingMessage> {
    const { res, redirectedTo } = await this.open(method, path, undefined, { streaming: true });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw apiError(status, await readBody(res, this.timeoutDescription(method, path)), redirectedTo);
  }

  /**
   * `GET path` asking to switch the connection to a raw two-way byte stream
   * (`Upgrade: tcp`; interactive headnode consoles). Resolves with the socket
   * once the daemon answers 101; an error answer is thrown as for call().
   */
  upgrade(path: string): Promise<Duplex> {
    const target = this.daemonTarget(path);
    const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'tcp' };
    const creds = this.opts.credentials;
    if (creds) headers.authorization = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
    return (async () => {
      const requestFn = target.tls ? httpsRequest() : httpRequest;
      return new Promise<Duplex>((resolve, reject) => {
        const agent = target.options.createConnection ? undefined : false;
        const req = requestFn({ ...target.options, method: 'GET', headers, agent });
        req.setTimeout(this.timeoutMs, () => req.destroy(new ConnectionError(`no answer from ${target.description}`)));
        req.on('error', (e: NodeJS.ErrnoException) => reject(connectionFailure(target, e)));
        req.on('upgrade', (_res, socket, head) => {
          req.setTimeout(0);
          if (head.length > 0) socket.unshift(head);
          resolve(socket);
        });
        req.on('response', (res) => {
          readBody(res, `GET ${path}`).then((text) => reject(apiError(res.statusCode ?? 0, text)), reject);
        });
        req.end();
      });
    })();
  }

  private timeoutDescription(method: string, path: string): string {
    return `${method} ${path} at ${this.opts.endpoint.text}`;
  }

  private daemonTarget(path: string): Target {
    const e = this.opts.endpoint;
    const description = `haas at ${e.text}`;
    if (e.kind === 'unix') {
      // A connection of our own instead of an Agent: the Agent's TLS server-name check costs ~5 ms of
      // regex compilation at start-up, a tenth of the CLI's whole budget, for nothing on a socket.
      const socketPath = e.socketPath;
      return {
        description, tls: false, withCredentials: true, socketPath,
        options: { path: API_PREFIX + path, createConnection: () => connect({ path: socketPath }) },
      };
    }
    const tls = e.kind === 'https';
    return {
      description,
      tls,
      withCredentials: true,
      options: { host: e.host, port: e.port, path: e.basePath + API_PREFIX + path, ...(tls && this.opts.ca !== undefined ? { ca: this.opts.ca } : {}) },
    };
  }

  private async open(method: string, path: string, body: unknown, mode: { streaming: boolean }): Promise<{ res: IncomingMessage; redirectedTo?: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const first = this.daemonTarget(path);
    const res = await this.send(first, method, payload, mode);
    if (res.statusCode !== 307) return { res };
    // obmd nodes: the daemon sends power/console calls to obmd; 307 keeps method and body.
    const location = res.headers.location;
    res.resume();
    if (!location) throw new ApiCallError(307, 'HTTP 307', 'redirect without a Location header');
    const second = this.redirectTarget(location, first);
    const again = await this.send(second, method, payload, mode);
    if (again.statusCode !== undefined && again.statusCode >= 300 && again.statusCode < 400) {
      again.resume();
      throw new ApiCallError(again.statusCode, `HTTP ${again.statusCode}`, `too many redirects (from ${location})`);
    }
    return { res: again, redirectedTo: second.description };
  }

  private redirectTarget(location: string, from: Target): Target {
    if (location.startsWith('/')) return { ...from, options: { ...from.options, path: location } };
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new ApiCallError(307, 'HTTP 307', `redirect to an invalid location: ${location}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ApiCallError(307, 'HTTP 307', `redirect to an unsupported location: ${location}`);
    }
    const tls = url.protocol === 'https:';
    return {
      description: `${url.protocol}//${url.host}`,
      tls,
      withCredentials: false,
      options: {
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? (tls ? 443 : 80) : Number(url.port),
        path: url.pathname + url.search,
      },
    };
  }

  private async send(target: Target, method: string, payload: string | undefined, mode: { streaming: boolean }): Promise<IncomingMessage> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const creds = this.opts.credentials;
    if (creds && target.withCredentials) {
      headers.authorization = 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
    }
    // https is loaded only when needed: it pulls in TLS, which the common unix-socket case never uses.
    const requestFn = target.tls ? httpsRequest() : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      let req: ClientRequest;
      try {
        // No keep-alive (the CLI makes a call or a few); a target with createConnection needs no agent.
        const agent = target.options.createConnection ? undefined : false;
        req = requestFn({ ...target.options, method, headers, agent });
      } catch (e) {
        reject(new ConnectionError(`cannot reach ${target.description}: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(new ConnectionError(`no answer from ${target.description} within ${Math.round(this.timeoutMs / 1000)}s`));
      });
      req.on('error', (e: NodeJS.ErrnoException) => reject(connectionFailure(target, e)));
      req.on('response', (res) => {
        if (mode.streaming) req.setTimeout(0);
        resolve(res);
      });
      req.end(payload);
    });
  }
}

function readBody(res: IncomingMessage, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => { text += chunk; });
    res.on('end', () => resolve(text));
    res.on('error', (e) => reject(new ConnectionError(`${what}: ${e.message}`)));
    res.on('aborted', () => reject(new ConnectionError(`${what}: connection closed before the answer was complete`)));
  });
}

/**
 * The ApiCallError for a non-2xx answer: the server's {"type","msg"}, or the raw text of a foreign one
 * (`redirectedTo` names who answered after a redirect, e.g. obmd).
 */
export function apiError(status: number, body: string, redirectedTo?: string): ApiCallError {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && 'type' in parsed && 'msg' in parsed
      && typeof parsed.type === 'string' && typeof parsed.msg === 'string') {
      return new ApiCallError(status, parsed.type, parsed.msg);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim() || '(empty answer)';
  return new ApiCallError(status, `HTTP ${status}`, redirectedTo ? `${redirectedTo} answered: ${text}` : text);
}
