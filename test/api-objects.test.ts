// The inventory through the API: projects, nodes, nics, metadata, OBM, switches,
// ports, users, extensions and the routing rules (SPEC 1, 3.1, 3.2, 3.4, 3.6-3.8).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { startDaemon, waitAction, type Daemon } from './lib/daemon.js';
import {
  session, label, expectError, expectEmptyOk, expectStatus, createProject, registerNode, registerNic,
  registerSwitch, registerPort, cableNic, createUser, createNetwork, connectNode, enableObm,
  readStream, mockObm, MOCK_SWITCH_FIELDS, type Session,
} from './lib/fixtures.js';

const HIL_OBM = 'http://schema.massopencloud.org/haas/v0/obm/';
const HIL_SWITCH = 'http://schema.massopencloud.org/haas/v0/switches/';

/** How long the main daemon's mock switch takes per change, so that actions stay PENDING for a moment. */
const MOCK_DELAY_MS = 700;

const isSorted = (xs: string[]) => xs.every((x, i) => i === 0 || xs[i - 1]! <= x);

/** A tiny maintenance-pool service: records the JSON bodies POSTed to it and answers 200. */
async function startMaintenancePool(): Promise<{ server: Server; port: number; posts: unknown[] }> {
  const posts: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      try { posts.push({ method: req.method, path: req.url, body: JSON.parse(body) }); } catch { posts.push({ method: req.method, path: req.url, body }); }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return { server, port: typeof a === 'object' && a ? a.port : 0, posts };
}

