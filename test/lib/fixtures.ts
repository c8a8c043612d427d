// Shared helpers for the black-box API tests: a caller's session, assertions on
// haas's answers, and builders for the inventory (projects, nodes, nics, switches,
// ports, users, networks). Builders fail loudly when the daemon refuses, so a test
// reads like the session a sysadmin would type.
//
// Stable exports (other test files import them): label, Session, session,
// Call, CallAs, caller, callerAs, ok, fails,
// expectStatus, expectError, expectEmptyOk, mockObm, MOCK_SWITCH_FIELDS,
// createProject, registerNode, registerNic, registerSwitch, registerPort,
// cableNic, createUser, addUserToProject, createNetwork, connectNode,
// enableObm, readStream.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { ApiResponse, Credentials, Daemon, RequestOptions } from './daemon.js';

let counter = 0;

/** A label unique within this test process: `<prefix>-<n>-<random>` (valid for every object type). */
export function label(prefix = 'x'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** One caller talking to one daemon: every request carries the same credentials. */
export interface Session {
  readonly auth: Credentials | null;
  request(method: string, path: string, opts?: Omit<RequestOptions, 'auth'>): Promise<ApiResponse>;
  get(path: string, opts?: Omit<RequestOptions, 'auth'>): Promise<ApiResponse>;
  put(path: string, body?: unknown, opts?: Omit<RequestOptions, 'auth' | 'body'>): Promise<ApiResponse>;
  post(path: string, body?: unknown, opts?: Omit<RequestOptions, 'auth' | 'body'>): Promise<ApiResponse>;
  patch(path: string, body?: unknown, opts?: Omit<RequestOptions, 'auth' | 'body'>): Promise<ApiResponse>;
  delete(path: string, body?: unknown, opts?: Omit<RequestOptions, 'auth' | 'body'>): Promise<ApiResponse>;
}

/** A session of `auth` (null: no Authorization header) on daemon `d`. */
export function session(d: Daemon, auth: Credentials | null): Session {
  const withBody = (method: string) => (path: string, body?: unknown, opts: Omit<RequestOptions, 'auth' | 'body'> = {}) =>
    d.request(method, path, { ...opts, ...(body === undefined ? {} : { body }), auth });
  return {
    auth,
    request: (method, path, opts = {}) => d.request(method, path, { ...opts, auth }),
    get: (path, opts = {}) => d.request('GET', path, { ...opts, auth }),
    put: withBody('PUT'),
    post: withBody('POST'),
    patch: withBody('PATCH'),
    delete: withBody('DELETE'),
  };
}

/** One request under /v0 as the daemon's default caller (no credentials: `auth = null` daemons, the unix socket's admin). */
export type Call = (method: string, path: string, body?: unknown) => Promise<ApiResponse>;

/** One request under /v0 as `auth` (null: no Authorization header). */
export type CallAs = (method: string, path: string, auth: Credentials | null, body?: unknown) => Promise<ApiResponse>;

/** A Call to the daemon `daemon()` returns at call time (tests start theirs in `before`, after the helpers are made). */
export function caller(daemon: () => Daemon): Call {
  return (method, path, body) => daemon().request(method, `/v0${path}`, { body });
}

/** A CallAs to the daemon `daemon()` returns at call time. */
export function callerAs(daemon: () => Daemon): CallAs {
  return (method, path, auth, body) => daemon().request(method, `/v0${path}`, { auth, body });
}

/** Assert the status (200 unless given) and hand the response back: `ok(await call(...)).json`. */
export function ok(r: ApiResponse, status = 200): ApiResponse {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  return r;
}

/** Assert a haas error: this status, exactly this type, a string msg matching `msg` if given. */
export function fails(r: ApiResponse, status: number, type: string, msg?: RegExp): void {
  assert.equal(r.status, status, `expected ${status} ${type}, got ${r.status}: ${r.text}`);
  assert.equal(r.json?.type, type, `expected ${type}, got ${r.text}`);
  assert.equal(typeof r.json.msg, 'string');
  if (msg) assert.match(r.json.msg, msg);
}

function describeResponse(r: ApiResponse): string {
  return `${r.status} ${r.text.slice(0, 500)}`;
}

/** Assert the status code (the message shows the body when it differs). */
export function expectStatus(r: ApiResponse, status: number, what = ''): void {
  assert.equal(r.status, status, `${what ? what + ': ' : ''}expected ${status}, got ${describeResponse(r)}`);
}

/** Assert a haas error: this status, a JSON body `{type, msg}` with a string msg, and (if given) this type. */
export function expectError(r: ApiResponse, status: number, type?: string | string[], what = ''): void {
  expectStatus(r, status, what);
  const prefix = what ? what + ': ' : '';
  assert.ok(r.json && typeof r.json === 'object', `${prefix}error body is not JSON: ${r.text}`);
  assert.equal(typeof r.json.msg, 'string', `${prefix}error has no msg: ${r.text}`);
  assert.equal(typeof r.json.type, 'string', `${prefix}error has no type: ${r.text}`);
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    assert.ok(types.includes(r.json.type), `${prefix}expected type ${types.join('|')}, got ${r.text}`);
  }
}

/** Assert a successful call without a result: 200 and an empty body (SPEC 3.8). */
export function expectEmptyOk(r: ApiResponse, what = ''): void {
  expectStatus(r, 200, what);
  assert.equal(r.text, '', `${what ? what + ': ' : ''}expected an empty body, got ${r.text}`);
}

