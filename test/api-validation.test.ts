// Request bodies, query strings and the 400 classes (SPEC 3.8), and that no
// input, however odd, produces a 500 (SPEC 2).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDaemon, waitAction, type Daemon } from './lib/daemon.js';
import {
  session, label, expectError, expectEmptyOk, expectStatus, createProject, registerNode, registerNic,
  registerSwitch, registerPort, cableNic, connectNode, enableObm, createNetwork, mockObm, MOCK_SWITCH_FIELDS, type Session,
} from './lib/fixtures.js';

/** Names that an object inherits from Object.prototype: to haas they are names like any other (SPEC 3.9). */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];
const HIL_SWITCH = 'http://schema.massopencloud.org/haas/v0/switches/';
const HIL_OBM = 'http://schema.massopencloud.org/haas/v0/obm/';

/** The JSON text of `obj` with one more own key (JSON.stringify cannot be handed an own "__proto__" by a literal). */
function withKey(obj: Record<string, unknown>, key: string, value: unknown): string {
  const text = JSON.stringify(obj);
  return `${text.slice(0, -1)}${text === '{}' ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

describe('request validation', () => {
  let d: Daemon & { cleanup(): Promise<void> };
  let admin: Session;

  before(async () => {
    d = await startDaemon({ auth: 'null' });
    admin = session(d, null);
  });
  after(async () => { await d?.cleanup(); });

  describe('bodies', () => {
    it('rejects a body that is not JSON with 400 ValidationError', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      for (const rawBody of ['{"node":', '{node: "x"}', "{'node': 'x'}", 'node=x', '{"node": "x"} trailing']) {
        const r = await admin.post(`/v0/project/${p}/connect_node`, undefined, { rawBody: rawBody.replace('x', node) });
        expectError(r, 400, 'ValidationError', rawBody);
      }
    });

    it('rejects JSON that is not an object with 400 ValidationError', async () => {
      const p = await createProject(admin);
      for (const rawBody of ['[]', '["node"]', '"node"', '1', 'true', 'null']) {
        expectError(await admin.post(`/v0/project/${p}/connect_node`, undefined, { rawBody }), 400, 'ValidationError', rawBody);
      }
      // Also on a route that takes no body fields.
      for (const rawBody of ['[]', '"x"', '0', 'null']) {
        expectError(await admin.put(`/v0/project/${label('p')}`, undefined, { rawBody }), 400, 'ValidationError', rawBody);
      }
    });

    it('rejects unknown, missing and wrong-typed fields with 400 ValidationError', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const path = `/v0/project/${p}/connect_node`;
      expectError(await admin.post(path, { node, extra: 1 }), 400, 'ValidationError', 'unknown key');
      expectError(await admin.post(path, {}), 400, 'ValidationError', 'missing key');
      expectError(await admin.post(path, { nodes: node }), 400, 'ValidationError', 'misspelt key');
      for (const bad of [1, true, null, [node], { label: node }]) {
        expectError(await admin.post(path, { node: bad }), 400, 'ValidationError', `node: ${JSON.stringify(bad)}`);
      }
      expectError(await admin.put(`/v0/node/${node}/obm`, { enabled: 'true' }), 400, 'ValidationError', 'enabled as a string');
      expectError(await admin.put(`/v0/node/${node}/obm`, { enabled: 1 }), 400, 'ValidationError', 'enabled as a number');
      expectError(await admin.post(`/v0/node/${node}/power_cycle`, { force: 'yes' }), 400, 'ValidationError', 'force as a string');
      expectError(await admin.put(`/v0/node/${node}/nic/${label('nic')}`, { macaddr: 42 }), 400, 'ValidationError', 'macaddr as a number');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '', net_id: 300 }), 400, 'ValidationError', 'net_id as a number');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '' }), 400, 'ValidationError', 'net_id missing');
      // Nothing happened.
      const shown = await admin.get(`/v0/node/${node}`);
      assert.equal(shown.json.project, null);
    });

    it('rejects a body key that repeats a path parameter with 400 ValidationError', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      expectError(await admin.post(`/v0/project/${p}/connect_node`, { project: p, node }), 400, 'ValidationError');
      expectError(await admin.put(`/v0/node/${node}/metadata/k`, { node, label: 'k', value: 1 }), 400, 'ValidationError');
      expectError(await admin.put(`/v0/project/${label('p')}`, { project: 'x' }), 400, 'ValidationError');
      const sw = label('sw');
      expectError(await admin.put(`/v0/switch/${sw}`, { switch: sw, type: 'mock', hostname: 'h', username: 'u', password: 'p' }), 400);
    });

    it('accepts no body or {} on routes without body fields, and rejects any key there', async () => {
      const p1 = label('p');
      expectEmptyOk(await admin.put(`/v0/project/${p1}`));
      const p2 = label('p');
      expectEmptyOk(await admin.put(`/v0/project/${p2}`, {}));
      expectError(await admin.put(`/v0/project/${label('p')}`, { description: 'x' }), 400, 'ValidationError');
      expectEmptyOk(await admin.delete(`/v0/project/${p1}`, {}));
      expectEmptyOk(await admin.delete(`/v0/project/${p2}`));
    });

    it('accepts POSTs without a body when every field is optional', async () => {
      const node = await registerNode(admin);
      await enableObm(admin, node);
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`));
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`, {}));
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_cycle`, { force: true }));
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_off`));
      expectEmptyOk(await admin.post(`/v0/node/${node}/power_on`));
    });

    it('answers 400 ValidationError when required fields come with no body at all', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      expectError(await admin.post(`/v0/project/${p}/connect_node`), 400, 'ValidationError');
      expectError(await admin.put(`/v0/node/${node}/obm`), 400, 'ValidationError');
      expectError(await admin.put(`/v0/node/${label('n')}`), 400, 'ValidationError');
      expectError(await admin.put(`/v0/network/${label('net')}`), 400, 'ValidationError');
    });

    it('reads the body whatever the Content-Type says (text/plain, application/json, none)', async () => {
      const node = await registerNode(admin);
      const body = JSON.stringify({ value: { rack: 7 } });
      for (const ct of ['text/plain', 'application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded']) {
        const r = await admin.put(`/v0/node/${node}/metadata/${label('m')}`, undefined, { rawBody: body, headers: { 'content-type': ct } });
        expectEmptyOk(r, ct);
      }
      expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/plain`, undefined, { rawBody: body }));
      const shown = await admin.get(`/v0/node/${node}`);
      assert.deepEqual(JSON.parse(shown.json.metadata.plain), { rack: 7 });
    });

    it('rejects a GET with a body with 400 ValidationError', async () => {
      expectError(await admin.get('/v0/nodes/all', { body: { x: 1 } }), 400, 'ValidationError');
    });

    it('rejects a GET with the body {} too (any non-empty body)', async () => {
      expectError(await admin.get('/v0/projects', { rawBody: '{}' }), 400, 'ValidationError');
    });
  });

  describe('query strings', () => {
    it('rejects a query parameter other than list_network_attachments\' project', async () => {
      expectError(await admin.get('/v0/projects?verbose=1'), 400, 'ValidationError');
      expectError(await admin.get('/v0/nodes/free?project=x'), 400, 'ValidationError');
      const net = await createNetwork(admin, { owner: 'admin', access: '' });
      expectError(await admin.get(`/v0/network/${net}/attachments?owner=admin`), 400, 'ValidationError');
    });

    it('rejects an empty query value', async () => {
      const net = await createNetwork(admin, { owner: 'admin', access: '' });
      expectError(await admin.get(`/v0/network/${net}/attachments?project=`), 400, 'ValidationError');
      expectError(await admin.get(`/v0/network/${net}/attachments?project`), 400, 'ValidationError');
    });

    it('accepts list_network_attachments with and without ?project', async () => {
      const p = await createProject(admin);
      const net = await createNetwork(admin, { owner: 'admin', access: p });
      const all = await admin.get(`/v0/network/${net}/attachments`);
      expectStatus(all, 200);
      assert.deepEqual(all.json, {});
      const mine = await admin.get(`/v0/network/${net}/attachments?project=${p}`);
      expectStatus(mine, 200);
      assert.deepEqual(mine.json, {});
      expectError(await admin.get(`/v0/network/${net}/attachments?project=${label('nope')}`), 404, 'NotFoundError');
    });
  });

  describe('ValidationError versus BadArgumentError', () => {
    it('reports well-formed bodies with illegal meanings as 400 BadArgumentError', async () => {
      const p = await createProject(admin);
      // Network combinations and net_id (SPEC 3.3).
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: p, access: '', net_id: '' }), 400, 'BadArgumentError', 'project-owned public');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: p, access: p, net_id: '300' }), 400, 'BadArgumentError', 'project-owned given id');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '', net_id: 'abc' }), 400, 'BadArgumentError', 'net_id abc');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '', net_id: '0' }), 400, 'BadArgumentError', 'net_id 0');
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '', net_id: '4095' }), 400, 'BadArgumentError', 'net_id 4095');
      // Switch type, fields and port names (SPEC 3.4).
      expectError(await admin.put(`/v0/switch/${label('sw')}`, { type: 'no-such-switch', hostname: 'h', username: 'u', password: 'p' }), 400, 'BadArgumentError', 'switch type');
      expectError(await admin.put(`/v0/switch/${label('sw')}`, { type: 'mock', hostname: 'h', username: 'u' }), 400, 'BadArgumentError', 'missing switch field');
      expectError(await admin.put(`/v0/switch/${label('sw')}`, { type: 'mock', hostname: 'h', username: 'u', password: 'p', colour: 'red' }), 400, 'BadArgumentError', 'extra switch field');
      const sw = await registerSwitch(admin);
      expectError(await admin.put(`/v0/switch/${sw}/port/Ethernet1/1`), 400, 'BadArgumentError', 'port name');
      // Boot device of an in-process OBM (SPEC 3.2).
      const node = await registerNode(admin);
      await enableObm(admin, node);
      expectError(await admin.put(`/v0/node/${node}/boot_device`, { bootdev: 'cdrom' }), 400, 'BadArgumentError', 'bootdev');
      // Channel and detach of a network that is not on the nic.
      const nic = await registerNic(admin, node);
      const port = await registerPort(admin, sw, 'gi1/0/3');
      await cableNic(admin, sw, port, node, nic);
      await enableObm(admin, node, false);
      await connectNode(admin, p, node);
      const net = await createNetwork(admin, { owner: p, access: p });
      expectError(await admin.post(`/v0/node/${node}/nic/${nic}/connect_network`, { network: net, channel: 'vlan/bogus' }), 400, 'BadArgumentError', 'channel');
      expectError(await admin.post(`/v0/node/${node}/nic/${nic}/detach_network`, { network: net }), 400, 'BadArgumentError', 'detach not attached');
    });

    it('reports an unknown body key on a semantic route as ValidationError, not BadArgumentError', async () => {
      expectError(await admin.put(`/v0/network/${label('net')}`, { owner: 'admin', access: '', net_id: '', vlan: 5 }), 400, 'ValidationError');
      expectError(await admin.put(`/v0/switch/${label('sw')}`, { hostname: 'h', username: 'u', password: 'p' }), 400, ['ValidationError', 'BadArgumentError']);
    });
  });

  describe('names inherited from Object.prototype are ordinary names (SPEC 3.9)', () => {
    it('refuses them as switch types, short or as HIL URIs, with 400 BadArgumentError', async () => {
      for (const name of PROTOTYPE_NAMES) {
        for (const type of [name, HIL_SWITCH + name]) {
          const r = await admin.put(`/v0/switch/${label('sw')}`, undefined, { rawBody: withKey({ ...MOCK_SWITCH_FIELDS }, 'type', type) });
          expectError(r, 400, 'BadArgumentError', `switch type ${type}`);
        }
      }
    });

    it('refuses them as extra switch fields with 400 BadArgumentError', async () => {
      for (const name of PROTOTYPE_NAMES) {
        const sw = label('sw');
        const r = await admin.put(`/v0/switch/${sw}`, undefined, { rawBody: withKey({ type: 'mock', ...MOCK_SWITCH_FIELDS }, name, 'x') });
        expectError(r, 400, 'BadArgumentError', `switch field ${name}`);
        expectError(await admin.get(`/v0/switch/${sw}`), 404, 'NotFoundError', `switch with field ${name} not registered`);
      }
    });

    it('refuses them as OBM types, short or as HIL URIs, and as extra OBM fields with 400 BadArgumentError', async () => {
      const { type: _, ...fields } = mockObm().obm;
      for (const name of PROTOTYPE_NAMES) {
        for (const type of [name, HIL_OBM + name]) {
          const r = await admin.put(`/v0/node/${label('n')}`, undefined, { rawBody: `{"obm":${withKey(fields, 'type', type)}}` });
          expectError(r, 400, 'BadArgumentError', `OBM type ${type}`);
        }
        const node = label('n');
        const r = await admin.put(`/v0/node/${node}`, undefined, { rawBody: `{"obm":${withKey(mockObm().obm, name, 'x')}}` });
        expectError(r, 400, 'BadArgumentError', `OBM field ${name}`);
        expectError(await admin.get(`/v0/node/${node}`), 404, 'NotFoundError', `node with OBM field ${name} not registered`);
      }
    });

    it('refuses them as extra keys of node_register\'s body and of its obmd with 400 ValidationError', async () => {
      const obmd = { uri: 'http://127.0.0.1:9/node/x', admin_token: 't' };
      for (const name of PROTOTYPE_NAMES) {
        expectError(await admin.put(`/v0/node/${label('n')}`, undefined, { rawBody: withKey(mockObm(), name, {}) }), 400, 'ValidationError', `body key ${name}`);
        expectError(await admin.put(`/v0/node/${label('n')}`, undefined, { rawBody: `{"obmd":${withKey(obmd, name, 'x')}}` }), 400, 'ValidationError', `obmd key ${name}`);
      }
    });

    it('refuses them as unknown body keys on every route with a body with 400 ValidationError, and changes nothing', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      const sw = await registerSwitch(admin);
      const port = await registerPort(admin, sw, 'gi1/0/4');
      const free = await registerNode(admin);
      const freeNic = await registerNic(admin, free);
      const net = await createNetwork(admin, { owner: 'admin', access: '' });
      const newProject = label('p'), newNetwork = label('net'), newNic = label('nic');
      const routes: Array<[string, string, Record<string, unknown>]> = [
        ['PUT', `/v0/project/${newProject}`, {}],
        ['POST', `/v0/project/${p}/connect_node`, { node }],
        ['POST', `/v0/project/${p}/detach_node`, { node }],
        ['PUT', `/v0/node/${node}/nic/${newNic}`, { macaddr: 'aa:bb' }],
        ['PUT', `/v0/node/${node}/metadata/m`, { value: 1 }],
        ['PUT', `/v0/node/${node}/obm`, { enabled: true }],
        ['POST', `/v0/node/${node}/power_cycle`, {}],
        ['PUT', `/v0/node/${node}/boot_device`, { bootdev: 'pxe' }],
        ['POST', `/v0/node/${node}/nic/${nic}/connect_network`, { network: net }],
        ['POST', `/v0/node/${node}/nic/${nic}/detach_network`, { network: net }],
        ['PUT', `/v0/network/${newNetwork}`, { owner: 'admin', access: '', net_id: '' }],
        ['POST', `/v0/switch/${sw}/port/${port}/connect_nic`, { node: free, nic: freeNic }],
        ['POST', `/v0/switch/${sw}/verify`, {}],
        ['PUT', `/v0/headnode/${label('h')}`, { project: p, base_img: 'img' }],
        ['POST', `/v0/headnode/${label('h')}/hnic/eth0/connect_network`, { network: net }],
      ];
      for (const name of PROTOTYPE_NAMES) {
        for (const [method, path, good] of routes) {
          expectError(await admin.request(method, path, { rawBody: withKey(good, name, 1) }), 400, 'ValidationError', `${method} ${path} + ${name}`);
        }
      }
      expectError(await admin.get(`/v0/project/${newProject}/nodes`), 404, 'NotFoundError', 'project not created');
      expectError(await admin.get(`/v0/network/${newNetwork}`), 404, 'NotFoundError', 'network not created');
      const shown = (await admin.get(`/v0/node/${node}`)).json;
      assert.equal(shown.project, null);
      assert.deepEqual(shown.nics.map((n: { label: string }) => n.label), [nic]);
      assert.deepEqual(shown.metadata, {});
      assert.deepEqual((await admin.get(`/v0/switch/${sw}/port/${port}`)).json, {});
    });

    it('keeps them as metadata labels like any other: registered, set, shown, deleted, then 404', async () => {
      const metadata = `{${PROTOTYPE_NAMES.map((n, i) => `${JSON.stringify(n)}:${i}`).join(',')}}`;
      const node = label('n');
      expectEmptyOk(await admin.put(`/v0/node/${node}`, undefined, { rawBody: `{"obm":${JSON.stringify(mockObm().obm)},"metadata":${metadata}}` }));
      const own = (o: object) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1));
      const expected = (f: (i: number) => string) => own(Object.fromEntries(PROTOTYPE_NAMES.map((n, i) => [n, f(i)])));
      let shown = await admin.get(`/v0/node/${node}`);
      assert.deepEqual(own(shown.json.metadata), expected((i) => String(i)), shown.text);
      for (const name of PROTOTYPE_NAMES) {
        expectEmptyOk(await admin.put(`/v0/node/${node}/metadata/${name}`, { value: { name } }), `set ${name}`);
      }
      shown = await admin.get(`/v0/node/${node}`);
      assert.deepEqual(own(shown.json.metadata), expected((i) => JSON.stringify({ name: PROTOTYPE_NAMES[i] })), shown.text);
      for (const name of PROTOTYPE_NAMES) {
        expectEmptyOk(await admin.delete(`/v0/node/${node}/metadata/${name}`), `delete ${name}`);
        expectError(await admin.delete(`/v0/node/${node}/metadata/${name}`), 404, 'NotFoundError', `delete ${name} again`);
      }
      assert.deepEqual((await admin.get(`/v0/node/${node}`)).json.metadata, {});
    });

    it('keeps them as node and network labels in every answer keyed by a label', async () => {
      const p = await createProject(admin);
      const sw = await registerSwitch(admin);
      const net = '__proto__';
      expectEmptyOk(await admin.put(`/v0/network/${net}`, { owner: 'admin', access: p, net_id: '' }));
      const nodes = ['__proto__', 'constructor', 'toString'];
      for (const [i, node] of nodes.entries()) {
        await registerNode(admin, node);
        const nic = await registerNic(admin, node, 'eth0');
        await cableNic(admin, sw, await registerPort(admin, sw, `gi1/0/${20 + i}`), node, nic);
        await connectNode(admin, p, node);
        const r = await admin.post(`/v0/node/${node}/nic/eth0/connect_network`, { network: net });
        expectStatus(r, 202, `connect ${node}`);
        assert.equal((await waitAction(d, r.json.status_id)).status, 'DONE');
      }
      const sorted = (o: object) => Object.keys(o).sort();
      const shown = await admin.get(`/v0/network/${net}`);
      expectStatus(shown, 200);
      assert.deepEqual(sorted(shown.json['connected-nodes']), [...nodes].sort(), shown.text);
      for (const node of nodes) assert.deepEqual(Object.getOwnPropertyDescriptor(shown.json['connected-nodes'], node)?.value, ['eth0']);
      for (const path of [`/v0/network/${net}/attachments`, `/v0/network/${net}/attachments?project=${p}`]) {
        const attachments = await admin.get(path);
        expectStatus(attachments, 200, path);
        assert.deepEqual(sorted(attachments.json), [...nodes].sort(), `${path}: ${attachments.text}`);
      }
      const networks = await admin.get('/v0/networks');
      assert.ok(Object.hasOwn(networks.json, net), networks.text);
      assert.deepEqual(Object.getOwnPropertyDescriptor(networks.json, net)?.value.projects, [p]);
    });
  });

  describe('odd input never produces a 500', () => {
    const oddBodies: string[] = [
      '', ' ', '\n', '\u0000', '\uFEFF{}', '{}', '{"":""}', '{"__proto__": {"isAdmin": true}}', '{"constructor": {"prototype": {}}}',
      '{"node": "a", "node": "b"}', '{"node": "\u0000"}', '{"node": "' + 'n'.repeat(300) + '"}', '{"node": "a/b"}',
      '{"node": "..", "nic": "."}', '{"node": {"$gt": ""}}', '{"value": ' + '['.repeat(200) + ']'.repeat(200) + '}',
      '{"value": 1e400}', '{"value": -0}', '{"value": "\\ud800"}', '{"enabled": null}', '{"force": null}',
      '{"bootdev": ""}', '{"bootdev": "PXE"}', '{"network": "", "channel": ""}', '{"network": "x", "channel": "vlan/0"}',
      '{"network": "x", "channel": "vlan/99999999999999999999"}', '{"macaddr": ""}', '{"macaddr": "' + 'm'.repeat(10000) + '"}',
      '{"obm": null}', '{"obm": {}}', '{"obm": {"type": 5}}', '{"obm": {"type": "ipmi"}}', '{"obm": {"type": "ipmi", "host": "h", "user": "u", "password": "p", "port": "x"}}',
      '{"obm": {"type": "mock", "host": "h", "user": "u", "password": "p"}, "metadata": null}', '{"obm": [], "metadata": []}',
      '{"obmd": {"uri": "not a uri", "admin_token": "t"}}', '{"obmd": {"uri": "ftp://x/y", "admin_token": "t"}}',
      '{"type": "http://schema.massopencloud.org/haas/v0/switches/"}', '{"type": "mock", "hostname": 1, "username": [], "password": {}}',
      '{"owner": "", "access": "", "net_id": ""}', '{"owner": "admin", "access": "", "net_id": "-1"}', '{"owner": "admin", "access": "", "net_id": "1.5"}',
      '{"owner": "admin", "access": "", "net_id": " 300"}', '{"password": "", "is_admin": "yes"}', '{"project": null}',
      '123456789012345678901234567890', '"' + 'x'.repeat(100000) + '"', '{"a":' + '{"a":'.repeat(500) + '1' + '}'.repeat(501),
    ];

    it('answers every odd body on every body route below 500', async () => {
      const p = await createProject(admin);
      const node = await registerNode(admin);
      const nic = await registerNic(admin, node);
      const sw = await registerSwitch(admin);
      const port = await registerPort(admin, sw, 'gi1/0/9');
      const routes: Array<[string, string]> = [
        ['PUT', `/v0/project/${label('p')}`],
        ['POST', `/v0/project/${p}/connect_node`],
        ['POST', `/v0/project/${p}/detach_node`],
        ['PUT', `/v0/node/${label('n')}`],
        ['PUT', `/v0/node/${node}/nic/${label('nic')}`],
        ['PUT', `/v0/node/${node}/metadata/${label('m')}`],
        ['PUT', `/v0/node/${node}/obm`],
        ['POST', `/v0/node/${node}/power_cycle`],
        ['PUT', `/v0/node/${node}/boot_device`],
        ['POST', `/v0/node/${node}/nic/${nic}/connect_network`],
        ['POST', `/v0/node/${node}/nic/${nic}/detach_network`],
        ['PUT', `/v0/network/${label('net')}`],
        ['PUT', `/v0/switch/${label('sw')}`],
        ['POST', `/v0/switch/${sw}/port/${port}/connect_nic`],
        ['PUT', `/v0/auth/basic/user/${label('u')}`],
        ['GET', '/v0/projects'],
      ];
      for (const [method, path] of routes) {
        for (const rawBody of oddBodies) {
          const r = await admin.request(method, path, { rawBody });
          assert.ok(r.status < 500, `${method} ${path} with ${JSON.stringify(rawBody.slice(0, 80))}: ${r.status} ${r.text.slice(0, 300)}`);
          if (r.status >= 400) expectError(r, r.status, undefined, `${method} ${path}`);
        }
      }
    });

    it('answers odd paths and query strings below 500', async () => {
      const paths = [
        '/v0/node/%zz', '/v0/node/%', '/v0/project/%00', '/v0/node/%E0%A4%A', '/v0/node/' + 'n'.repeat(5000), '/v0/node/..%2F..%2Fetc',
        '/v0/switch/%2F/port/%2F', '/v0/network/%20', '/v0/nodes/', '/v0/nodes/%zz', '/v0//projects', '/v0/project//nodes',
        '/v0/network/x/attachments?project=%zz', '/v0/network/x/attachments?project=a&project=b', '/v0/projects?%zz=1',
        '/v0/networking_action/%zz', '/v0/networking_action/' + 'f'.repeat(1000), '/v0/node/x?', '/v0/node/x#frag', '/v0/%7B%7D',
      ];
      for (const path of paths) {
        for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']) {
          const r = await admin.request(method, path);
          assert.ok(r.status < 500, `${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
        }
      }
    });

    it('answers odd label characters below 500 and keeps the object usable', async () => {
      for (const name of ['ünïcödé', 'with space', 'tab\there', 'emoji-🙂', 'quote"s', "single'q", 'back\\slash', 'percent%25', 'semi;colon', '?', '#']) {
        const path = `/v0/project/${encodeURIComponent(name)}`;
        const r = await admin.put(path);
        assert.ok(r.status < 500, `${name}: ${r.status} ${r.text}`);
        if (r.status === 200) {
          const list = await admin.get('/v0/projects');
          assert.ok((list.json as string[]).includes(name), `${name} listed as created`);
          expectEmptyOk(await admin.delete(path), `delete ${name}`);
        }
      }
    });
  });
});