describe('a daemon with database auth and a maintenance pool', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let pool: Awaited<ReturnType<typeof startMaintenancePool>>;
  const adminCreds = { username: 'root-admin', password: 'root-pw' };
  let admin: Session;

  before(async () => {
    pool = await startMaintenancePool();
    d = await startDaemon({
      auth: 'database',
      admins: [adminCreds],
      config: `[maintenance]\nproject = maint\nurl = http://127.0.0.1:${pool.port}/maintenance\n`
        + `[driver.mock]\nswitch_delay_ms = ${MOCK_DELAY_MS}\n`,
    });
    admin = session(d, adminCreds);
    const r = await admin.put('/v0/project/maint');
    assert.ok(r.status === 200 || r.status === 409, `create maint: ${r.status} ${r.text}`);
  });
  after(async () => {
    await d?.cleanup();
    await new Promise<void>((resolve) => (pool ? pool.server.close(() => resolve()) : resolve()));
  });

  describe('projects (3.1)', () => {
    it('creates projects, lists them sorted and refuses duplicates', async () => {
      const late = label('zz-proj');
      const early = label('AA-proj');
      expectEmptyOk(await admin.put(`/v0/project/${late}`));
      expectEmptyOk(await admin.put(`/v0/project/${early}`));
      const list = await admin.get('/v0/projects');
      expectStatus(list, 200);
      assert.ok(list.json.includes(late) && list.json.includes(early));
      assert.ok(isSorted(list.json), `not sorted: ${list.text}`);
      expectError(await admin.put(`/v0/project/${early}`), 409, 'DuplicateError');
    });

    it('deletes an empty project and answers 404 for a missing one', async () => {
      const p = await createProject(admin);
      expectEmptyOk(await admin.delete(`/v0/project/${p}`));
      assert.ok(!(await admin.get('/v0/projects')).json.includes(p));
      expectError(await admin.delete(`/v0/project/${p}`), 404, 'NotFoundError');
      expectError(await admin.get(`/v0/project/${p}/nodes`), 404, 'NotFoundError');
    });

    it('refuses to delete a project that has nodes (409 BlockedError)', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      await connectNode(admin, p, node);
      expectError(await admin.delete(`/v0/project/${p}`), 409, 'BlockedError');
      expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
      expectEmptyOk(await admin.delete(`/v0/project/${p}`));
    });

    it('refuses to delete a project that owns a network', async () => {
      const p = await createProject(admin);
      const net = await createNetwork(admin, { owner: p, access: p });
      expectError(await admin.delete(`/v0/project/${p}`), 409, 'BlockedError');
      expectEmptyOk(await admin.delete(`/v0/network/${net}`));
      expectEmptyOk(await admin.delete(`/v0/project/${p}`));
    });

    it('refuses to delete a project that is on a network\'s access list', async () => {
      const p = await createProject(admin);
      const net = await createNetwork(admin, { owner: 'admin', access: p });
      expectError(await admin.delete(`/v0/project/${p}`), 409, 'BlockedError');
      expectEmptyOk(await admin.delete(`/v0/network/${net}`));
      expectEmptyOk(await admin.delete(`/v0/project/${p}`));
    });

    it('connects a free node and refuses a node that is not free', async () => {
      const p = await createProject(admin);
      const other = await createProject(admin);
      const node = await registerNode(admin);
      expectEmptyOk(await admin.post(`/v0/project/${p}/connect_node`, { node }));
      assert.equal((await admin.get(`/v0/node/${node}`)).json.project, p);
      expectError(await admin.post(`/v0/project/${other}/connect_node`, { node }), 409);
      expectError(await admin.post(`/v0/project/${p}/connect_node`, { node }), 409);
      expectError(await admin.post(`/v0/project/${p}/connect_node`, { node: label('ghost') }), 404, 'NotFoundError');
      expectError(await admin.post(`/v0/project/${label('ghost')}/connect_node`, { node: await registerNode(admin) }), 404, 'NotFoundError');
    });

    it('lists a project\'s nodes in registration order, not connection order', async () => {
      const p = await createProject(admin);
      const first = await registerNode(admin, label('zz-node'));
      const second = await registerNode(admin, label('aa-node'));
      await connectNode(admin, p, second);
      await connectNode(admin, p, first);
      const r = await admin.get(`/v0/project/${p}/nodes`);
      expectStatus(r, 200);
      assert.deepEqual(r.json, [first, second]);
    });

    it('lists a project\'s networks sorted: those whose access list holds it, not public ones', async () => {
      const p = await createProject(admin);
      const late = await createNetwork(admin, { owner: p, access: p }, label('zz-net'));
      const early = await createNetwork(admin, { owner: 'admin', access: p }, label('aa-net'));
      await createNetwork(admin, { owner: 'admin', access: '' });
      const r = await admin.get(`/v0/project/${p}/networks`);
      expectStatus(r, 200);
      assert.deepEqual(r.json, [early, late]);
    });

    it('lists a project\'s headnodes (none yet)', async () => {
      const p = await createProject(admin);
      const r = await admin.get(`/v0/project/${p}/headnodes`);
      expectStatus(r, 200);
      assert.deepEqual(r.json, []);
    });
  });

  describe('project_detach_node (3.1)', () => {
    it('answers 404 when the node is not in the project', async () => {
      const p = await createProject(admin);
      const other = await createProject(admin);
      const node = await registerNode(admin);
      expectError(await admin.post(`/v0/project/${p}/detach_node`, { node }), 404, 'NotFoundError');
      await connectNode(admin, other, node);
      expectError(await admin.post(`/v0/project/${p}/detach_node`, { node }), 404, 'NotFoundError');
      expectError(await admin.post(`/v0/project/${p}/detach_node`, { node: label('ghost') }), 404, 'NotFoundError');
    });

    it('blocks while the OBM is enabled, then while a nic is attached, then while an action is pending', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const sw = await registerSwitch(admin);
      const attached = await registerNic(admin, node, 'eth0');
      const pending = await registerNic(admin, node, 'eth1');
      await registerPort(admin, sw, 'gi1/0/1');
      await registerPort(admin, sw, 'gi1/0/2');
      await cableNic(admin, sw, 'gi1/0/1', node, attached);
      await cableNic(admin, sw, 'gi1/0/2', node, pending);
      await connectNode(admin, p, node);
      const net = await createNetwork(admin, { owner: p, access: p });
      const c1 = await admin.post(`/v0/node/${node}/nic/${attached}/connect_network`, { network: net });
      expectStatus(c1, 202);
      assert.equal((await waitAction(d, c1.json.status_id, adminCreds)).status, 'DONE');
      await enableObm(admin, node);
      // The mock switch takes MOCK_DELAY_MS per change: this action stays PENDING for a while.
      const c2 = await admin.post(`/v0/node/${node}/nic/${pending}/connect_network`, { network: net });
      expectStatus(c2, 202);

      const obmBlocked = await admin.post(`/v0/project/${p}/detach_node`, { node });
      expectError(obmBlocked, 409, 'BlockedError');
      assert.match(obmBlocked.json.msg, /obm/i, 'the OBM is checked first');
      await enableObm(admin, node, false);
      const nicBlocked = await admin.post(`/v0/project/${p}/detach_node`, { node });
      expectError(nicBlocked, 409, 'BlockedError');
      assert.notEqual(nicBlocked.json.msg, obmBlocked.json.msg);
      assert.equal((await admin.get(`/v0/node/${node}`)).json.project, p);
      assert.equal((await waitAction(d, c2.json.status_id, adminCreds)).status, 'DONE');
      // With nothing pending any more, the answer is the attached-nic one: it was already that.
      const attachedOnly = await admin.post(`/v0/project/${p}/detach_node`, { node });
      expectError(attachedOnly, 409, 'BlockedError');
      assert.equal(nicBlocked.json.msg, attachedOnly.json.msg, 'an attached nic is checked before pending actions');
    });

    it('blocks while an action is pending on one of the node\'s nics, and queues nothing', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      const sw = await registerSwitch(admin);
      await registerPort(admin, sw, 'gi1/0/1');
      await cableNic(admin, sw, 'gi1/0/1', node, nic);
      await connectNode(admin, p, node);
      const net = await createNetwork(admin, { owner: p, access: p });
      const c = await admin.post(`/v0/node/${node}/nic/${nic}/connect_network`, { network: net });
      expectStatus(c, 202);
      const blocked = await admin.post(`/v0/project/${p}/detach_node`, { node });
      expectError(blocked, 409, 'BlockedError');
      assert.equal((await waitAction(d, c.json.status_id, adminCreds)).status, 'DONE');
      const stillAttached = await admin.post(`/v0/project/${p}/detach_node`, { node });
      expectError(stillAttached, 409, 'BlockedError');
      assert.notEqual(blocked.json.msg, stillAttached.json.msg, 'the pending action, not an attachment, blocked first');
      const dn = await admin.post(`/v0/node/${node}/nic/${nic}/detach_network`, { network: net });
      expectStatus(dn, 202);
      assert.equal((await waitAction(d, dn.json.status_id, adminCreds)).status, 'DONE');
      expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.nics[0].networks, {});
    });

    it('moves a detached node to the maintenance project and tells the pool', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      await connectNode(admin, p, node);
      const before = pool.posts.length;
      expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
      assert.equal((await admin.get(`/v0/node/${node}`)).json.project, 'maint');
      assert.ok((await admin.get('/v0/project/maint/nodes')).json.includes(node));
      assert.ok(!(await admin.get('/v0/nodes/free')).json.includes(node));
      const posts = pool.posts.slice(before);
      assert.equal(posts.length, 1);
      assert.deepEqual(posts[0], { method: 'POST', path: '/maintenance', body: { node } });
      // The audit trail: one entry, in the projects the node left and went to.
      const trail = (await admin.get(`/v0/audit?node=${node}&operation=project_detach_node`)).json.entries;
      assert.deepEqual(trail.map((e: { outcome: string; projects: string[] }) => [e.outcome, e.projects]), [['ok', ['maint', p].sort()]]);
    });

    it('frees a node detached from the maintenance project itself, without telling the pool', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      await connectNode(admin, p, node);
      expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
      const before = pool.posts.length;
      expectEmptyOk(await admin.post('/v0/project/maint/detach_node', { node }));
      assert.equal((await admin.get(`/v0/node/${node}`)).json.project, null);
      assert.ok((await admin.get('/v0/nodes/free')).json.includes(node));
      assert.equal(pool.posts.length, before);
    });
  });

  describe('node registration (3.2)', () => {
    const registersEach = async (bodies: unknown[]) => {
      for (const body of bodies) {
        const node = label('node');
        expectEmptyOk(await admin.put(`/v0/node/${node}`, body), JSON.stringify(body));
        assert.equal((await admin.get(`/v0/node/${node}`)).json.name, node);
      }
    };

    it('registers nodes with a mock OBM by short name or HIL URI, or with obmd', async () => {
      await registersEach([
        { obm: { type: 'mock', host: 'h', user: 'u', password: 'p' } },
        { obm: { type: `${HIL_OBM}mock`, host: 'h', user: 'u', password: 'p' } },
        { obmd: { uri: 'http://obmd.example:8080/node/n1', admin_token: 'tok' } },
        { obmd: { uri: 'https://obmd.example/node/n2', admin_token: 'tok' }, metadata: { rack: 'r1' } },
      ]);
    });

    it('registers nodes with an IPMI OBM, with or without a port', async () => {
      await registersEach([
        { obm: { type: 'ipmi', host: '10.0.0.5', user: 'ADMIN', password: 'secret' } },
        { obm: { type: `${HIL_OBM}ipmi`, host: '10.0.0.5', user: 'ADMIN', password: 'secret', port: 6230 } },
      ]);
    });

    it('refuses a duplicate node with 409 DuplicateError', async () => {
      const node = await registerNode(admin);
      expectError(await admin.put(`/v0/node/${node}`, mockObm()), 409, 'DuplicateError');
    });

    it('wants exactly one of obm and obmd, a known OBM type, and no extra keys at any level', async () => {
      const mock = { type: 'mock', host: 'h', user: 'u', password: 'p' };
      const bad: unknown[] = [
        {},
        { metadata: {} },
        { obm: mock, obmd: { uri: 'http://o/node/x', admin_token: 't' } },
        { obm: { ...mock, type: 'no-such-obm' } },
        { obm: { ...mock, type: `${HIL_OBM}no-such-obm` } },
        { obm: { ...mock, colour: 'red' } },
        { obm: { type: 'mock', host: 'h', user: 'u' } },
        { obm: { type: 'ipmi', host: 'h', user: 'u', password: 'p', port: 623, interface: 'lan' } },
        { obm: mock, extra: true },
        { obmd: { uri: 'http://o/node/x' } },
        { obmd: { uri: 'http://o/node/x', admin_token: 't', node: 'x' } },
      ];
      for (const body of bad) {
        const node = label('bad-node');
        expectError(await admin.put(`/v0/node/${node}`, body), 400, undefined, JSON.stringify(body));
        expectError(await admin.get(`/v0/node/${node}`), 404, 'NotFoundError');
      }
    });
  });

  describe('nics (3.2)', () => {
    it('registers nics with any macaddr string and refuses duplicates', async () => {
      const node = await registerNode(admin);
      expectEmptyOk(await admin.put(`/v0/node/${node}/nic/eth0`, { macaddr: '00:11:22:33:44:55' }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/nic/eth1`, { macaddr: 'not a mac at all' }));
      expectError(await admin.put(`/v0/node/${node}/nic/eth0`, { macaddr: 'aa' }), 409, 'DuplicateError');
      expectError(await admin.put(`/v0/node/${label('ghost')}/nic/eth0`, { macaddr: 'aa' }), 404, 'NotFoundError');
      const other = await registerNode(admin);
      expectEmptyOk(await admin.put(`/v0/node/${other}/nic/eth0`, { macaddr: 'aa' }), 'nic labels are per node');
    });

    it('deletes a nic of a free node, with its cabling', async () => {
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      const sw = await registerSwitch(admin);
      const port = await registerPort(admin, sw, 'gi1/0/7');
      await cableNic(admin, sw, port, node, nic);
      expectEmptyOk(await admin.delete(`/v0/node/${node}/nic/${nic}`));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.nics, []);
      const shown = await admin.get(`/v0/switch/${sw}/port/${port}`);
      expectStatus(shown, 200);
      assert.deepEqual(shown.json, {});
      expectEmptyOk(await admin.delete(`/v0/switch/${sw}/port/${port}`), 'the port is free again');
      expectError(await admin.delete(`/v0/node/${node}/nic/${nic}`), 404, 'NotFoundError');
    });

    it('refuses to delete a nic of a node in a project (409 BlockedError)', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      await connectNode(admin, p, node);
      expectError(await admin.delete(`/v0/node/${node}/nic/${nic}`), 409, 'BlockedError');
    });
  });

  describe('listing and showing nodes (3.2)', () => {
    it('lists free nodes and all nodes, sorted; any word other than free means all', async () => {
      const p = await createProject(admin);
      const busy = await registerNode(admin, label('mm-busy'));
      const free = await registerNode(admin, label('mm-free'));
      await connectNode(admin, p, busy);
      const freeList = (await admin.get('/v0/nodes/free')).json as string[];
      const all = (await admin.get('/v0/nodes/all')).json as string[];
      const other = (await admin.get('/v0/nodes/whatever')).json as string[];
      assert.ok(freeList.includes(free) && !freeList.includes(busy));
      assert.ok(all.includes(free) && all.includes(busy));
      assert.deepEqual(other, all);
      assert.ok(isSorted(freeList) && isSorted(all));
    });

    it('shows a node to an admin with its nics in registration order, cabling and networks', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const sw = await registerSwitch(admin);
      await registerNic(admin, node, 'zeth', 'aa:aa');
      await registerNic(admin, node, 'aeth', 'bb:bb');
      await registerPort(admin, sw, 'gi1/0/2');
      await cableNic(admin, sw, 'gi1/0/2', node, 'zeth');
      await connectNode(admin, p, node);
      const net = await createNetwork(admin, { owner: p, access: p });
      const c = await admin.post(`/v0/node/${node}/nic/zeth/connect_network`, { network: net });
      expectStatus(c, 202);
      await waitAction(d, c.json.status_id, adminCreds);

      const r = await admin.get(`/v0/node/${node}`);
      expectStatus(r, 200);
      assert.deepEqual(r.json, {
        name: node,
        project: p,
        nics: [
          { label: 'zeth', macaddr: 'aa:aa', networks: { 'vlan/native': net }, port: 'gi1/0/2', switch: sw },
          { label: 'aeth', macaddr: 'bb:bb', networks: {}, port: null, switch: null },
        ],
        metadata: {},
      });
      const port = await admin.get(`/v0/switch/${sw}/port/gi1/0/2`);
      expectStatus(port, 200);
      assert.deepEqual(port.json, { node, nic: 'zeth', networks: { 'vlan/native': net } });
    });

    it('hides port and switch from a project member (keys absent)', async () => {
      const p = await createProject(admin);
      const member = await createUser(admin, label('member'), { projects: [p] });
      const node = await registerNode(admin);
      const sw = await registerSwitch(admin);
      await registerNic(admin, node, 'eth0', 'aa:aa');
      await registerPort(admin, sw, 'gi1/0/2');
      await cableNic(admin, sw, 'gi1/0/2', node, 'eth0');
      await connectNode(admin, p, node);
      const r = await session(d, member).get(`/v0/node/${node}`);
      expectStatus(r, 200);
      assert.deepEqual(r.json.nics, [{ label: 'eth0', macaddr: 'aa:aa', networks: {} }]);
      assert.ok(!r.text.includes(sw));
    });

    it('answers 404 for a node that does not exist', async () => {
      expectError(await admin.get(`/v0/node/${label('ghost')}`), 404, 'NotFoundError');
    });
  });

  describe('metadata (3.2)', () => {
    it('returns each value as the JSON text of what was stored', async () => {
      const node = await registerNode(admin, label('node'), { rack: 'pk', slot: 7 });
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/flag`, { value: true }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/none`, { value: null }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/nested`, { value: { a: [1, 'two', { b: null }] } }));
      const md = (await admin.get(`/v0/node/${node}`)).json.metadata;
      assert.equal(md.rack, '"pk"');
      assert.equal(md.slot, '7');
      assert.equal(md.flag, 'true');
      assert.equal(md.none, 'null');
      assert.equal(typeof md.nested, 'string');
      assert.deepEqual(JSON.parse(md.nested), { a: [1, 'two', { b: null }] });
      assert.deepEqual(Object.keys(md).sort(), ['flag', 'nested', 'none', 'rack', 'slot']);
    });

    it('applies the label rules to metadata labels given at registration', async () => {
      for (const key of ['', 'rack/slot', 'm'.repeat(256)]) {
        const node = label('node');
        expectError(await admin.put(`/v0/node/${node}`, { ...mockObm(), metadata: { [key]: 1 } }), 400, undefined, `metadata label ${JSON.stringify(key.slice(0, 20))}`);
        expectError(await admin.get(`/v0/node/${node}`), 404, 'NotFoundError');
      }
      const node = await registerNode(admin, label('node'), { ['m'.repeat(255)]: 1 });
      expectEmptyOk(await admin.delete(`/v0/node/${node}/metadata/${'m'.repeat(255)}`));
    });

    it('replaces a value, deletes it, and answers 404 for an absent one', async () => {
      const node = await registerNode(admin);
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/owner`, { value: 'alice' }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/owner`, { value: 'bob' }));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.metadata, { owner: '"bob"' });
      expectEmptyOk(await admin.delete(`/v0/node/${node}/metadata/owner`));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.metadata, {});
      expectError(await admin.delete(`/v0/node/${node}/metadata/owner`), 404, 'NotFoundError');
      expectError(await admin.put(`/v0/node/${label('ghost')}/metadata/owner`, { value: 1 }), 404, 'NotFoundError');
    });
  });

  describe('node_delete (3.2)', () => {
    it('refuses a node in a project or with nics (409), deletes a bare one', async () => {
      const p = await createProject(admin);
      const inProject = await registerNode(admin);
      await connectNode(admin, p, inProject);
      expectError(await admin.delete(`/v0/node/${inProject}`), 409);
      const withNic = await registerNode(admin);
      const nic = await registerNic(admin, withNic);
      expectError(await admin.delete(`/v0/node/${withNic}`), 409);
      expectEmptyOk(await admin.delete(`/v0/node/${withNic}/nic/${nic}`));
      expectEmptyOk(await admin.delete(`/v0/node/${withNic}`));
      expectError(await admin.get(`/v0/node/${withNic}`), 404, 'NotFoundError');
      expectError(await admin.delete(`/v0/node/${withNic}`), 404, 'NotFoundError');
    });

    it('deletes a node\'s metadata with it', async () => {
      const node = await registerNode(admin, label('node'), { rack: 'r9' });
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/extra`, { value: [1] }));
      expectEmptyOk(await admin.delete(`/v0/node/${node}`));
      expectEmptyOk(await admin.put(`/v0/node/${node}`, mockObm()));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.metadata, {});
    });
  });

  describe('OBM of a mock node (3.2)', () => {
    it('enables and disables idempotently', async () => {
      const node = await registerNode(admin);
      expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: true }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: false }));
      expectEmptyOk(await admin.put(`/v0/node/${node}/obm`, { enabled: false }));
    });

    it('powers on, off and cycles, and reports the power status', async () => {
      const node = await registerNode(admin);
      await enableObm(admin, node);
      const status = async () => {
        const r = await admin.get(`/v0/node/${node}/power_status`);
        expectStatus(r, 200);
        assert.deepEqual(Object.keys(r.json), ['power_status']);
        return r.json.power_status as string;
      };
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_on`));
      assert.equal(await status(), 'on');
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_off`));
      assert.equal(await status(), 'off');
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`));
      assert.equal(await status(), 'on', 'a cycle turns an off node on');
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`, { force: true }));
      assert.equal(await status(), 'on');
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`, { force: false }));
      assert.equal(await status(), 'on');
    });

    it('sets the boot device to pxe, disk or none, and refuses others with 400', async () => {
      const node = await registerNode(admin);
      await enableObm(admin, node);
      for (const bootdev of ['pxe', 'disk', 'none']) {
        expectEmptyOk(await admin.put(`/v0/node/${node}/boot_device`, { bootdev }), bootdev);
      }
      for (const bootdev of ['cdrom', 'PXE', 'bios', '']) {
        expectError(await admin.put(`/v0/node/${node}/boot_device`, { bootdev }), 400, 'BadArgumentError', bootdev);
      }
    });

    it('streams console bytes', async () => {
      const node = await registerNode(admin);
      await enableObm(admin, node);
      const r = await readStream(d, `/v0/node/${node}/console`, adminCreds, { minBytes: 1, timeoutMs: 5000 });
      assert.equal(r.status, 200, `console: ${r.status} ${r.text.slice(0, 300)}`);
      assert.ok(r.bytes.length > 0, 'some console bytes arrived');
    });

    it('shares a console among viewers: a new viewer leaves the previous one watching', async () => {
      const node = await registerNode(admin);
      await enableObm(admin, node);
      const auth = 'Basic ' + Buffer.from(`${adminCreds.username}:${adminCreds.password}`).toString('base64');
      const first = httpRequest({ socketPath: d.socket, method: 'GET', path: `/v0/node/${node}/console`, headers: { authorization: auth } });
      let firstText = '';
      await new Promise<void>((resolve, reject) => {
        first.on('response', (res) => {
          if (res.statusCode !== 200) reject(new Error(`first viewer: ${res.statusCode}`));
          res.on('data', (c: Buffer) => { firstText += c.toString(); resolve(); });
        });
        first.on('error', reject);
        first.end();
      });
      const second = await readStream(d, `/v0/node/${node}/console`, adminCreds, { minBytes: 1, timeoutMs: 5000 });
      assert.equal(second.status, 200);
      assert.match(second.text, /mock console of/, 'the second viewer starts with the recent output');
      // The first viewer still gets the ticks that come after the second one joined.
      const seen = firstText.length;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the first viewer got nothing more: ${firstText}`)), 5000);
        const check = setInterval(() => { if (/tick \d+/.test(firstText.slice(seen))) { clearInterval(check); clearTimeout(timer); resolve(); } }, 50);
      });
      first.destroy();
    });

    it('answers 409 BlockedError to power, boot device and console while the OBM is disabled', async () => {
      const node = await registerNode(admin);
      const calls: Array<[string, string, unknown]> = [
        ['POST', 'power_on', undefined], ['POST', 'power_off', undefined], ['POST', 'power_cycle', undefined],
        ['GET', 'power_status', undefined], ['PUT', 'boot_device', { bootdev: 'pxe' }], ['GET', 'console', undefined],
      ];
      for (const [method, call, body] of calls) {
        expectError(await admin.request(method, `/v0/node/${node}/${call}`, body === undefined ? {} : { body }), 409, 'BlockedError', call);
      }
      await enableObm(admin, node);
      await enableObm(admin, node, false);
      expectError(await admin.post(`/v0/node/${node}/power_on`), 409, 'BlockedError', 'after disabling again');
    });
  });

  describe('switches and ports (3.4)', () => {
    it('registers switches by short name or HIL URI and refuses duplicates first', async () => {
      const a = label('sw');
      const b = label('sw');
      expectEmptyOk(await admin.put(`/v0/switch/${a}`, { type: 'mock', ...MOCK_SWITCH_FIELDS }));
      expectEmptyOk(await admin.put(`/v0/switch/${b}`, { type: `${HIL_SWITCH}mock`, ...MOCK_SWITCH_FIELDS }));
      expectError(await admin.put(`/v0/switch/${a}`, { type: 'mock', ...MOCK_SWITCH_FIELDS }), 409, 'DuplicateError');
      expectError(await admin.put(`/v0/switch/${a}`, { type: 'no-such-type' }), 409, 'DuplicateError', 'duplicate is checked before the fields');
    });

    it('validates the type and the driver fields (400 BadArgumentError)', async () => {
      const cases: unknown[] = [
        { type: 'no-such-type', ...MOCK_SWITCH_FIELDS },
        { type: `${HIL_SWITCH}no-such-type`, ...MOCK_SWITCH_FIELDS },
        { type: 'brocade', hostname: 'h', username: 'u', password: 'p', interface_type: 'TenGigabitEthernet' },
        { type: 'mock', hostname: 'h', username: 'u' },
        { type: 'mock', ...MOCK_SWITCH_FIELDS, dummy_vlan: '2222' },
        { type: 'nexus', ...MOCK_SWITCH_FIELDS },
        { type: 'dellnos9', ...MOCK_SWITCH_FIELDS },
        { type: 'ovs' },
        { type: 'ovs', ovs_bridge: 'br0', hostname: 'h' },
      ];
      for (const body of cases) {
        const sw = label('badsw');
        expectError(await admin.put(`/v0/switch/${sw}`, body), 400, 'BadArgumentError', JSON.stringify(body));
        expectError(await admin.get(`/v0/switch/${sw}`), 404, 'NotFoundError');
      }
    });

    const portNameRules: Array<{ body: Record<string, string>; good: string[]; bad: string[] }> = [
      { body: { type: 'mock', ...MOCK_SWITCH_FIELDS }, good: ['gi1/0/5', 'te1/0/1', 'gi1/2'], bad: ['Ethernet1/1', '1/3', 'gi1', 'eth0'] },
      { body: { type: 'powerconnect55xx', ...MOCK_SWITCH_FIELDS }, good: ['gi1/0/5', 'te1/0/2'], bad: ['Ethernet1/1', 'fa0/1'] },
      { body: { type: 'nexus', ...MOCK_SWITCH_FIELDS, dummy_vlan: '2222' }, good: ['Ethernet1/10', 'ethernet1/0/10'], bad: ['gi1/0/5', 'Eth1/1'] },
      { body: { type: 'delln3000', ...MOCK_SWITCH_FIELDS, dummy_vlan: '2222' }, good: ['gi1/0/5', 'te1/0/4'], bad: ['Ethernet1/10'] },
      { body: { type: 'dellnos9', ...MOCK_SWITCH_FIELDS, interface_type: 'TenGigabitEthernet' }, good: ['1/3', '1/2/1'], bad: ['gi1/0/5', 'te1/0/1'] },
    ];
    for (const { body, good, bad } of portNameRules) {
      it(`validates ${body.type} port names (${good.join(', ')} ok; ${bad.join(', ')} 400)`, async () => {
        const sw = label(`sw-${body.type}`);
        expectEmptyOk(await admin.put(`/v0/switch/${sw}`, body), `register ${body.type}`);
        for (const port of good) expectEmptyOk(await admin.put(`/v0/switch/${sw}/port/${port}`), `${body.type} ${port}`);
        for (const port of bad) expectError(await admin.put(`/v0/switch/${sw}/port/${port}`), 400, 'BadArgumentError', `${body.type} ${port}`);
        const shown = await admin.get(`/v0/switch/${sw}`);
        assert.deepEqual(shown.json.ports, good.map((l) => ({ label: l })), `${body.type} ports`);
      });
    }

    it('shows a switch with ports in registration order and capabilities, never a credential', async () => {
      const sw = await registerSwitch(admin);
      await registerPort(admin, sw, 'gi1/0/10');
      await registerPort(admin, sw, 'gi1/0/2');
      const r = await admin.get(`/v0/switch/${sw}`);
      expectStatus(r, 200);
      assert.deepEqual(Object.keys(r.json).sort(), ['capabilities', 'name', 'ports']);
      assert.equal(r.json.name, sw);
      assert.deepEqual(r.json.ports, [{ label: 'gi1/0/10' }, { label: 'gi1/0/2' }]);
      assert.ok(r.json.capabilities.includes('nativeless-trunk-mode'));
      assert.ok(!r.text.includes(MOCK_SWITCH_FIELDS.password));
      assert.ok(!r.text.includes(MOCK_SWITCH_FIELDS.username));
    });

    it('shows the capabilities of a switch without nativeless trunks (dellnos9), never its password', async () => {
      const nos9 = label('nos9');
      expectEmptyOk(await admin.put(`/v0/switch/${nos9}`, { type: 'dellnos9', hostname: 'h', username: 'u', password: 'nos9-secret', interface_type: 'TenGigabitEthernet' }));
      const n = await admin.get(`/v0/switch/${nos9}`);
      assert.ok(!n.json.capabilities.includes('nativeless-trunk-mode'));
      assert.ok(!n.text.includes('nos9-secret'));
    });

    it('lists switches sorted and deletes one only once its ports are gone', async () => {
      const late = await registerSwitch(admin, label('zz-sw'));
      const early = await registerSwitch(admin, label('aa-sw'));
      const list = (await admin.get('/v0/switches')).json as string[];
      assert.ok(list.includes(late) && list.includes(early) && isSorted(list));
      await registerPort(admin, late, 'gi1/0/1');
      expectError(await admin.delete(`/v0/switch/${late}`), 409);
      expectEmptyOk(await admin.delete(`/v0/switch/${late}/port/gi1/0/1`));
      expectEmptyOk(await admin.delete(`/v0/switch/${late}`));
      expectError(await admin.get(`/v0/switch/${late}`), 404, 'NotFoundError');
      expectError(await admin.delete(`/v0/switch/${late}`), 404, 'NotFoundError');
    });

    it('refuses a duplicate port and answers 404 for a missing one', async () => {
      const sw = await registerSwitch(admin);
      await registerPort(admin, sw, 'gi1/0/1');
      expectError(await admin.put(`/v0/switch/${sw}/port/gi1/0/1`), 409, 'DuplicateError');
      expectError(await admin.get(`/v0/switch/${sw}/port/gi1/0/9`), 404, 'NotFoundError');
      expectError(await admin.delete(`/v0/switch/${sw}/port/gi1/0/9`), 404, 'NotFoundError');
      expectError(await admin.put(`/v0/switch/${label('ghost')}/port/gi1/0/1`), 404, 'NotFoundError');
    });

    it('cables a nic to a port, shows it, and refuses a second cable on either end', async () => {
      const sw = await registerSwitch(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      const spare = await registerNic(admin, node);
      await registerPort(admin, sw, 'gi1/0/1');
      await registerPort(admin, sw, 'gi1/0/2');
      const empty = await admin.get(`/v0/switch/${sw}/port/gi1/0/1`);
      expectStatus(empty, 200);
      assert.deepEqual(empty.json, {});

      expectEmptyOk(await admin.post(`/v0/switch/${sw}/port/gi1/0/1/connect_nic`, { node, nic }));
      const shown = await admin.get(`/v0/switch/${sw}/port/gi1/0/1`);
      assert.deepEqual(shown.json, { node, nic, networks: {} });

      const nicTaken = await admin.post(`/v0/switch/${sw}/port/gi1/0/2/connect_nic`, { node, nic });
      expectError(nicTaken, 409, 'DuplicateError', 'nic already cabled');
      const portTaken = await admin.post(`/v0/switch/${sw}/port/gi1/0/1/connect_nic`, { node, nic: spare });
      expectError(portTaken, 409, 'DuplicateError', 'port already cabled');
      const both = await admin.post(`/v0/switch/${sw}/port/gi1/0/1/connect_nic`, { node, nic });
      expectError(both, 409, 'DuplicateError');
      assert.equal(both.json.msg, nicTaken.json.msg, 'the nic is checked first');

      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/2/connect_nic`, { node, nic: 'ghost' }), 404, 'NotFoundError');
      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/2/connect_nic`, { node: label('ghost'), nic }), 404, 'NotFoundError');
      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/3/connect_nic`, { node, nic: spare }), 404, 'NotFoundError');
      expectError(await admin.delete(`/v0/switch/${sw}/port/gi1/0/1`), 409, undefined, 'a cabled port is not deleted');
    });

    it('uncables a nic of a free node, not of a node in a project, and 404 when nothing is cabled', async () => {
      const sw = await registerSwitch(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      await registerPort(admin, sw, 'gi1/0/1');
      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/1/detach_nic`), 404, 'NotFoundError');
      await cableNic(admin, sw, 'gi1/0/1', node, nic);
      const p = await createProject(admin);
      await connectNode(admin, p, node);
      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/1/detach_nic`), 409);
      // Through the maintenance pool, then out of it: the node is free again.
      expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
      expectEmptyOk(await admin.post('/v0/project/maint/detach_node', { node }));
      expectEmptyOk(await admin.post(`/v0/switch/${sw}/port/gi1/0/1/detach_nic`));
      assert.deepEqual((await admin.get(`/v0/switch/${sw}/port/gi1/0/1`)).json, {});
      const n = (await admin.get(`/v0/node/${node}`)).json;
      assert.equal(n.nics[0].port, null);
      assert.equal(n.nics[0].switch, null);
      expectEmptyOk(await admin.delete(`/v0/switch/${sw}/port/gi1/0/1`));
    });

    it('reverts a cabled port (200 with a status_id), 404 when nothing is cabled', async () => {
      const sw = await registerSwitch(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      await registerPort(admin, sw, 'gi1/0/4');
      expectError(await admin.post(`/v0/switch/${sw}/port/gi1/0/4/revert`), 404, 'NotFoundError');
      await cableNic(admin, sw, 'gi1/0/4', node, nic);
      const r = await admin.post(`/v0/switch/${sw}/port/gi1/0/4/revert`);
      expectStatus(r, 200);
      assert.equal(typeof r.json.status_id, 'string');
      const action = await waitAction(d, r.json.status_id, adminCreds);
      assert.deepEqual(action, { status: 'DONE', node, nic, type: 'revert_port', channel: '', new_network: null });
    });
  });

  describe('users (3.6)', () => {
    it('creates a user who can then authenticate, and lists users with sorted projects', async () => {
      const p1 = await createProject(admin, label('zz-p'));
      const p2 = await createProject(admin, label('aa-p'));
      const u = label('user');
      expectEmptyOk(await admin.put(`/v0/auth/basic/user/${u}`, { password: 'secret-1' }));
      expectEmptyOk(await admin.post(`/v0/auth/basic/user/${u}/add_project`, { project: p1 }));
      expectEmptyOk(await admin.post(`/v0/auth/basic/user/${u}/add_project`, { project: p2 }));
      const list = await admin.get('/v0/auth/basic/users');
      expectStatus(list, 200);
      assert.deepEqual(list.json[u], { is_admin: false, projects: [p2, p1] });
      assert.deepEqual(list.json[adminCreds.username].is_admin, true);
      const mine = await session(d, { username: u, password: 'secret-1' }).get(`/v0/project/${p1}/nodes`);
      expectStatus(mine, 200);
      expectError(await session(d, { username: u, password: 'wrong' }).get(`/v0/project/${p1}/nodes`), 401, 'AuthorizationError');
    });

    it('creates admins on request and refuses duplicates', async () => {
      const u = label('boss');
      expectEmptyOk(await admin.put(`/v0/auth/basic/user/${u}`, { password: 'pw', is_admin: true }));
      expectError(await admin.put(`/v0/auth/basic/user/${u}`, { password: 'other' }), 409, 'DuplicateError');
      expectStatus(await session(d, { username: u, password: 'pw' }).get('/v0/projects'), 200);
    });

    it('deletes a user, whose credentials then stop working', async () => {
      const user = await createUser(admin);
      expectStatus(await session(d, user).get('/v0/nodes/all'), 200);
      expectEmptyOk(await admin.delete(`/v0/auth/basic/user/${user.username}`));
      expectError(await session(d, user).get('/v0/nodes/all'), 401, 'AuthorizationError');
      assert.ok(!(user.username in (await admin.get('/v0/auth/basic/users')).json));
      expectError(await admin.delete(`/v0/auth/basic/user/${user.username}`), 404, 'NotFoundError');
    });

    it('grants and removes admin rights, but not on oneself', async () => {
      const user = await createUser(admin);
      expectError(await session(d, user).get('/v0/projects'), 401, 'AuthorizationError');
      expectEmptyOk(await admin.patch(`/v0/auth/basic/user/${user.username}`, { is_admin: true }));
      expectStatus(await session(d, user).get('/v0/projects'), 200);
      expectEmptyOk(await admin.patch(`/v0/auth/basic/user/${user.username}`, { is_admin: false }));
      expectError(await session(d, user).get('/v0/projects'), 401, 'AuthorizationError');
      expectError(await admin.patch(`/v0/auth/basic/user/${adminCreds.username}`, { is_admin: false }), 409, 'IllegalStateError');
      expectError(await admin.patch(`/v0/auth/basic/user/${label('ghost')}`, { is_admin: true }), 404, 'NotFoundError');
    });

    it('adds and removes project memberships with their 404 and 409 rules', async () => {
      const p = await createProject(admin);
      const user = await createUser(admin);
      const addTo = (body: unknown, u = user.username) => admin.post(`/v0/auth/basic/user/${u}/add_project`, body);
      const removeFrom = (body: unknown, u = user.username) => admin.post(`/v0/auth/basic/user/${u}/remove_project`, body);
      expectError(await addTo({ project: label('ghost') }), 404, 'NotFoundError');
      expectError(await addTo({ project: p }, label('ghost')), 404, 'NotFoundError');
      expectError(await removeFrom({ project: p }), 404, 'NotFoundError', 'not a member');
      expectEmptyOk(await addTo({ project: p }));
      expectError(await addTo({ project: p }), 409, 'DuplicateError');
      expectStatus(await session(d, user).get(`/v0/project/${p}/nodes`), 200);
      expectEmptyOk(await removeFrom({ project: p }));
      expectError(await session(d, user).get(`/v0/project/${p}/nodes`), 401, 'AuthorizationError');
      expectError(await removeFrom({ project: label('ghost') }), 404, 'NotFoundError');
    });
  });

  describe('active extensions (3.7)', () => {
    it('lists, sorted, the database auth backend, the VLAN pool and every built-in driver by default', async () => {
      const r = await admin.get('/v0/active_extensions');
      expectStatus(r, 200);
      const ext = r.json as string[];
      assert.ok(isSorted(ext), r.text);
      for (const name of [
        'hil.ext.auth.database', 'hil.ext.network_allocators.vlan_pool',
        'hil.ext.switches.mock', 'hil.ext.switches.nexus', 'hil.ext.switches.dell', 'hil.ext.switches.n3000',
        'hil.ext.switches.dellnos9', 'hil.ext.switches.ovs', 'hil.ext.switches.snmp',
        'hil.ext.obm.ipmi', 'hil.ext.obm.mock',
      ]) assert.ok(ext.includes(name), `${name} missing from ${r.text}`);
      assert.ok(!ext.includes('hil.ext.auth.null'));
      assert.ok(!ext.includes('hil.ext.switches.brocade'), 'brocade is not built');
      for (const e of ext) assert.match(e, /^hil\.ext\.(auth|network_allocators|switches|obm)\.[a-z0-9_]+$/);
    });
  });

  describe('labels (1)', () => {
    it('accepts 255 characters and refuses 256 with 400', async () => {
      const ok = 'p'.repeat(255);
      expectEmptyOk(await admin.put(`/v0/project/${ok}`));
      expectError(await admin.put(`/v0/project/${'p'.repeat(256)}`), 400);
      expectError(await admin.put(`/v0/node/${'n'.repeat(256)}`, mockObm()), 400);
      expectError(await admin.put(`/v0/switch/${'s'.repeat(256)}`, { type: 'mock', ...MOCK_SWITCH_FIELDS }), 400);
      expectError(await admin.put(`/v0/network/${'w'.repeat(256)}`, { owner: 'admin', access: '', net_id: '' }), 400);
      const node = await registerNode(admin);
      expectError(await admin.put(`/v0/node/${node}/nic/${'c'.repeat(256)}`, { macaddr: 'x' }), 400);
      expectError(await admin.put(`/v0/node/${node}/metadata/${'m'.repeat(256)}`, { value: 1 }), 400);
      expectError(await admin.put(`/v0/auth/basic/user/${'u'.repeat(256)}`, { password: 'x' }), 400);
      const projects = (await admin.get('/v0/projects')).json as string[];
      assert.ok(projects.includes(ok) && !projects.includes('p'.repeat(256)));
      expectEmptyOk(await admin.delete(`/v0/project/${ok}`));
    });

    it('refuses a label containing / (sent as %2F) with 400', async () => {
      expectError(await admin.put('/v0/project/a%2Fb'), 400);
      expectError(await admin.put('/v0/node/a%2Fb', mockObm()), 400);
      expectError(await admin.put('/v0/switch/a%2Fb', { type: 'mock', ...MOCK_SWITCH_FIELDS }), 400);
      expectError(await admin.put('/v0/network/a%2Fb', { owner: 'admin', access: '', net_id: '' }), 400);
      const node = await registerNode(admin);
      expectError(await admin.put(`/v0/node/${node}/nic/eth%2F0`, { macaddr: 'x' }), 400);
      expectError(await admin.put(`/v0/auth/basic/user/a%2Fb`, { password: 'x' }), 400);
      assert.ok(!((await admin.get('/v0/projects')).json as string[]).includes('a/b'));
      assert.ok(!((await admin.get('/v0/nodes/all')).json as string[]).includes('a/b'));
    });

    it('refuses an empty label', async () => {
      for (const [method, path, body] of [
        ['PUT', '/v0/project/', undefined], ['PUT', '/v0/node/', mockObm()], ['PUT', '/v0/switch/', { type: 'mock', ...MOCK_SWITCH_FIELDS }],
      ] as Array<[string, string, unknown]>) {
        const r = await admin.request(method, path, body === undefined ? {} : { body });
        assert.ok(r.status === 400 || r.status === 404 || r.status === 405, `${method} ${path}: ${r.status} ${r.text}`);
        expectError(r, r.status);
      }
      const node = await registerNode(admin);
      const r = await admin.put(`/v0/node/${node}/nic/`, { macaddr: 'x' });
      assert.ok(r.status === 400 || r.status === 404 || r.status === 405, `empty nic: ${r.status}`);
      assert.ok(!((await admin.get('/v0/projects')).json as string[]).includes(''));
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.nics, []);
    });
  });

  describe('routing (3, 3.8, 3.9)', () => {
    it('serves every route both under /v0 and without the prefix', async () => {
      const p = label('unprefixed');
      expectEmptyOk(await admin.put(`/project/${p}`));
      assert.ok((await admin.get('/v0/projects')).json.includes(p));
      assert.deepEqual((await admin.get('/projects')).json, (await admin.get('/v0/projects')).json);
      const node = label('unprefixed-node');
      expectEmptyOk(await admin.put(`/node/${node}`, mockObm()));
      expectEmptyOk(await admin.post(`/project/${p}/connect_node`, { node }));
      assert.deepEqual((await admin.get(`/project/${p}/nodes`)).json, [node]);
      assert.deepEqual((await admin.get(`/node/${node}`)).json, (await admin.get(`/v0/node/${node}`)).json);
      expectStatus(await admin.get('/active_extensions'), 200);
      expectStatus(await admin.get('/auth/basic/users'), 200);
    });

    it('answers an unknown route with a JSON 404', async () => {
      for (const path of ['/v0/nope', '/nope', '/v1/projects', '/v0/project', '/v0/node/x/y/z', '/']) {
        expectError(await admin.get(path), 404, undefined, path);
      }
    });

    it('answers a known route with the wrong method with a JSON 405', async () => {
      const node = await registerNode(admin);
      for (const [method, path] of [
        ['POST', '/v0/projects'], ['DELETE', '/v0/nodes/all'], ['GET', `/v0/project/${label('p')}/connect_node`],
        ['PATCH', `/v0/node/${node}`], ['POST', `/v0/node/${node}/power_status`], ['GET', `/v0/node/${node}/power_on`],
        ['DELETE', '/v0/active_extensions'], ['PUT', '/v0/switches'],
      ] as Array<[string, string]>) {
        expectError(await admin.request(method, path), 405, undefined, `${method} ${path}`);
      }
    });

    it('serves the same API over TCP', async () => {
      const r = await d.request('GET', '/v0/projects', { auth: adminCreds, tcp: true });
      expectStatus(r, 200);
      assert.ok(Array.isArray(r.json));
    });
  });
});

