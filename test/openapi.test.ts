// The API document (GET /v0/openapi.json, `haas api-doc`): a valid OpenAPI 3.1 document, generated
// from the route table, naming every route the router mounts and every route README.md and SPEC.md
// name; SPEC.md-style requests validate against it, and its body schemas accept exactly what the
// daemon's body checks accept.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { repoRoot, runHaas, startDaemon, waitAction, type Daemon } from './lib/daemon.js';
import { cableNic, createProject, expectStatus, registerNic, registerNode, registerPort, registerSwitch, session } from './lib/fixtures.js';
import { routeTable } from '../src/server/app.js';
import { ANSWERS, apiDocument, type ApiDocument, type Operation } from '../src/server/openapi.js';
import { parseBody, type BodySchema } from '../src/server/body.js';
import type { RouteDef } from '../src/server/router.js';

const routes = routeTable();

/** The document `haas api-doc` prints. */
function printedDocument(): ApiDocument {
  const r = runHaas(['api-doc']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ApiDocument;
}

/** The operation a route is documented as, or undefined. */
function operationFor(doc: ApiDocument, def: RouteDef): Operation | undefined {
  return doc.paths[def.path.replace(/:([a-z_]+)(\{[^}]*\})?/gi, '{$1}')]?.[def.method.toLowerCase()];
}

/** The routes a method and a concrete path (without /v0) reach. */
function routesFor(method: string, path: string): RouteDef[] {
  return routes.filter((d) => d.method === method && d.pattern.test(path));
}

