// Outside services that answer too late: an obmd or a maintenance pool that takes longer than its
// `[timeouts]` setting is answered as unreachable (502 OBMError, 502 MaintenancePoolError) and
// changes nothing. The services here do answer, correctly, after a few seconds: with the default
// 10 s timeouts the calls would succeed, so these tests fail if the settings are not used.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startDaemon, type Daemon } from './lib/daemon.js';
import { session, label, createProject, registerNode, connectNode, expectError, expectEmptyOk, type Session } from './lib/fixtures.js';

/** Well beyond the 1 s the daemon is configured to wait, well within its default 10 s. */
const LATE_MS = 4000;

/** A service that answers every request correctly (200, a token) but only after LATE_MS; counts what it received. */
async function startLateService(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    const timer = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token": "late-token"}'), LATE_MS);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, received };
}

describe('[timeouts] obmd and maintenance_pool', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let late: Awaited<ReturnType<typeof startLateService>>;
  const root = { username: 'timeouts-root', password: 'timeouts-root-pw' };
  let admin: Session;

  before(async () => {
    late = await startLateService();
    d = await startDaemon({
      auth: 'database',
      admins: [root],
      config: `[maintenance]\nproject = maint\nurl = http://127.0.0.1:${late.port}/pool\n[timeouts]\nobmd = 1\nmaintenance_pool = 1\n`,
    });
    admin = session(d, root);
    expectEmptyOk(await admin.put('/v0/project/maint'));
  });
  after(async () => {
    await d?.cleanup();
    late?.server.closeAllConnections();
    await new Promise<void>((resolve) => (late ? late.server.close(() => resolve()) : resolve()));
  });

  it('answers 502 OBMError when obmd does not answer within [timeouts] obmd, and leaves the OBM disabled', async () => {
    const project = await createProject(admin);
    const n = label('late-obmd');
    expectEmptyOk(await admin.put(`/v0/node/${n}`, { obmd: { uri: `http://127.0.0.1:${late.port}/node/${n}`, admin_token: 't' } }));
    await connectNode(admin, project, n);
    const r = await admin.put(`/v0/node/${n}/obm`, { enabled: true });
    expectError(r, 502, 'OBMError');
    assert.match(r.json.msg, /^obmd at http:\/\/127\.0\.0\.1:\d+\/node\/.* is unreachable: .*timeout/);
    assert.ok(late.received.includes(`POST /node/${n}/token`), 'obmd was asked (the timeout, not a refused connection)');
    expectError(await admin.post(`/v0/node/${n}/power_on`), 409, 'BlockedError');
  });

  it('answers 502 MaintenancePoolError when the pool does not answer within [timeouts] maintenance_pool, and leaves the node in its project', async () => {
    const project = await createProject(admin);
    const n = await registerNode(admin);
    await connectNode(admin, project, n);
    const r = await admin.post(`/v0/project/${project}/detach_node`, { node: n });
    expectError(r, 502, 'MaintenancePoolError');
    assert.match(r.json.msg, /^the maintenance pool is unreachable: .*timeout/);
    assert.ok(late.received.includes('POST /pool'), 'the pool was asked');
    const nodes = await admin.get(`/v0/project/${project}/nodes`);
    assert.deepEqual(nodes.json, [n]);
  });
});
