// The route table: each API call is declared once with its method, path,
// body schema and handler; it is served under /v0 and without the prefix.
// Authentication happens before any route runs (401 before 400 and 404).
import type { Context, Hono } from 'hono';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { Core, Principal } from '../core/context.js';
import { PayloadTooLargeError, ValidationError } from '../errors.js';
import { RateLimitError } from '../core/login-throttle.js';
import { parseBody, type BodyOf, type BodySchema } from './body.js';
import { sourceOf, sourceOfSocket, startStream } from './connections.js';
import { auditedCall, auditSource, type CallEntry, type DetailValue, type EnterCall, type FailedAnswer } from '../core/audit.js';
import { AUDITED_ROUTES, type AuditedRoute } from './audit-ops.js';
import { errorAnswer } from './errors-http.js';

const MAX_BODY = 1024 * 1024;

/** What a handler returns: nothing (200, empty body), a JSON value (204: no body), or a special answer. */
export type Answer = void | undefined | { json: unknown; status?: number; headers?: Record<string, string> } | { redirect: string }
  | { stream: Readable; contentType?: string };

/** The request as a handler may read it beyond its body: headers, where it came from, whether over TLS. */
export interface RequestInfo {
  header(name: string): string | undefined;
  source: string;
  secure: boolean;
}

/** What a handler gets. */
export interface Call<B> {
  core: Core;
  p: Principal;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  body: B;
  query: Record<string, string>;
  /** Where the call came from, as the audit trail names it ("socket" or the client's address). */
  source: string;
  request: RequestInfo;
}

/** A declared route: what the API document says of it, and what mounting it needs. */
export interface RouteDef {
  method: string;
  /** The path as written, in Hono syntax (`/node/:node`), without the /v0 prefix. */
  path: string;
  pattern: RegExp;
  schema: BodySchema;
  /** The query parameters the route takes. */
  queryKeys: readonly string[];
  /** Whether the route answers without credentials. */
  public: boolean;
}

/** A route's handler, for any body (each route's is typed by its schema where declared). */
type Handler = (call: Call<unknown>) => Answer | Promise<Answer>;

/** Collects routes (the route table, also read by the API document) and mounts them on a Hono app. */
export class Router {
  readonly defs: RouteDef[] = [];
  private readonly handlers: Handler[] = [];
  /** Paths (with and without /v0) that answer without credentials, with the methods that do. */
  private readonly publicPaths = new Map<string, Set<string>>();

  /** Declare a route that needs no credentials (a fixed path, no parameters): its handler gets an anonymous principal. */
  public<S extends BodySchema>(method: string, path: string, schema: S, handler: (call: Call<BodyOf<S>>) => Answer | Promise<Answer>): void {
    for (const p of [path, '/v0' + path]) this.publicPaths.set(p, (this.publicPaths.get(p) ?? new Set()).add(method));
    this.declare(method, path, schema, handler, [], true);
  }

  /**
   * Whether a request is for a public route (the authentication middleware lets it through); a
   * method no route of a public path takes is let through too, to its 405 (GET /session is not public).
   */
  isPublic(method: string, path: string): boolean {
    const methods = this.publicPaths.get(path);
    return methods !== undefined && (methods.has(method) || !this.methodsFor(path).includes(method));
  }

  /**
   * Declare a route. `path` uses Hono syntax (`/node/:node`, `:port{.+}`);
   * `queryKeys` lists the query parameters the route takes (any other is a 400).
   */
  on<S extends BodySchema>(method: string, path: string, schema: S,
    handler: (call: Call<BodyOf<S>>) => Answer | Promise<Answer>, queryKeys: string[] = []): void {
    this.declare(method, path, schema, handler, queryKeys, false);
  }

  private declare<S extends BodySchema>(method: string, path: string, schema: S,
    handler: (call: Call<BodyOf<S>>) => Answer | Promise<Answer>, queryKeys: string[], isPublic: boolean): void {
    if (method !== 'GET' && AUDITED_ROUTES[`${method} ${path}`] === undefined) {
      throw new Error(`${method} ${path} changes state but has no audit name: add it to src/server/audit-ops.ts`);
    }
    this.defs.push({ method, path, pattern: patternOf(path), schema, queryKeys, public: isPublic });
    // The body reaching the handler is the one parseBody checked against this schema.
    this.handlers.push(handler as Handler);
  }

