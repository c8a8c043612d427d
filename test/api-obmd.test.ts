// Nodes whose BMC is run by an external obmd (SPEC 3.2 "obmd"): haas fetches and
// revokes node tokens and redirects power/boot/console calls to obmd.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, freePort, type Daemon, type ApiResponse } from './lib/daemon.js';
import { startFakeObmd, type FakeObmd } from './lib/fake-obmd.js';
import { session, label, expectError, expectEmptyOk, expectStatus, type Session } from './lib/fixtures.js';

describe('obmd nodes', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let obmd: FakeObmd;
  let admin: Session;
  /** Every answer the daemon gave in this file, to check that no admin token leaks. */
  const answers: ApiResponse[] = [];
  const adminTokens: string[] = [];

  before(async () => {
    obmd = await startFakeObmd();
    d = await startDaemon({ auth: 'null' });
    const raw = session(d, null);
    const record = async (p: Promise<ApiResponse>) => { const r = await p; answers.push(r); return r; };
    admin = {
      auth: null,
      request: (m, p, o) => record(raw.request(m, p, o)),
      get: (p, o) => record(raw.get(p, o)),
      put: (p, b, o) => record(raw.put(p, b, o)),
      post: (p, b, o) => record(raw.post(p, b, o)),
      patch: (p, b, o) => record(raw.patch(p, b, o)),
      delete: (p, b, o) => record(raw.delete(p, b, o)),
    };
  });
  after(async () => {
    await d?.cleanup();
    await obmd?.close();
  });

  /** Register a node run by the fake obmd; returns its label and obmd uri. */
  async function obmdNode(opts: { knownToObmd?: boolean; uri?: string } = {}): Promise<{ node: string; uri: string; adminToken: string }> {
    const node = label('obmd-node');
    const adminToken = `admin-token-${label('secret')}`;
    adminTokens.push(adminToken);
    const uri = opts.uri ?? (opts.knownToObmd === false ? obmd.uri(node) : obmd.addNode(node, adminToken));
    expectEmptyOk(await admin.put(`/v0/node/${node}`, { obmd: { uri, admin_token: adminToken } }), 'node_register obmd');
    return { node, uri, adminToken };
  }

  it('registers a node with an obmd uri and admin token, shown like any node', async () => {
    const { node } = await obmdNode();
    const r = await admin.get(`/v0/node/${node}`);
    expectStatus(r, 200);
    assert.equal(r.json.name, node);
    assert.equal(r.json.project, null);
    assert.deepEqual(r.json.nics, []);
    assert.deepEqual(r.json.metadata, {});
  });

  it('rejects a register body with both obm and obmd, neither, or extra obmd keys', async () => {
    const node = label('bad-obmd');
    const obmdBody = { uri: obmd.uri(node), admin_token: 'x' };
    const mock = { type: 'mock', host: 'h', user: 'u', password: 'p' };
    expectError(await admin.put(`/v0/node/${node}`, { obm: mock, obmd: obmdBody }), 400);
    expectError(await admin.put(`/v0/node/${node}`, {}), 400);
    expectError(await admin.put(`/v0/node/${node}`, { obmd: { ...obmdBody, extra: 1 } }), 400);
    expectError(await admin.put(`/v0/node/${node}`, { obmd: { uri: obmdBody.uri } }), 400);
    expectError(await admin.get(`/v0/node/${node}`), 404, 'NotFoundError');
  });

  it('fetches a node token from obmd when the OBM is enabled', async () => {
    const { node, adminToken } = await obmdNode();
    assert.deepEqual(obmd.callsFor(node), [], 'registering does not call obmd');
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    const calls = obmd.callsFor(node);
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0], { method: 'POST', path: `/node/${node}/token`, user: 'admin', password: adminToken });
    assert.ok(obmd.currentToken(node));
  });

  it('redirects power, boot device and console calls to obmd with the token (307)', async () => {
    const { node, uri } = await obmdNode();
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    const token = obmd.currentToken(node);
    assert.ok(token);
    const calls: Array<[string, string, unknown]> = [
      ['POST', 'power_cycle', { force: true }],
      ['POST', 'power_cycle', undefined],
      ['POST', 'power_on', undefined],
      ['POST', 'power_off', undefined],
      ['GET', 'power_status', undefined],
      ['PUT', 'boot_device', { bootdev: 'pxe' }],
      ['GET', 'console', undefined],
    ];
    for (const [method, call, body] of calls) {
      const r = await admin.request(method, `/v0/node/${node}/${call}`, body === undefined ? {} : { body });
      expectStatus(r, 307, `${method} ${call}`);
      assert.equal(r.headers.location, `${uri}/${call}?token=${token}`, `${method} ${call}`);
    }
  });

  it('leaves boot device validation to obmd: an unknown device is redirected too', async () => {
    const { node, uri } = await obmdNode();
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    const r = await admin.put(`/v0/node/${node}/boot_device`, { bootdev: 'cdrom' });
    expectStatus(r, 307);
    assert.equal(r.headers.location, `${uri}/boot_device?token=${obmd.currentToken(node)}`);
  });

  it('answers 409 BlockedError to every OBM call while the OBM is disabled', async () => {
    const { node } = await obmdNode();
    for (const [method, call, body] of [
      ['POST', 'power_cycle', undefined], ['POST', 'power_on', undefined], ['POST', 'power_off', undefined],
      ['GET', 'power_status', undefined], ['PUT', 'boot_device', { bootdev: 'disk' }], ['GET', 'console', undefined],
    ] as Array<[string, string, unknown]>) {
      const r = await admin.request(method, `/v0/node/${node}/${call}`, body === undefined ? {} : { body });
      expectError(r, 409, 'BlockedError', `${method} ${call}`);
    }
    assert.deepEqual(obmd.callsFor(node), []);
  });

  it('fetches a new token when the OBM is enabled again, and redirects with it', async () => {
    const { node, uri } = await obmdNode();
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    const tokens = obmd.tokensIssued(node);
    assert.equal(tokens.length, 2);
    assert.notEqual(tokens[0], tokens[1]);
    const r = await admin.post(`/v0/node/${node}/power_on`);
    expectStatus(r, 307);
    assert.equal(r.headers.location, `${uri}/power_on?token=${tokens[1]}`);
  });

  it('revokes the token when the OBM is disabled, then refuses OBM calls', async () => {
    const { node, adminToken } = await obmdNode();
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: false }));
    const calls = obmd.callsFor(node);
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[1], { method: 'DELETE', path: `/node/${node}/token`, user: 'admin', password: adminToken });
    assert.equal(obmd.currentToken(node), undefined);
    expectError(await admin.post(`/v0/node/${node}/power_cycle`), 409, 'BlockedError');
  });

  it('revokes an enabled node token when the node is deleted', async () => {
    const { node } = await obmdNode();
    expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
    expectEmptyOk(await admin.delete(`/v0/node/${node}`));
    const calls = obmd.callsFor(node);
    assert.deepEqual(calls.map((c) => `${c.method} ${c.path}`), [`POST /node/${node}/token`, `DELETE /node/${node}/token`]);
    assert.equal(obmd.currentToken(node), undefined);
    expectError(await admin.get(`/v0/node/${node}`), 404, 'NotFoundError');
  });

  it('deletes a node whose OBM was never enabled without calling obmd', async () => {
    const { node } = await obmdNode();
    expectEmptyOk(await admin.delete(`/v0/node/${node}`));
    assert.deepEqual(obmd.callsFor(node), []);
  });

  it('reports an unreachable obmd as 502 OBMError and keeps the OBM disabled', async () => {
    const closedPort = await freePort();
    const node0 = label('gone');
    const { node } = await obmdNode({ uri: `http://127.0.0.1:${closedPort}/node/${node0}` });
    expectError(await admin.put(`/v0/node/${node}/obm`, { enabled: true }), 502, 'OBMError');
    expectError(await admin.post(`/v0/node/${node}/power_on`), 409, 'BlockedError');
  });

  it('reports obmd refusing the admin token (401) as 502 OBMError', async () => {
    const { node } = await obmdNode({ knownToObmd: false });
    expectError(await admin.put(`/v0/node/${node}/obm`, { enabled: true }), 502, 'OBMError');
    assert.deepEqual(obmd.callsFor(node).map((c) => c.method), ['POST']);
    expectError(await admin.get(`/v0/node/${node}/power_status`), 409, 'BlockedError');
  });

  it('never shows an admin token in any answer', async () => {
    // A few more read calls over everything registered above.
    const nodes = await admin.get('/v0/nodes/all');
    expectStatus(nodes, 200);
    for (const n of nodes.json as string[]) await admin.get(`/v0/node/${n}`);
    assert.ok(adminTokens.length > 5);
    for (const r of answers) {
      for (const t of adminTokens) assert.ok(!r.text.includes(t), `admin token leaked in ${r.status} ${r.text}`);
      for (const h of Object.values(r.headers)) {
        for (const t of adminTokens) assert.ok(!String(h).includes(t), `admin token leaked in a header ${String(h)}`);
      }
    }
  });
});
