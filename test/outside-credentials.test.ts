// Credentials written into the maintenance pool's URL (`[maintenance] url =
// http://user:pass@host/...`): the pool gets them as Basic authentication (as HIL's
// client, python-requests, sends them), and no answer ever quotes them, even when the
// pool cannot be reached (project members see that 502).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startDaemon, freePort, type Daemon } from './lib/daemon.js';
import { session, createProject, registerNode, connectNode, expectError, expectEmptyOk, type Session } from './lib/fixtures.js';

const USER = 'pool-user';
const PASSWORD = 'p@ss-w0rd';
const USERINFO = `${USER}:${encodeURIComponent(PASSWORD)}`;
const root = { username: 'pool-root', password: 'pool-root-pw' };

/** A pool that records each request's method, path and Authorization header, and answers 200. */
async function startPool(): Promise<{ server: Server; port: number; received: Array<{ line: string; authorization?: string }> }> {
  const received: Array<{ line: string; authorization?: string }> = [];
  const server = createServer((req, res) => {
    received.push({ line: `${req.method} ${req.url}`, authorization: req.headers.authorization });
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, received };
}

async function daemonWithPool(url: string): Promise<{ d: Daemon & { cleanup(): Promise<void> }; admin: Session }> {
  const d = await startDaemon({ auth: 'database', admins: [root], config: `[maintenance]\nproject = maint\nurl = ${url}\n` });
  const admin = session(d, root);
  expectEmptyOk(await admin.put('/v0/project/maint'));
  return { d, admin };
}

describe('[maintenance] url with credentials', () => {
  let pool: Awaited<ReturnType<typeof startPool>>;
  const daemons: Array<{ cleanup(): Promise<void> }> = [];
  before(async () => { pool = await startPool(); });
  after(async () => {
    for (const d of daemons) await d.cleanup();
    await new Promise<void>((resolve) => (pool ? pool.server.close(() => resolve()) : resolve()));
  });

  it('sends them to the pool as Basic authentication, not in the URL', async () => {
    const { d, admin } = await daemonWithPool(`http://${USERINFO}@127.0.0.1:${pool.port}/pool`);
    daemons.push(d);
    const project = await createProject(admin);
    const n = await registerNode(admin);
    await connectNode(admin, project, n);
    expectEmptyOk(await admin.post(`/v0/project/${project}/detach_node`, { node: n }));
    assert.deepEqual(pool.received, [{ line: 'POST /pool', authorization: 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64') }]);
    assert.deepEqual((await admin.get('/v0/project/maint/nodes')).json, [n]);
  });

  it('never quotes them when the pool cannot be reached', async () => {
    const closed = await freePort();
    const { d, admin } = await daemonWithPool(`http://${USERINFO}@127.0.0.1:${closed}/pool`);
    daemons.push(d);
    const project = await createProject(admin);
    const n = await registerNode(admin);
    await connectNode(admin, project, n);
    const r = await admin.post(`/v0/project/${project}/detach_node`, { node: n });
    expectError(r, 502, 'MaintenancePoolError');
    assert.match(r.json.msg, /^the maintenance pool is unreachable: /);
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), USER]) assert.ok(!r.text.includes(secret), `the answer quotes "${secret}": ${r.text}`);
    assert.deepEqual((await admin.get(`/v0/project/${project}/nodes`)).json, [n]);
  });
});