/** `METHOD path` pairs named in a text: placeholders (`<n>`, `NAME`) become a sample label, query strings go. */
function concrete(method: string, path: string): [string, string] {
  const p = path.replace(/\[.*$/, '').replace(/\?.*$/, '').replace(/<[^>]*>/g, 'x').replace(/\/[A-Z][A-Z_]*(?=\/|$)/g, '/x');
  return [method, p.startsWith('/v0/') ? p.slice(3) : p];
}

/** Every `METHOD /path` of SPEC.md's route tables (`POST /node/<n>/power_on, /power_off`, `PUT/DELETE ...` spelled out). */
function specRoutes(): Array<[string, string]> {
  const spec = readFileSync('/work/shared/SPEC.md', 'utf8');
  const out: Array<[string, string]> = [];
  for (const m of spec.matchAll(/^\| [a-z_/ ]+ \| ([A-Z/]+) (\/[^|]*?)\s*\|/gm)) {
    const cell = m[2]!.replace(/<free\\$/, '<which>');
    const [first, ...more] = cell.split(', ');
    for (const method of m[1]!.split('/')) {
      out.push(concrete(method, first!));
      for (const suffix of more) out.push(concrete(method, first!.replace(/\/[^/]+$/, suffix)));
    }
  }
  return out;
}

/** Every `METHOD /v0/path` README.md names in code spans. */
function readmeRoutes(): Array<[string, string]> {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/`(GET|PUT|POST|DELETE|PATCH) (\/v0\/[^`\s]*)`/g)].map((m) => concrete(m[1]!, m[2]!));
}

describe('the API document', () => {
  let doc: ApiDocument;
  let d: Daemon & { cleanup(): Promise<void> };
  const adminCreds = { username: 'oapi-admin', password: 'oapi-pw' };

  before(async () => {
    doc = printedDocument();
    d = await startDaemon({ auth: 'database', admins: [adminCreds] });
  });
  after(async () => { await d?.cleanup(); });

  it('is served at /v0/openapi.json without credentials, the same document haas api-doc prints', async () => {
    for (const auth of [null, adminCreds]) {
      const r = await d.request('GET', '/v0/openapi.json', { auth });
      expectStatus(r, 200, `auth=${auth?.username}`);
      assert.deepEqual(r.json, doc);
    }
  });

  it('is a valid OpenAPI 3.1 document (the meta-schema, by a validator package)', async () => {
    const validator = new Validator();
    // A string would be read as a file name (or YAML): hand it a copy of the object.
    const copy: Record<string, unknown> = JSON.parse(JSON.stringify(doc));
    const res = await validator.validate(copy);
    assert.ok(res.valid, JSON.stringify(res.errors, null, 2));
    assert.equal(validator.version, '3.1');
  });

  it('is what the generator makes of the route table: every route once, nothing else', () => {
    assert.deepEqual(doc, JSON.parse(JSON.stringify(apiDocument(routes))));
    const documented = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    assert.equal(documented, routes.length);
    for (const def of routes) assert.ok(operationFor(doc, def), `${def.method} ${def.path} is not in the document`);
    const ids = routes.map((def) => operationFor(doc, def)!.operationId);
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  it('names every route SPEC.md\'s tables and README.md name', () => {
    const named = [...specRoutes(), ...readmeRoutes()];
    assert.ok(named.length > 60, `only ${named.length} routes found in SPEC.md and README.md`);
    for (const [method, path] of named) {
      const found = routesFor(method, path);
      assert.equal(found.length, 1, `${method} ${path}: ${found.length} routes`);
      assert.ok(operationFor(doc, found[0]!), `${method} ${path} is not in the document`);
    }
  });

  it('documents path and query parameters, the error body of SPEC.md section 2, and which routes are public', () => {
    const show = doc.paths['/node/{node}']!.get!;
    assert.deepEqual(show.parameters?.map((p) => [p.name, p.in, p.required]), [['node', 'path', true]]);
    assert.deepEqual(doc.paths['/leases']!.get!.parameters?.map((p) => [p.name, p.in, p.required]), [['project', 'query', false]]);
    assert.deepEqual(doc.components.schemas.Error, {
      type: 'object', properties: { type: { type: 'string', description: 'The error class, e.g. NotFoundError.' }, msg: { type: 'string', description: 'What went wrong, in words.' } },
      required: ['type', 'msg'], additionalProperties: false,
    });
    for (const status of ['400', '401', '404', '409', '502']) assert.ok(show.responses[status], status);
    assert.deepEqual(doc.paths['/health']!.get!.security, []);
    assert.deepEqual(doc.paths['/openapi.json']!.get!.security, []);
    assert.equal(show.security, undefined, 'an authenticated route takes the document\'s default security');
  });

  it('describes the answers of the routes with fixed shapes, and real answers match them (checked on an admin\'s calls)', async () => {
    const ajv = new Ajv2020({ strict: true });
    const admin = session(d, adminCreds);
    const project = await createProject(admin, 'oapi-proj');
    const node = await registerNode(admin, 'oapi-node', { rack: 3 });
    const nic = await registerNic(admin, node, 'eth0');
    const sw = await registerSwitch(admin, 'oapi-sw');
    const port = await registerPort(admin, sw, 'gi1/0/1');
    await cableNic(admin, sw, port, node, nic);
    expectStatus(await admin.post(`/v0/project/${project}/connect_node`, { node }), 200);
    expectStatus(await admin.put('/v0/network/oapi-net', { owner: project, access: project, net_id: '' }), 200);
    expectStatus(await admin.put(`/v0/node/${node}/obm`, { enabled: true }), 200);
    const checked = new Set<string>();
    const check = async (key: string, path: string, body?: unknown) => {
      const [method] = key.split(' ');
      const def = routes.find((r) => `${r.method} ${r.path}` === key)!;
      const declared = ANSWERS[key]!;
      const schema = operationFor(doc, def)!.responses[declared.status]?.content?.['application/json']?.schema;
      assert.ok(schema, `${key}: no ${declared.status} answer in the document`);
      const r = await admin.request(method!, path, body === undefined ? {} : { body });
      expectStatus(r, Number(declared.status), key);
      assert.ok(ajv.validate(schema, r.json), `${key} answered ${r.text}: ${ajv.errorsText()}`);
      checked.add(key);
      return r.json;
    };
    await check('GET /projects', '/v0/projects');
    await check('GET /project/:project/nodes', `/v0/project/${project}/nodes`);
    await check('GET /project/:project/networks', `/v0/project/${project}/networks`);
    await check('GET /project/:project/headnodes', `/v0/project/${project}/headnodes`);
    await check('GET /nodes/:which', '/v0/nodes/all');
    await check('GET /switches', '/v0/switches');
    await check('GET /node/:node/power_status', `/v0/node/${node}/power_status`);
    const { status_id: connected } = await check('POST /node/:node/nic/:nic/connect_network', `/v0/node/${node}/nic/${nic}/connect_network`, { network: 'oapi-net' });
    await waitAction(d, connected, adminCreds);
    await check('GET /node/:node', `/v0/node/${node}`);
    const { status_id: detached } = await check('POST /node/:node/nic/:nic/detach_network', `/v0/node/${node}/nic/${nic}/detach_network`, { network: 'oapi-net' });
    await waitAction(d, detached, adminCreds);
    await check('GET /networking_action/:id', `/v0/networking_action/${detached}`);
    await check('GET /whoami', '/v0/whoami');
    await check('GET /health', '/v0/health');
    assert.deepEqual([...checked].sort(), Object.keys(ANSWERS).sort(), 'every declared answer is checked against a real one');
  });

  it('SPEC.md-style requests validate against it; malformed ones do not', () => {
    const ajv = new Ajv2020({ strict: true });
    const bodyOf = (method: string, path: string) => {
      const [m, p] = concrete(method, path);
      const found = routesFor(m, p);
      assert.equal(found.length, 1, `${method} ${path}`);
      return operationFor(doc, found[0]!)!.requestBody?.content['application/json']!.schema;
    };
    const valid = (method: string, path: string, value: unknown) => {
      const schema = bodyOf(method, path);
      assert.ok(schema, `${method} ${path} takes a body`);
      return ajv.validate(schema, value);
    };
    const good: Array<[string, string, unknown]> = [
      ['PUT', '/node/<n>', { obm: { type: 'ipmi', host: '10.0.0.3', user: 'admin', password: 'pw', port: 623 } }],
      ['PUT', '/node/<n>', { obm: { type: 'http://schema.massopencloud.org/haas/v0/obm/mock', host: 'h', user: 'u', password: 'p' }, metadata: { rack: 3 } }],
      ['PUT', '/node/<n>', { obmd: { uri: 'http://obmd:8080/node/n1', admin_token: 'secret' } }],
      ['PUT', '/node/<n>/nic/<nic>', { macaddr: 'de:ad:be:ef:20:14' }],
      ['PUT', '/node/<n>/metadata/<label>', { value: { any: ['json'] } }],
      ['PUT', '/node/<n>/metadata/<label>', { value: null }],
      ['PUT', '/node/<n>/obm', { enabled: true }],
      ['POST', '/node/<n>/power_cycle', { force: true }],
      ['POST', '/node/<n>/power_cycle', {}],
      ['PUT', '/node/<n>/boot_device', { bootdev: 'pxe' }],
      ['POST', '/node/<n>/nic/<nic>/connect_network', { network: 'net1', channel: 'vlan/native' }],
      ['POST', '/node/<n>/nic/<nic>/connect_network', { network: 'net1' }],
      ['POST', '/node/<n>/nic/<nic>/detach_network', { network: 'net1' }],
      ['POST', '/project/<p>/connect_node', { node: 'n1' }],
      ['PUT', '/network/<net>', { owner: 'admin', access: '', net_id: '' }],
      ['PUT', '/auth/basic/user/<u>', { password: 'pw', is_admin: false }],
      ['PATCH', '/auth/basic/user/<u>', { is_admin: true }],
      ['POST', '/auth/basic/user/<u>/add_project', { project: 'p1' }],
      ['PUT', '/node/<n>/lease', { for: '4h' }],
      ['PUT', '/node/<n>/lease', { until: null }],
    ];
    for (const [method, path, value] of good) assert.ok(valid(method, path, value), `${method} ${path} ${JSON.stringify(value)}: ${ajv.errorsText()}`);
    const bad: Array<[string, string, unknown]> = [
      ['PUT', '/node/<n>', { obm: { host: 'h' } }],
      ['PUT', '/node/<n>', { obmd: { uri: 'http://obmd' } }],
      ['PUT', '/node/<n>', { obm: { type: 'mock' }, extra: 1 }],
      ['PUT', '/node/<n>/nic/<nic>', {}],
      ['PUT', '/node/<n>/obm', { enabled: 'yes' }],
      ['POST', '/node/<n>/nic/<nic>/connect_network', { network: 'net1', channel: 7 }],
      ['PUT', '/network/<net>', { owner: 'admin', access: '' }],
      ['PUT', '/network/<net>', 'not an object'],
    ];
    for (const [method, path, value] of bad) assert.ok(!valid(method, path, value), `${method} ${path} ${JSON.stringify(value)} should not validate`);
  });

  it('accepts exactly the bodies the daemon\'s body checks accept, for every route', () => {
    const ajv = new Ajv2020({ strict: true });
    const sample = (field: unknown): unknown => (field === 'string' ? 's' : field === 'boolean' ? true : field === 'object' || typeof field !== 'string' ? {} : 1);
    for (const def of routes) {
      if (def.method === 'GET') continue;
      const schema = operationFor(doc, def)!.requestBody?.content['application/json']!.schema ?? { type: 'object', additionalProperties: false };
      const s: BodySchema = def.schema;
      const full = Object.fromEntries([...Object.entries(s.required), ...Object.entries(s.optional)].map(([k, f]) => [k, sample(f)]));
      const candidates: unknown[] = [{}, full, { ...full, unexpected: 's' }];
      for (const key of Object.keys(full)) {
        candidates.push({ ...full, [key]: 42 }, { ...full, [key]: [] }, Object.fromEntries(Object.entries(full).filter(([k]) => k !== key)));
      }
      for (const value of candidates) {
        let accepted = true;
        try { parseBody(s, JSON.stringify(value)); } catch { accepted = false; }
        assert.equal(ajv.validate(schema, value), accepted, `${def.method} ${def.path} ${JSON.stringify(value)}: the document and the daemon disagree`);
      }
    }
  });
});
