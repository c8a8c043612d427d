// The dashboard's only way to the daemon: fetch on /v0 with the session cookie (sent by the
// browser, HttpOnly) and, on writes, the CSRF token the sign-in answered (kept in memory only).
/** An answer of the API that was not 2xx: its status, HIL error type and message, shown as they are. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSignedOut: (() => void) | null = null;

/** Remember the CSRF token of the current session (null after sign-out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the API answers 401 to a request of a signed-in page: the session ended or expired. */
export function onUnauthorized(handler: () => void): void {
  onSignedOut = handler;
}

/** Call the API; resolves to the parsed JSON body (undefined when empty); rejects with ApiError. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const r = await fetch(`/v0${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown;
  try { parsed = text === '' ? undefined : JSON.parse(text); } catch { parsed = undefined; }
  if (!r.ok) {
    const err = (parsed ?? {}) as { type?: string; msg?: string };
    // HIL answers 401 for "not yours" too: only a session that GET /v0/session no longer knows is signed out.
    if (r.status === 401 && path !== '/session' && onSignedOut) void checkSession();
    throw new ApiError(r.status, err.type ?? `HTTP ${r.status}`, err.msg ?? (text || r.statusText));
  }
  return parsed as T;
}

/** Ask whether the session still holds; tell the page when it does not. */
async function checkSession(): Promise<void> {
  const r = await fetch('/v0/session', { credentials: 'same-origin' }).catch(() => null);
  if (r?.status === 401) onSignedOut?.();
}

/** A path segment, escaped. */
export const seg = (s: string): string => encodeURIComponent(s);

/** What GET /v0/whoami answers. */
export interface WhoAmI { user: string | null; is_admin: boolean; projects: string[] }

/** One node of GET /v0/node_details. */
export interface NodeDetail {
  name: string;
  project: string | null;
  lease: null | { ends_at: string; state: string };
  obm: { type: string; enabled: boolean };
  power: null | { state: 'on' | 'off'; since: string };
  nics: { label: string; macaddr: string; networks: Record<string, string>; switch?: string | null; port?: string | null }[];
}

/** Every node the caller may see, through all pages of GET /v0/node_details. */
export async function allNodeDetails(query = ''): Promise<NodeDetail[]> {
  const nodes: NodeDetail[] = [];
  let after: string | null = null;
  do {
    const q: string = `?limit=1000${query}${after === null ? '' : `&after=${seg(after)}`}`;
    const page: { nodes: NodeDetail[]; next: string | null } = await api('GET', `/node_details${q}`);
    nodes.push(...page.nodes);
    after = page.next;
  } while (after !== null);
  return nodes;
}

/** One entry of GET /v0/audit. */
export interface AuditEntry {
  id: number; time: string; actor: string | null; source: string; operation: string; outcome: string;
  status: number | null; error_type: string | null; node: string | null; network: string | null; projects: string[];
  detail: Record<string, unknown> | null;
}

/** GET /v0/networking_action/<id>/details. */
export interface ActionDetail { status: string; node: string; nic: string; type: string; channel: string; new_network: string | null; message?: string | null }
