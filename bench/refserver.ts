// Reference servers for the benchmark, each run in its own child process on 127.0.0.1.
//
//   node --import tsx bench/refserver.ts const BODIES.json   constant bodies (the transport ceiling):
//        BODIES.json maps "node" / "free" / "networks" to the body text answered for
//        GET /v0/node/<any>, GET /v0/nodes/free and GET /v0/networks.
//   node --import tsx bench/refserver.ts query DB            haas's own store functions (the same
//        prepared statements) and JSON shape as its show_node / list_nodes free / list_networks
//        (admin view), on a copy of haas's database opened read-only, each request's reads in one
//        read transaction as haas runs them.
//
// Prints "listening <port>" on stdout once it serves.
import { createServer, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { Inventory } from '../src/db/inventory.js';
import { openDatabase } from '../src/db/sqlite.js';
import { attachmentsOfNode } from '../src/db/store/attachments.js';
import { allAccessGrants, allNetworks } from '../src/db/store/networks.js';
import { cabledNicsOfNode, freeNodes, metadataOfNode, nodeAndProject } from '../src/db/store/nodes.js';

type Handler = (path: string) => [number, string];

const JSON_TYPE = 'application/json';

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const notFound = (msg: string): [number, string] => [404, JSON.stringify({ type: 'NotFoundError', msg })];

function constHandler(file: string): Handler {
  const bodies = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const node = bodies.node ?? '{}';
  const free = bodies.free ?? '[]';
  const networks = bodies.networks ?? '{}';
  return (path) => {
    if (path.startsWith('/v0/node/')) return [200, node];
    if (path === '/v0/nodes/free') return [200, free];
    if (path === '/v0/networks') return [200, networks];
    return notFound('no such route');
  };
}

function queryHandler(dbFile: string): Handler {
  const inv = new Inventory(openDatabase(dbFile, { readonly: true }), dbFile);
  // As haas runs a GET's handler: its reads in one read transaction (Inventory.read).
  const reading = (h: Handler): Handler => (path) => inv.read(() => h(path));

  function showNode(label: string): [number, string] {
    const node = nodeAndProject(inv, label);
    if (!node) return notFound(`node ${label} not found`);
    const nics = cabledNicsOfNode(inv, node.id);
    const byNic = new Map<number, Record<string, string>>();
    for (const a of attachmentsOfNode(inv, node.id)) {
      let m = byNic.get(a.nic_id);
      if (!m) { m = {}; byNic.set(a.nic_id, m); }
      m[a.channel] = a.network;
    }
    const metadata: Record<string, string> = {};
    for (const m of metadataOfNode(inv, node.id)) metadata[m.label] = m.value;
    return [200, JSON.stringify({
      name: label,
      project: node.project,
      nics: nics.map((n) => ({
        label: n.label, macaddr: n.macaddr, networks: byNic.get(n.id) ?? {}, port: n.port, switch: n.switch,
      })),
      metadata,
    })];
  }

  function listNetworks(): [number, string] {
    const access = new Map<number, string[]>();
    for (const a of allAccessGrants(inv)) {
      const l = access.get(a.network_id);
      if (l) l.push(a.project); else access.set(a.network_id, [a.project]);
    }
    const out: Record<string, { network_id: string; projects: string[] | null }> = {};
    for (const n of allNetworks(inv)) out[n.label] = { network_id: String(n.net_id), projects: access.get(n.id) ?? null };
    return [200, JSON.stringify(out)];
  }

  return reading((path) => {
    if (path.startsWith('/v0/node/')) {
      const rest = path.slice('/v0/node/'.length);
      if (rest.includes('/')) return notFound('no such route');
      return showNode(decodeURIComponent(rest));
    }
    if (path === '/v0/nodes/free') return [200, JSON.stringify(freeNodes(inv))];
    if (path === '/v0/networks') return listNetworks();
    return notFound('no such route');
  });
}

const [mode, arg] = process.argv.slice(2);
if (!arg || (mode !== 'const' && mode !== 'query')) {
  process.stderr.write('usage: refserver.ts const BODIES.json | query DB\n');
  process.exit(2);
}
const handler = mode === 'const' ? constHandler(arg) : queryHandler(arg);
const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  req.resume();
  if (req.method !== 'GET') { send(res, 405, JSON.stringify({ type: 'MethodNotAllowed', msg: 'GET only' })); return; }
  const [status, body] = handler(path);
  send(res, status, body);
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
process.on('SIGTERM', () => { server.close(); process.exit(0); });
