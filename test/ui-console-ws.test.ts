// The browser console (issue 17, docs/dashboard-api.md) on the built executable: a WebSocket to
// /v0/node/<n>/console/ws with the session cookie carries the mock OBM's console output in binary
// frames; it is refused without a session, with Basic alone, from another site's page (Origin),
// for a member of another project, and with a bad mode.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startDaemon, type Credentials, type Daemon } from './lib/daemon.js';
import { connectNode, createProject, createUser, enableObm, expectStatus, label, registerNode, session } from './lib/fixtures.js';

/** What became of a WebSocket handshake: the first binary message, or the HTTP refusal. */
type Outcome = { opened: true; first: Buffer; binary: boolean } | { opened: false; status: number; body: any };

function connect(d: Daemon, path: string, headers: Record<string, string>, origin: string | undefined): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${d.port}${path}`, { headers, ...(origin === undefined ? {} : { origin }) });
    ws.once('message', (data, binary) => {
      resolve({ opened: true, first: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }));
    });
    ws.once('error', (e) => reject(e));
  });
}

function refused(o: Outcome, status: number, type: string, what: string): void {
  assert.equal(o.opened, false, `${what}: the socket opened`);
  if (o.opened) return;
  assert.equal(o.status, status, `${what}: ${JSON.stringify(o.body)}`);
  assert.equal(o.body.type, type, what);
}

describe('the browser console socket', { timeout: 120_000 }, () => {
  let d: Daemon & { cleanup(): Promise<void> };
  const root = { username: 'ws-root', password: 'ws-root-pw' };
  let alice: Credentials;
  let bob: Credentials;
  let node: string;
  let aliceCookie: string;
  let bobCookie: string;
  let origin: string;

  async function cookieOf(who: Credentials): Promise<string> {
    const r = await d.request('POST', '/v0/session', { body: who, tcp: true });
    expectStatus(r, 200);
    return (r.headers['set-cookie'] as string[])[0]!.split(';')[0]!;
  }

  before(async () => {
    d = await startDaemon({ auth: 'database', admins: [root], config: '[drift]\ninterval = 0\n' });
    const admin = session(d, root);
    const pa = await createProject(admin, label('ws-pa'));
    const pb = await createProject(admin, label('ws-pb'));
    alice = await createUser(admin, label('ws-alice'), { projects: [pa] });
    bob = await createUser(admin, label('ws-bob'), { projects: [pb] });
    node = await registerNode(admin, label('ws-node'));
    await connectNode(admin, pa, node);
    await enableObm(session(d, alice), node);
    aliceCookie = await cookieOf(alice);
    bobCookie = await cookieOf(bob);
    origin = `http://127.0.0.1:${d.port}`;
  });
  after(async () => { await d?.cleanup(); });

  it('shows the node\'s console output in binary frames to a member signed in, from the daemon\'s own page', async () => {
    const o = await connect(d, `/v0/node/${node}/console/ws?mode=read-only`, { cookie: aliceCookie }, origin);
    assert.ok(o.opened, JSON.stringify(o));
    if (!o.opened) return;
    assert.equal(o.binary, true);
    assert.match(o.first.toString('utf8'), new RegExp(`mock console of ${node}`));
    const again = await connect(d, `/v0/node/${node}/console/ws`, { cookie: aliceCookie }, origin);
    assert.ok(again.opened, 'mode defaults to read-only');
  });

  it('refuses without a session, with Basic alone, and with a session that ended', async () => {
    refused(await connect(d, `/v0/node/${node}/console/ws`, {}, origin), 401, 'AuthorizationError', 'no cookie');
    const auth = 'Basic ' + Buffer.from(`${alice.username}:${alice.password}`).toString('base64');
    refused(await connect(d, `/v0/node/${node}/console/ws`, { authorization: auth }, origin), 401, 'AuthorizationError', 'Basic');
    const ended = await cookieOf(alice);
    const who = await d.request('GET', '/v0/session', { tcp: true, headers: { cookie: ended } });
    expectStatus(await d.request('DELETE', '/v0/session', { tcp: true, headers: { cookie: ended, 'x-csrf-token': who.json.csrf_token } }), 204);
    refused(await connect(d, `/v0/node/${node}/console/ws`, { cookie: ended }, origin), 401, 'AuthorizationError', 'signed out');
  });

  it('refuses a page of another site, and a handshake without an Origin', async () => {
    refused(await connect(d, `/v0/node/${node}/console/ws`, { cookie: aliceCookie }, 'https://evil.example'), 403, 'CsrfError', 'foreign origin');
    refused(await connect(d, `/v0/node/${node}/console/ws`, { cookie: aliceCookie }, `http://127.0.0.1:${d.port + 1}`), 403, 'CsrfError', 'another port');
    refused(await connect(d, `/v0/node/${node}/console/ws`, { cookie: aliceCookie }, undefined), 403, 'CsrfError', 'no origin');
  });

  it('refuses another project\'s member, an unknown node and a bad mode', async () => {
    refused(await connect(d, `/v0/node/${node}/console/ws`, { cookie: bobCookie }, origin), 401, 'AuthorizationError', 'bob');
    refused(await connect(d, `/v0/node/${label('ws-none')}/console/ws`, { cookie: aliceCookie }, origin), 404, 'NotFoundError', 'no such node');
    refused(await connect(d, `/v0/node/${node}/console/ws?mode=steal`, { cookie: aliceCookie }, origin), 400, 'BadArgumentError', 'bad mode');
  });

  it('tells a plain GET what the path is', async () => {
    const r = await d.request('GET', `/v0/node/${node}/console/ws`, { auth: alice, tcp: true });
    assert.equal(r.status, 400);
    assert.match(r.json.msg, /WebSocket/);
  });
});