describe('a daemon with null auth, the mock switch and no in-process OBM', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let admin: Session;

  before(async () => {
    d = await startDaemon({ auth: 'null', config: '[drivers]\nswitches = mock\nobms =\n' });
    admin = session(d, null);
  });
  after(async () => { await d?.cleanup(); });

  it('lists exactly HIL\'s test configuration as active extensions', async () => {
    const r = await admin.get('/v0/active_extensions');
    expectStatus(r, 200);
    assert.deepEqual(r.json, ['hil.ext.auth.null', 'hil.ext.network_allocators.vlan_pool', 'hil.ext.switches.mock']);
  });

  it('has no user routes (404)', async () => {
    expectError(await admin.get('/v0/auth/basic/users'), 404);
    expectError(await admin.put('/v0/auth/basic/user/alice', { password: 'x' }), 404);
    expectError(await admin.delete('/v0/auth/basic/user/alice'), 404);
    expectError(await admin.patch('/v0/auth/basic/user/alice', { is_admin: true }), 404);
    expectError(await admin.post('/v0/auth/basic/user/alice/add_project', { project: 'p' }), 404);
    expectError(await admin.post('/v0/auth/basic/user/alice/remove_project', { project: 'p' }), 404);
  });

  it('refuses drivers that are not enabled', async () => {
    expectError(await admin.put(`/v0/node/${label('n')}`, mockObm()), 400);
    expectError(await admin.put(`/v0/switch/${label('s')}`, { type: 'nexus', ...MOCK_SWITCH_FIELDS, dummy_vlan: '2222' }), 400, 'BadArgumentError');
    expectEmptyOk(await admin.put(`/v0/switch/${label('s')}`, { type: 'mock', ...MOCK_SWITCH_FIELDS }));
  });

  it('frees a node detached from its project when no maintenance pool is configured', async () => {
    const p = await createProject(admin);
    const node = label('obmd-node');
    expectEmptyOk(await admin.put(`/v0/node/${node}`, { obmd: { uri: `http://127.0.0.1:9/node/${node}`, admin_token: 't' } }));
    await connectNode(admin, p, node);
    expectEmptyOk(await admin.post(`/v0/project/${p}/detach_node`, { node }));
    assert.equal((await admin.get(`/v0/node/${node}`)).json.project, null);
    assert.ok((await admin.get('/v0/nodes/free')).json.includes(node));
    assert.deepEqual((await admin.get(`/v0/project/${p}/nodes`)).json, []);
    expectEmptyOk(await admin.delete(`/v0/project/${p}`));
  });

  it('lets anyone act as admin (null auth)', async () => {
    expectStatus(await d.request('GET', '/v0/projects', { auth: { username: 'whoever', password: 'whatever' } }), 200);
  });
});
