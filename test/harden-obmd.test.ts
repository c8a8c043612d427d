// obmd URIs with credentials are secrets (issue 11): a project member enabling the OBM of a node
// whose obmd refuses, or cannot be reached, gets a 502 naming obmd with the credentials masked,
// and neither the OBM audit trail nor the daemon's log holds them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startDaemon, freePort, type Daemon } from './lib/daemon.js';
import { startFakeObmd, type FakeObmd } from './lib/fake-obmd.js';
import { session, label, createProject, createUser, connectNode, expectError, expectEmptyOk, type Session } from './lib/fixtures.js';

describe('obmd URIs with credentials', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let obmd: FakeObmd;
  let admin: Session;
  let member: Session;
  let project: string;
  const root = { username: 'obmd-root', password: 'obmd-root-pw' };
  const uriPassword = `uri-pw-${randomBytes(6).toString('hex')}`;
  const uriUser = `uri-user-${randomBytes(4).toString('hex')}`;
  const answers: string[] = [];

  before(async () => {
    obmd = await startFakeObmd();
    d = await startDaemon({ auth: 'database', admins: [root] });
    admin = session(d, root);
    project = await createProject(admin);
    member = session(d, await createUser(admin, label('obmd-member'), { projects: [project] }));
  });
  after(async () => {
    await d?.cleanup();
    await obmd?.close();
  });

  /** A node of the member's project whose obmd URI carries credentials. */
  async function node(uriOf: (node: string, adminToken: string) => string): Promise<string> {
    const n = label('obmd-cred');
    const adminToken = `tok-${randomBytes(6).toString('hex')}`;
    expectEmptyOk(await admin.put(`/v0/node/${n}`, { obmd: { uri: uriOf(n, adminToken), admin_token: adminToken } }));
    await connectNode(admin, project, n);
    return n;
  }
  const withCredentials = (uri: string) => uri.replace('http://', `http://${uriUser}:${uriPassword}@`);

  it('masks them in the 502 when obmd refuses', async () => {
    const n = await node((n) => withCredentials(obmd.uri(n))); // unknown to obmd: 401
    const r = await member.put(`/v0/node/${n}/obm`, { enabled: true });
    answers.push(r.text);
    expectError(r, 502, 'OBMError');
    assert.match(r.json.msg, /obmd at http:\/\/\*\*\*@127\.0\.0\.1:\d+\/node\/.* refused POST \/token/);
  });

  it('masks them in the 502 when obmd is unreachable', async () => {
    const port = await freePort();
    const n = await node((n) => `http://${uriUser}:${uriPassword}@127.0.0.1:${port}/node/${n}`);
    const r = await member.put(`/v0/node/${n}/obm`, { enabled: true });
    answers.push(r.text);
    expectError(r, 502, 'OBMError');
    assert.match(r.json.msg, /obmd at http:\/\/\*\*\*@127\.0\.0\.1:\d+\/node\/.* is unreachable: .*ECONNREFUSED/);
  });

  it('still reaches obmd, whose own authentication is the admin token', async () => {
    const n = await node((n, token) => withCredentials(obmd.addNode(n, token)));
    expectEmptyOk(await member.put(`/v0/node/${n}/obm`, { enabled: true }));
    assert.ok(obmd.currentToken(n), 'obmd handed out a node token');
  });

  it('keeps them out of the redirect to obmd that project members follow', async () => {
    const n = await node((n, token) => withCredentials(obmd.addNode(n, token)));
    expectEmptyOk(await member.put(`/v0/node/${n}/obm`, { enabled: true }));
    const r = await member.post(`/v0/node/${n}/power_on`);
    assert.equal(r.status, 307, r.text);
    const location = String(r.headers.location);
    answers.push(location);
    assert.equal(location, `${obmd.uri(n)}/power_on?token=${obmd.currentToken(n)}`);
  });

  it('keeps them out of every answer, the audit trail and the log', async () => {
    const audit = await admin.get('/v0/obm_audit');
    answers.push(audit.text);
    for (const text of [...answers, d.stderr]) {
      assert.ok(!text.includes(uriPassword), `a password leaked: ${text.slice(0, 400)}`);
      assert.ok(!text.includes(uriUser), `a user leaked: ${text.slice(0, 400)}`);
    }
  });
});