  /** Serve every declared route on the app, under /v0 and without the prefix. */
  mount(app: Hono<AppEnv>, core: Core): void {
    this.defs.forEach((def, i) => mountRoute(app, core, def, this.handlers[i]!));
  }

  /** The methods that some route takes for this path (for 405 vs 404). */
  methodsFor(path: string): string[] {
    const p = path.startsWith('/v0/') ? path.slice(3) : path;
    return this.defs.filter((d) => d.pattern.test(p)).map((d) => d.method);
  }
}

/**
 * What the app keeps per request: `p`, the caller (set by authentication); `route`, the template the
 * request matched (`/v0/node/:node`), set by the route that serves it: its metrics label and access-log route.
 */
export interface AppEnv { Variables: { p: Principal; route: string } }

/**
 * What a handler gets, built once per request. Where the call came from and the request's own
 * details are read when a handler asks for them (most never do): a cheap GET pays for neither.
 */
class RouteCall implements Call<unknown> {
  private sourceSeen: string | undefined;
  private requestSeen: RequestInfo | undefined;
  constructor(readonly core: Core, readonly p: Principal, readonly params: Record<string, string>, readonly body: unknown,
    readonly query: Record<string, string>, private readonly c: Context) {}
  get source(): string { return this.sourceSeen ??= auditSource(this.request.source); }
  get request(): RequestInfo { return this.requestSeen ??= requestInfo(this.c); }
}

function mountRoute(app: Hono<AppEnv>, core: Core, def: RouteDef, handler: Handler): void {
  const { method, path, schema, queryKeys } = def;
  const audited = method === 'GET' ? null : AUDITED_ROUTES[`${method} ${path}`] ?? null;
  const serve = async (c: Context<AppEnv>, params: Record<string, string>, entry: CallEntry | null, enter: EnterCall | null) => {
    const query = checkQuery(c, queryKeys);
    const text = hasBody(c) ? await readBody(c, method) : '';
    const body = parseBody(schema, text);
    if (entry && audited) noteBody(entry, audited, body);
    const call = new RouteCall(core, c.get('p'), params, body, query, c);
    // A route that reads only (a GET) runs in one read transaction: see Inventory.read.
    const answer = enter ? await enter(() => handler(call)) : await core.inv.read(() => handler(call));
    return respond(c, answer);
  };
  // Each template is mounted on its own, so that its handler knows which one the request matched.
  for (const template of ['/v0' + path, path]) {
    app.on(method, template, (c) => {
      c.set('route', template);
      const params = c.req.param() as Record<string, string>;
      if (!audited) return serve(c, params, null, null);
      const socket = incomingOf(c)?.socket;
      const entry = callEntry(audited, c.get('p'), params, auditSource(sourceOfSocket(socket)));
      return auditedCall(core.inv, core.log, entry, failedAnswer, (enter) => serve(c, params, entry, enter));
    });
  }
}

/** A write call's audit entry before its body is read: the path's labels name its targets. */
function callEntry(route: AuditedRoute, p: Principal, params: Record<string, string>, source: string): CallEntry {
  const detail: Record<string, DetailValue> = {};
  for (const [k, v] of Object.entries(params)) if (k !== 'node' && k !== 'network') detail[k] = v;
  return {
    operation: route.operation, actor: p.user, source, detail,
    targets: {
      node: params.node ?? null, network: params.network ?? null, headnode: params.headnode ?? null,
      switch: params.switch ?? null, port: params.port ?? null, projects: params.project === undefined ? [] : [params.project],
    },
  };
}

/** Add the body's listed keys to the entry (node, network, project, owner and access also name targets). */
function noteBody(entry: CallEntry, route: AuditedRoute, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const values = body as Record<string, unknown>;
  const projects = [...(entry.targets.projects ?? [])];
  for (const key of route.body ?? []) {
    const v = values[key];
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
    if (key === 'node' && typeof v === 'string') entry.targets.node = v;
    else if (key === 'network' && typeof v === 'string') entry.targets.network = v;
    else entry.detail[key] = v;
    if ((key === 'project' || key === 'owner' || key === 'access') && typeof v === 'string' && v !== '') projects.push(v);
  }
  entry.targets.projects = projects;
}