function must(r: ApiResponse, what: string, ...ok: number[]): ApiResponse {
  const accepted = ok.length ? ok : [200];
  assert.ok(accepted.includes(r.status), `${what}: expected ${accepted.join('|')}, got ${describeResponse(r)}`);
  return r;
}

/** The body of a mock OBM for node_register (SPEC 3.2). */
export function mockObm(): { obm: { type: string; host: string; user: string; password: string } } {
  return { obm: { type: 'mock', host: 'bmc.example', user: 'root', password: 'bmc-secret' } };
}

/** Driver fields of a mock switch, for switch_register (SPEC 3.4). */
export const MOCK_SWITCH_FIELDS = { hostname: 'sw.example', username: 'sw-user', password: 'sw-secret' } as const;

/** PUT /v0/project/<label>; returns the label. */
export async function createProject(admin: Session, name = label('proj')): Promise<string> {
  must(await admin.put(`/v0/project/${name}`), `project_create ${name}`);
  return name;
}

/** Register a node with a mock OBM (optionally with metadata); returns its label. */
export async function registerNode(admin: Session, name = label('node'), metadata?: Record<string, unknown>): Promise<string> {
  must(await admin.put(`/v0/node/${name}`, { ...mockObm(), ...(metadata ? { metadata } : {}) }), `node_register ${name}`);
  return name;
}

/** Register a nic on a node; returns its label. */
export async function registerNic(admin: Session, node: string, nic = label('nic'), macaddr = 'de:ad:be:ef:00:01'): Promise<string> {
  must(await admin.put(`/v0/node/${node}/nic/${nic}`, { macaddr }), `node_register_nic ${node}/${nic}`);
  return nic;
}

/** Register a mock switch; returns its label. */
export async function registerSwitch(admin: Session, name = label('sw')): Promise<string> {
  must(await admin.put(`/v0/switch/${name}`, { type: 'mock', ...MOCK_SWITCH_FIELDS }), `switch_register ${name}`);
  return name;
}

/** Register a port on a switch (the port name goes in the URL path as is, `/` included). */
export async function registerPort(admin: Session, sw: string, port = 'gi1/0/1'): Promise<string> {
  must(await admin.put(`/v0/switch/${sw}/port/${port}`), `switch_register_port ${sw} ${port}`);
  return port;
}

/** Cable a node's nic to a switch port (port_connect_nic). */
export async function cableNic(admin: Session, sw: string, port: string, node: string, nic: string): Promise<void> {
  must(await admin.post(`/v0/switch/${sw}/port/${port}/connect_nic`, { node, nic }), `port_connect_nic ${sw} ${port}`);
}

/** Create a user through the API (database auth), optionally admin and member of projects; returns its credentials. */
export async function createUser(admin: Session, username = label('user'), opts: { isAdmin?: boolean; projects?: string[]; password?: string } = {}): Promise<Credentials> {
  const password = opts.password ?? `pw-${username}`;
  must(await admin.put(`/v0/auth/basic/user/${username}`, { password, is_admin: opts.isAdmin ?? false }), `user_create ${username}`);
  for (const p of opts.projects ?? []) await addUserToProject(admin, username, p);
  return { username, password };
}

/** user_add_project. */
export async function addUserToProject(admin: Session, username: string, project: string): Promise<void> {
  must(await admin.post(`/v0/auth/basic/user/${username}/add_project`, { project }), `user_add_project ${username} ${project}`);
}

/** network_create with (owner, access, net_id) as strings; returns the label. */
export async function createNetwork(s: Session, opts: { owner: string; access: string; net_id?: string }, name = label('net')): Promise<string> {
  must(await s.put(`/v0/network/${name}`, { owner: opts.owner, access: opts.access, net_id: opts.net_id ?? '' }), `network_create ${name}`);
  return name;
}

/** project_connect_node. */
export async function connectNode(s: Session, project: string, node: string): Promise<void> {
  must(await s.post(`/v0/project/${project}/connect_node`, { node }), `project_connect_node ${project} ${node}`);
}

/** node_enable_disable_obm. */
export async function enableObm(s: Session, node: string, enabled = true): Promise<void> {
  must(await s.put(`/v0/node/${node}/obm`, { enabled }), `node_enable_disable_obm ${node} ${enabled}`);
}

/** The start of a streaming answer (e.g. show_console): status, headers and the first bytes; the connection is then closed. */
export interface StreamStart { status: number; headers: Record<string, string | string[] | undefined>; bytes: Buffer; text: string }

/**
 * GET a streaming route, keep reading until `minBytes` arrived, the answer ended or
 * `timeoutMs` passed, then abort the request (the way a console viewer disconnects).
 */
export function readStream(d: Daemon, path: string, auth: Credentials | null, opts: { minBytes?: number; timeoutMs?: number } = {}): Promise<StreamStart> {
  const minBytes = opts.minBytes ?? 1;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ socketPath: d.socket, method: 'GET', path, headers }, (resp) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const bytes = Buffer.concat(chunks);
        req.destroy();
        resolve({ status: resp.statusCode ?? 0, headers: resp.headers, bytes, text: bytes.toString('utf8') });
      };
      const timer = setTimeout(finish, timeoutMs);
      resp.on('data', (c: Buffer) => { chunks.push(c); size += c.length; if (size >= minBytes) finish(); });
      resp.on('end', finish);
      resp.on('error', finish);
      resp.on('aborted', finish);
    });
    req.setTimeout(timeoutMs + 5000, () => req.destroy(new Error(`timeout GET ${path}`)));
    req.on('error', (e) => reject(e));
    req.end();
  });
}