/** How a thrown value is answered, for the trail; a storage failure (503) cannot be recorded: null. */
function failedAnswer(e: unknown): FailedAnswer {
  const a = errorAnswer(e, { challenge: false });
  return a.body.type === 'StorageError' ? null : { status: a.status, type: a.body.type };
}

function patternOf(path: string): RegExp {
  const re = path.replace(/[.*+?^${}()|[\]\\]/g, (ch) => (ch === '{' || ch === '}' ? ch : '\\' + ch))
    .replace(/:[a-z_]+\{\\\.\\\+\}/gi, '.+')
    .replace(/:[a-z_]+/gi, '[^/]+');
  return new RegExp('^' + re + '$');
}

function checkQuery(c: Context, allowed: readonly string[]): Record<string, string> {
  const url = c.req.url;
  const q = url.indexOf('?');
  if (q < 0) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) {
    if (!allowed.includes(k)) throw new ValidationError(`Unexpected query parameter "${k}".`);
    if (v === '') throw new ValidationError(`Query parameter "${k}" must not be empty.`);
    out[k] = v;
  }
  return out;
}

/** Whether a request says it carries a body (a length other than 0, or chunked). */
function hasBody(c: Context): boolean {
  const len = header(c, 'content-length');
  return (len !== undefined && len !== '0') || header(c, 'transfer-encoding') !== undefined;
}

/** The request's body text, for one that has one (hasBody). */
async function readBody(c: Context, method: string): Promise<string> {
  const len = header(c, 'content-length');
  // The node adapter hands no body to GET requests: a declared one is refused as such.
  if (method === 'GET' || method === 'HEAD') throw new ValidationError('A GET request takes no body.');
  const tooLarge = () => {
    // The rest of the body is not read: the connection closes after the answer.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) outgoing.shouldKeepAlive = false;
    return new PayloadTooLargeError(`The request body exceeds ${MAX_BODY} bytes.`);
  };
  if (len !== undefined && Number(len) > MAX_BODY) throw tooLarge();
  const incoming = incomingOf(c);
  if (!incoming) {
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_BODY) throw tooLarge();
    return text;
  }
  return readCapped(incoming, tooLarge);
}

/** Read a request body of at most MAX_BODY bytes; a longer one (e.g. chunked) is refused as soon as it passes the cap. */
function readCapped(incoming: IncomingMessage, tooLarge: () => Error): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (fn: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      fn();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) { chunks.push(chunk); return; }
      incoming.pause();
      settle(() => reject(tooLarge()));
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks).toString('utf8')));
    const onError = (e: Error) => settle(() => reject(e));
    const onAborted = () => settle(() => reject(new ValidationError('The client closed the connection before the body was complete.')));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

function respond(c: Context, a: Answer): Response {
  if (a === undefined) return c.body(null, 200);
  if ('redirect' in a) return c.redirect(a.redirect, 307);
  if ('stream' in a) {
    const socket = incomingOf(c)?.socket;
    if (socket && !startStream(socket)) {
      a.stream.destroy();
      throw new RateLimitError(`${sourceOf(socket)} already holds as many console and event streams as it may (streams_per_source); close one first.`, 1);
    }
    const web = NodeReadable.toWeb(a.stream) as unknown as ReadableStream<Uint8Array>;
    return new Response(web, { status: 200, headers: { 'content-type': a.contentType ?? 'application/octet-stream', 'cache-control': 'no-store' } });
  }
  if (a.status === 204) return c.body(null, 204, a.headers);
  return c.json(a.json as object, (a.status ?? 200) as 200, a.headers);
}

/** What a handler may read of the request. */
function requestInfo(c: Context): RequestInfo {
  const socket = incomingOf(c)?.socket;
  return { header: (name) => header(c, name), source: sourceOfSocket(socket), secure: socket instanceof TLSSocket };
}

/** The request's node IncomingMessage (none when the app is called without a server, as in tests). */
export function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/**
 * A request header, read from node's IncomingMessage when there is one:
 * asking Hono builds a whole Headers object per request, a measurable part
 * of a cheap GET.
 */
export function header(c: Context, name: string): string | undefined {
  const incoming = incomingOf(c);
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Shorthand for a JSON answer. */
export function json(value: unknown, status = 200): Answer { return { json: value, status }; }
